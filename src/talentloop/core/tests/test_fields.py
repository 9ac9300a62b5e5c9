"""core.fields.JSONTextField: a document stored as the text it was written as, read back decoded, with
no lookups into it (the database holds text)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.db.models import Value

from talentloop.core.fields import JSONTextField
from talentloop.performance.models import Score
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_a_document_is_stored_as_compact_text_and_read_back_decoded():
    person = EmployeeFactory()
    detail = {"名": "值", "n": [1, 2.5, None]}
    score = Score.objects.create(employee=person, period_key="2026-10", period_start=dt.date(2026, 10, 1),
                                 detail=detail, computed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    with connection.cursor() as cur:
        cur.execute("SELECT detail FROM performance_score WHERE id = %s", [score.pk])
        assert cur.fetchone()[0] == '{"名":"值","n":[1,2.5,null]}'
    assert Score.objects.get(pk=score.pk).detail == detail
    assert Score.objects.values_list("detail", flat=True).get(pk=score.pk) == detail


def test_no_value_and_expressions_pass_through():
    field = JSONTextField()
    assert field.get_db_prep_value(None, connection) is None
    expression = Value("{}")
    assert field.get_db_prep_value(expression, connection) is expression


def test_there_are_no_lookups_inside_the_document():
    with pytest.raises(FieldError):
        list(Score.objects.filter(detail__scorecard="研发"))
