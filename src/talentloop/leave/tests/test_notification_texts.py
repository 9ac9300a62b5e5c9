"""The leave notices read right in both languages: one day is singular, half and several days plural."""

from __future__ import annotations

import pytest
from django.utils import translation

from talentloop.notifications.kinds import render_text

DATA = {"name": "员工", "name_en": "Employee", "type": "年假", "type_en": "Annual leave", "start": "2026-12-14",
        "end": "2026-12-14"}


@pytest.mark.parametrize("days, words", [("1", "(1 day)"), ("0.5", "(0.5 days)"), ("2", "(2 days)"),
                                         ("", "( days)")])
def test_days_in_english(days, words):
    with translation.override("en"):
        assert words in render_text("leave_request_waiting", {**DATA, "days": days})
        assert words in render_text("leave_request_decided", {**DATA, "days": days, "status": "approved"})


def test_days_in_chinese():
    with translation.override("zh-hans"):
        text = render_text("leave_request_waiting", {**DATA, "days": "1"})
    assert "员工" in text and "年假" in text and "1" in text
