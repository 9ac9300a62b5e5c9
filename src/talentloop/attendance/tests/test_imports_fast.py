"""The clock import's fast path against its general one: every timestamp form and zone gives the same
punch as before, chunks and the second writing thread change no count, and an error in either thread
leaves nothing behind.

Time is frozen at 2026-11-10 10:00 in Shanghai (02:00 UTC), as in ``test_imports``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from talentloop.attendance.models import ClockEvent, ClockImport
from talentloop.attendance.services import imports
from talentloop.attendance.services.imports import clock_import, external_id
from talentloop.attendance.tests.test_imports import NOW, UTC, _csv, _frozen  # noqa: F401 (_frozen: the autouse clock)
from talentloop.core.errors import InvalidInput

pytestmark = pytest.mark.django_db



def _counts(report) -> tuple[int, int, int, int]:
    return report.rows, report.added, report.duplicates, report.rejected


def test_every_form_of_one_instant_is_one_punch(actor_of):
    content = _csv(
        "工号,打卡时间,设备",
        "T-employee,2026-11-03 08:59:12,大门-01",        # the fast form
        "T-employee,2026/11/03 08:59:12,大门-01",        # fast, with slashes
        "T-employee,2026-11-03T08:59:12,大门-01",        # fast, with a T
        "T-employee,2026-11-03T08:59:12+08:00,大门-01",  # ISO with an offset: the general way
        "T-employee,2026年11月3日 08:59:12,大门-01",      # Chinese: the general way
        "T-employee,20261103085912,大门-01",             # compact: the general way
    )
    check = clock_import(actor_of("hr"), file=content, dry_run=True)
    assert _counts(check) == (6, 1, 5, 0)
    report = clock_import(actor_of("hr"), file=content, dry_run=False)
    assert _counts(report) == (6, 1, 5, 0)
    event = ClockEvent.objects.get()
    assert event.at == dt.datetime(2026, 11, 3, 0, 59, 12, tzinfo=UTC)
    assert event.external_id == external_id("T-employee", dt.datetime(2026, 11, 3, 0, 59, 12), "大门-01")
    assert report.first_at == report.last_at == event.at


def test_near_misses_of_the_fast_form_are_read_or_refused_as_before(actor_of):
    report = clock_import(actor_of("hr"), file=_csv(
        "工号,打卡时间,设备",
        "T-employee,2026-11-03 08:59:60,A",   # line 2: second 60
        "T-employee,2026-13-03 08:59:12,A",   # line 3: month 13
        "T-employee,2026-11-03 24:00:00,A",   # line 4: hour 24
        "T-employee,2026-11-03 08.59.12,A",   # line 5: dots: not the fast form, nor any other
        "T-employee,2026-11-03 08:59:1x,A",   # line 6
        "T-employee,2026-11-03 8:59:12,A",    # line 7: one-digit hour: the general way, a good punch
        "T-employee,2026-11-10 10:05:00,A",   # line 8: within the 5 minutes a machine clock may run fast
        "T-employee,2026-11-10 10:05:01,A",   # line 9: in the future
    ), dry_run=True)
    assert (report.added, report.rejected) == (2, 6)
    reasons = {e.line: e.reasons for e in report.errors}
    not_a_time = ["The timestamp is not a date and time (e.g. 2026-11-03 08:59:12)."]
    assert {line: reasons[line] for line in (2, 3, 4, 5, 6)} == dict.fromkeys((2, 3, 4, 5, 6), not_a_time)
    assert reasons[9] == ["The timestamp is in the future."]
    assert report.last_at == dt.datetime(2026, 11, 10, 2, 5, tzinfo=UTC)


def test_a_fraction_of_a_second_is_kept_and_the_identity_is_the_second(actor_of):
    report = clock_import(actor_of("hr"), file=_csv(
        "Employee number,Timestamp,Device",
        "T-employee,2026-11-03T08:59:12.250+08:00,A",
        "T-employee,2026-11-03 08:59:12,A",  # the same second: the same punch
        "T-employee,2026-11-03 08:59:11,A",
    ), dry_run=False)
    assert _counts(report) == (3, 2, 1, 0)
    assert report.first_at == dt.datetime(2026, 11, 3, 0, 59, 11, tzinfo=UTC)
    assert report.last_at == dt.datetime(2026, 11, 3, 0, 59, 12, 250000, tzinfo=UTC)
    assert list(ClockEvent.objects.order_by("at").values_list("at", flat=True)) == [
        dt.datetime(2026, 11, 3, 0, 59, 11, tzinfo=UTC), dt.datetime(2026, 11, 3, 0, 59, 12, 250000, tzinfo=UTC)]


@pytest.mark.parametrize(("zone", "local", "utc"), [
    ("Europe/Berlin", "2026-07-01 09:00:00", dt.datetime(2026, 7, 1, 7, 0, tzinfo=UTC)),     # summer time
    ("Europe/Berlin", "2026-01-05 09:00:00", dt.datetime(2026, 1, 5, 8, 0, tzinfo=UTC)),     # winter time
    ("Asia/Kolkata", "2026-11-03 09:10:20", dt.datetime(2026, 11, 3, 3, 40, 20, tzinfo=UTC)),  # half an hour
    ("America/New_York", "2026-11-02 23:30:00", dt.datetime(2026, 11, 3, 4, 30, tzinfo=UTC)),  # the day after
])
def test_the_zone_offset_of_each_hour(actor_of, zone, local, utc):
    with override_settings(TIME_ZONE=zone):
        report = clock_import(actor_of("hr"), file=_csv("工号,打卡时间,设备", f"T-employee,{local},A"), dry_run=False)
    assert _counts(report) == (1, 1, 0, 0)
    event = ClockEvent.objects.get()
    assert event.at == utc
    assert event.work_date == dt.date.fromisoformat(local[:10])
    assert event.external_id == external_id("T-employee", utc.replace(tzinfo=None), "A")


def test_chunks_and_the_second_thread_change_no_count(actor_of, monkeypatch):
    content = _csv(
        "工号,打卡时间,设备",
        *(f"T-employee,2026-11-0{day} 0{hour}:00:00,A" for day in (2, 3, 4) for hour in (8, 9)),
        "NOPE,2026-11-03 09:00:00,A",
        "T-employee,2026-11-02 08:00:00,A",  # repeats the first row, two chunks later
    )
    whole = clock_import(actor_of("hr"), file=content, dry_run=True)
    monkeypatch.setattr(imports, "CHUNK", 2)
    chunked = clock_import(actor_of("hr"), file=content, dry_run=True)
    assert _counts(whole) == _counts(chunked) == (8, 6, 1, 1)
    assert (whole.first_at, whole.last_at, whole.people) == (chunked.first_at, chunked.last_at, chunked.people)
    report = clock_import(actor_of("hr"), file=content, dry_run=False)
    assert _counts(report) == (8, 6, 1, 1)
    assert ClockEvent.objects.count() == 6
    assert _counts(clock_import(actor_of("hr"), file=content, dry_run=False)) == (8, 0, 7, 1)
    assert _counts(clock_import(actor_of("hr"), file=content, dry_run=True)) == (8, 0, 7, 1)


def test_stored_punches_are_found_when_the_span_holds_many_others(actor_of):
    """Over 1,000 stored punches within a chunk's span: the look-up goes by the chunk's ids instead."""
    start = dt.datetime(2026, 11, 2, 8, 0)
    stamps = [(start + dt.timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(1100)]
    clock_import(actor_of("hr"), file=_csv("工号,打卡时间,设备", *(f"T-employee,{s},A" for s in stamps)),
                 dry_run=False)
    assert ClockEvent.objects.count() == 1100
    probe = _csv("工号,打卡时间,设备", f"T-employee,{stamps[0]},A", "T-employee,2026-11-02 08:00:30,A",
                 f"T-employee,{stamps[-1]},A")
    assert _counts(clock_import(actor_of("hr"), file=probe, dry_run=True)) == (3, 1, 2, 0)
    assert _counts(clock_import(actor_of("hr"), file=probe, dry_run=False)) == (3, 1, 2, 0)
    assert ClockEvent.objects.count() == 1101


def test_a_failed_write_leaves_nothing(actor_of, monkeypatch):
    def fail(*_args):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports, "CHUNK", 2)
    monkeypatch.setattr(imports._Writer, "_insert", fail)
    monkeypatch.setattr(imports._Writer, "_copy", fail)
    content = _csv("工号,打卡时间,设备", *(f"T-employee,2026-11-03 0{h}:00:00,A" for h in range(1, 8)))
    with pytest.raises(RuntimeError, match="disk is full"):
        clock_import(actor_of("hr"), file=content, dry_run=False)
    assert not ClockEvent.objects.exists() and not ClockImport.objects.exists()


def test_too_many_rows_while_a_chunk_is_being_written_leaves_nothing(actor_of, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 2)
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    content = _csv("工号,打卡时间,设备", *(f"T-employee,2026-11-03 0{h}:00:00,A" for h in range(1, 8)))
    with pytest.raises(InvalidInput, match="more than 5 rows"):
        clock_import(actor_of("hr"), file=content, dry_run=False)
    assert not ClockEvent.objects.exists() and not ClockImport.objects.exists()
