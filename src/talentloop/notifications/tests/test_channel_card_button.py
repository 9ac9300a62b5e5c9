"""The button of a WeCom text card and a DingTalk action card is an action ("查看详情" / "View details"),
not the bare msgid "Open", which the catalogue translates as the state of a review ("进行中")."""

from __future__ import annotations

import pytest
from django.utils import translation

from talentloop.notifications.channels import Message, get_channel
from talentloop.notifications.channels.im import card_button_label
from talentloop.notifications.tests.channel_factories import ImCredentialsFactory

pytestmark = pytest.mark.django_db


def _message(person) -> Message:
    return Message(
        recipient_id=person.pk,
        address="zhangsan",
        kind="feedback_received",
        subject="收到反馈",
        text="你的反馈已收到",
        url="https://hr.example.com/n/1",
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_wecom_card_button_is_an_action_not_a_state(world, language):
    person = world.emp(world.employee)
    creds = ImCredentialsFactory(vendor="wecom")
    with translation.override(language):
        card = get_channel("wecom").payload(creds, _message(person))["textcard"]
        expected = translation.pgettext("chat card button", "View details")[:4]
    assert card["btntxt"] == expected
    assert "进行" not in card["btntxt"]
    assert 0 < len(card["btntxt"]) <= 4  # the vendor's limit


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dingtalk_card_button_is_an_action_not_a_state(world, language):
    person = world.emp(world.employee)
    creds = ImCredentialsFactory(vendor="dingtalk", agent_id="2233")
    with translation.override(language):
        card = get_channel("dingtalk").payload(creds, _message(person))["msg"]["action_card"]
        expected = translation.pgettext("chat card button", "View details")
    assert card["single_title"] == expected
    assert "进行" not in card["single_title"]


def test_english_card_button_reads_view_details():
    with translation.override("en"):
        assert card_button_label() == "View details"
