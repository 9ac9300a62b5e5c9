"""Periodic jobs fire at their declared local time (the organisation's time zone), not in UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils.module_loading import autodiscover_modules

from talentloop.core.schedules import local_crontab

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_MINUTE = "every minute"
# A job that runs several times a day lists every local time it fires at.
EVERY_HALF_HOUR = [(hour, minute) for hour in range(24) for minute in (0, 30)]

# When each periodic job runs, in the organisation's local time. A new periodic job needs a row.
EXPECTED = {
    "apply_due_employment_events": (0, 5),
    "evaluate_alerts_daily": (0, 20),
    "mentoring_advance_plans": (7, 5),
    "mentoring_send_reminders": (7, 10),
    "mentoring_escalate_overdue": (7, 10),
    "mentoring_send_due_surveys": (7, 15),
    "onboarding_daily": (7, 20),
    "record_review_reminders": (7, 30),
    "send_training_reminders": (9, 0),
    "clock_positions_purge_daily": (3, 40),
    "leave_accrual_daily": (0, 30),
    "summaries_nightly": (1, 40),
    "vendor_pull_periodic": EVERY_HALF_HOUR,
    "deliver_notifications_every_minute": EVERY_MINUTE,
    "sweep_recompute_marks": EVERY_MINUTE,
    "webhooks_deliver_every_minute": EVERY_MINUTE,
    "connector_events_record_every_minute": EVERY_MINUTE,
    "connectors_pull_due": EVERY_MINUTE,
}


def _periodic_tasks():
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")  # as the consumer (run_huey) does
    return HUEY._registry.periodic_tasks


def _utc(local: dt.datetime) -> dt.datetime:
    """What Huey's consumer passes for this local moment: naive UTC."""
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _fires_on_local_day(task, day: dt.date) -> list[tuple[int, int]]:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    moments = (start + dt.timedelta(minutes=m) for m in range(24 * 60))
    return [(m.hour, m.minute) for m in moments if task.validate_datetime(_utc(m))]


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_every_periodic_job_fires_at_its_local_time_once_a_day():
    tasks = _periodic_tasks()
    names = {t.name.rsplit(".", 1)[-1] for t in tasks}
    assert {"mentoring_send_reminders", "deliver_notifications_every_minute"} <= names
    assert names <= set(EXPECTED), f"say when these run: {names - set(EXPECTED)}"
    for task in tasks:
        expected = EXPECTED[task.name.rsplit(".", 1)[-1]]
        fired = _fires_on_local_day(task, dt.date(2026, 12, 7))
        if expected == EVERY_MINUTE:
            assert len(fired) == 24 * 60, task.name
        elif isinstance(expected, list):
            assert fired == expected, task.name
        else:
            assert fired == [expected], task.name


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_the_mentoring_reminders_go_out_at_0710_shanghai_not_0710_utc():
    from huey.contrib.djhuey import HUEY

    _periodic_tasks()
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 12, 6, 23, 10))}
    assert "mentoring_send_reminders" in due  # 07:10 on 7 December in Shanghai
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 12, 7, 7, 10))}
    assert "mentoring_send_reminders" not in due  # 15:10 in Shanghai


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_aware_and_naive_timestamps_agree():
    check = local_crontab(minute="10", hour="7")
    assert check(dt.datetime(2026, 12, 7, 7, 10, tzinfo=SHANGHAI))
    assert check(dt.datetime(2026, 12, 6, 23, 10, tzinfo=dt.UTC))
    assert check(dt.datetime(2026, 12, 6, 23, 10))
    assert not check(dt.datetime(2026, 12, 7, 7, 10))
    assert not check(dt.datetime(2026, 12, 7, 7, 11, tzinfo=SHANGHAI))
    assert check.local_fields["hour"] == "7"


@override_settings(TIME_ZONE="Europe/Berlin")
def test_the_local_time_holds_across_daylight_saving():
    check = local_crontab(minute="10", hour="7")
    assert check(dt.datetime(2026, 1, 15, 6, 10))  # CET, UTC+1
    assert check(dt.datetime(2026, 7, 15, 5, 10))  # CEST, UTC+2
    assert not check(dt.datetime(2026, 7, 15, 6, 10))


def test_a_naive_timestamp_is_server_local_time_when_huey_is_not_in_utc(settings):
    import time

    settings.TIME_ZONE = "Asia/Shanghai"
    settings.HUEY = {**settings.HUEY, "utc": False}
    check = local_crontab(minute="10", hour="7")
    server_local = dt.datetime(2026, 12, 7, 7, 10, tzinfo=SHANGHAI).astimezone().replace(tzinfo=None)
    assert check(server_local), time.tzname


def test_bad_fields_are_refused():
    with pytest.raises(ValueError):
        local_crontab(minute="61")
    with pytest.raises(ValueError):
        local_crontab(hour="seven")


def test_no_job_is_scheduled_with_hueys_utc_crontab():
    from pathlib import Path

    import talentloop

    root = Path(talentloop.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.glob("*/tasks.py") if "import crontab" in p.read_text()]
    assert offenders == [], "schedule with talentloop.core.schedules.local_crontab"
