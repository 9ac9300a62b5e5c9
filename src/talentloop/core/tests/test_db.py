"""core.db: the raw insert (COPY on PostgreSQL) and upsert paths, on whichever database the suite
runs (CI runs it on both)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from talentloop.core import db
from talentloop.performance.models import Score
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

COLUMNS = ("employee_id", "period_key", "period_start", "version_id", "total", "rating", "partial", "detail",
           "metric_scores", "computed_at")


def row(employee_id: int, period_key: str, total: str, detail: str = '{"n":1}') -> tuple:
    ops = connection.ops
    return (employee_id, period_key, ops.adapt_datefield_value(dt.date(2026, 10, 1)), None,
            ops.adapt_decimalfield_value(Decimal(total), 7, 2), ops.adapt_decimalfield_value(Decimal("3.5"), 3, 1),
            False, detail, "{}", ops.adapt_datetimefield_value(timezone.now()))


def test_insert_rows_writes_every_row_from_a_generator(monkeypatch):
    monkeypatch.setattr(db, "BATCH", 2)  # several batches on SQLite
    people = EmployeeFactory.create_batch(5)
    count = db.insert_rows(Score, COLUMNS, (row(p.pk, "2026-10", "90.5") for p in people))
    assert count == 5
    scores = Score.objects.filter(period_key="2026-10").order_by("employee_id")
    assert [s.employee_id for s in scores] == sorted(p.pk for p in people)
    assert scores[0].total == Decimal("90.50") and scores[0].detail == {"n": 1} and scores[0].partial is False


def test_insert_rows_refuses_a_duplicate_and_the_transaction_keeps_nothing():
    person = EmployeeFactory()
    with pytest.raises((IntegrityError, connection.Database.IntegrityError)), transaction.atomic():
        db.insert_rows(Score, COLUMNS, [row(person.pk, "2026-10", "1"), row(person.pk, "2026-10", "2")])
    assert not Score.objects.exists()


def test_upsert_rows_updates_the_existing_row_and_inserts_the_new(monkeypatch):
    monkeypatch.setattr(db, "BATCH", 2)
    kept, updated, new = EmployeeFactory.create_batch(3)
    db.insert_rows(Score, COLUMNS, [row(kept.pk, "2026-10", "10"), row(updated.pk, "2026-10", "20")])
    count = db.upsert_rows(Score, COLUMNS, [row(updated.pk, "2026-10", "25", '{"n":2}'), row(new.pk, "2026-10", "30")],
                           unique=("employee_id", "period_key"))
    assert count == 2
    got = {s.employee_id: (s.total, s.detail) for s in Score.objects.all()}
    assert got == {kept.pk: (Decimal("10.00"), {"n": 1}), updated.pk: (Decimal("25.00"), {"n": 2}),
                   new.pk: (Decimal("30.00"), {"n": 1})}


def test_nothing_to_write_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert db.upsert_rows(Score, COLUMNS, [], unique=("employee_id", "period_key")) == 0
