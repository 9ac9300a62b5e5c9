"""The accrual and expiry job, with the legal cases worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.leave.models import LeaveRequest, LeaveType, LedgerEntry, PriorService
from talentloop.leave.selectors.ledger import balance, entries
from talentloop.leave.services import accrual
from talentloop.leave.services.accrual import leave_accrue
from talentloop.leave.services.ledger import ledger_post
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def annual():
    return LeaveType.objects.get(code="annual")  # shipped: tiers 5/10/15, carry at most 5 days to end of March


def lines(employee, kind):
    return [(e.kind, e.effective_date, e.days) for e in entries(employee_id=employee.pk, leave_type_id=kind.pk)]


def use(employee, kind, on, days):
    ledger_post(by=None, employee_id=employee.pk, leave_type_id=kind.pk, kind="use", effective_date=on,
                days=Decimal(-days), reason="test", key=f"test-use:{employee.pk}:{on}")


def test_granted_on_1_january_once(annual):
    # First job from 2015-01-01: 11 years in 2026 → 10 days on 1 January.
    person = EmployeeFactory(hire_date=D(2015, 1, 1))
    first = leave_accrue(as_of=D(2026, 1, 1))
    assert first.written == 1 and first.errors == []
    again = leave_accrue(as_of=D(2026, 1, 1))
    assert again.written == 0
    leave_accrue(as_of=D(2026, 1, 2))
    assert lines(person, annual) == [("accrual", D(2026, 1, 1), Decimal("10.000"))]


def test_granted_for_the_rest_of_the_year_on_the_day_of_eligibility(annual):
    # First job from 2025-03-01: eligible 2026-03-01; 306 / 365 × 5 = 4.19 → 4 days on that day.
    person = EmployeeFactory(hire_date=D(2025, 3, 1))
    leave_accrue(as_of=D(2026, 2, 28))
    assert lines(person, annual) == []
    leave_accrue(as_of=D(2026, 3, 1))
    assert lines(person, annual) == [("accrual", D(2026, 3, 1), Decimal("4.000"))]


def test_a_missed_day_is_caught_up_with_the_same_entries(annual):
    # The job did not run on 1 March; the run of 10 March writes the grant effective 1 March.
    person = EmployeeFactory(hire_date=D(2025, 3, 1))
    leave_accrue(as_of=D(2026, 3, 10))
    assert lines(person, annual) == [("accrual", D(2026, 3, 1), Decimal("4.000"))]


def test_leaver_pro_rated_without_claw_back(annual):
    # Both first-job since 2015-01-01: 10 days granted on 2026-01-01. Both leave on 2026-04-30:
    # 120 / 365 × 10 = 3.29 → 3 days.
    # - took 5 days: 5 > 3, no claw-back: the year's accrual ends at 5 (adjustment −5), balance 0.
    # - took 1 day: the year's accrual ends at 3 (adjustment −7), balance 2 (paid out on leaving).
    took_five = EmployeeFactory(hire_date=D(2015, 1, 1))
    took_one = EmployeeFactory(hire_date=D(2015, 1, 1))
    leave_accrue(as_of=D(2026, 1, 1))
    use(took_five, annual, D(2026, 2, 10), 5)
    use(took_one, annual, D(2026, 2, 10), 1)
    for person in (took_five, took_one):
        person.termination_date = D(2026, 4, 30)
        person.save()
    leave_accrue(as_of=D(2026, 4, 29))  # not left yet: nothing changes
    assert balance(employee_id=took_one.pk, leave_type_id=annual.pk, as_of=D(2026, 4, 29)) == Decimal("9")
    leave_accrue(as_of=D(2026, 4, 30))
    assert lines(took_five, annual)[-1] == ("adjustment", D(2026, 4, 30), Decimal("-5.000"))
    assert balance(employee_id=took_five.pk, leave_type_id=annual.pk, as_of=D(2026, 12, 31)) == 0
    assert lines(took_one, annual)[-1] == ("adjustment", D(2026, 4, 30), Decimal("-7.000"))
    assert balance(employee_id=took_one.pk, leave_type_id=annual.pk, as_of=D(2026, 12, 31)) == 2
    assert leave_accrue(as_of=D(2026, 5, 1)).written == 0


def test_leaver_of_last_year_adjusted_on_the_next_run(annual):
    # Leaves 2025-12-30, the job did not run until 2026-01-02: 2025 is 364 days → 364 / 365 × 10 = 9.97 → 9.
    person = EmployeeFactory(hire_date=D(2015, 1, 1))
    leave_accrue(as_of=D(2025, 1, 1))
    person.termination_date = D(2025, 12, 30)
    person.save()
    leave_accrue(as_of=D(2026, 1, 2))
    assert lines(person, annual) == [("accrual", D(2025, 1, 1), Decimal("10.000")),
                                     ("adjustment", D(2025, 12, 30), Decimal("-1.000"))]


def test_carry_over_and_expiry_first_in_first_out(annual):
    # 2025: 10 days granted, 3 taken → 7 unused. 1 January 2026: the 7 close, 5 carry over (the
    # type's maximum), 10 granted for 2026. 2 days taken in February use the carried days first, so
    # on 1 April (after the end of March) 5 − 2 = 3 carried days expire.
    # Balance on 2026-04-01: 7 − 7 + 5 + 10 − 2 − 3 = 10, all of 2026's own entitlement.
    person = EmployeeFactory(hire_date=D(2015, 1, 1))
    leave_accrue(as_of=D(2025, 1, 1))
    use(person, annual, D(2025, 6, 2), 3)
    leave_accrue(as_of=D(2026, 1, 1))
    use(person, annual, D(2026, 2, 10), 2)
    leave_accrue(as_of=D(2026, 3, 31))
    assert balance(employee_id=person.pk, leave_type_id=annual.pk, as_of=D(2026, 3, 31)) == 13
    leave_accrue(as_of=D(2026, 4, 1))
    assert lines(person, annual) == [
        ("accrual", D(2025, 1, 1), Decimal("10.000")),
        ("use", D(2025, 6, 2), Decimal("-3.000")),
        ("expiry", D(2026, 1, 1), Decimal("-7.000")),
        ("carry_over", D(2026, 1, 1), Decimal("5.000")),
        ("accrual", D(2026, 1, 1), Decimal("10.000")),
        ("use", D(2026, 2, 10), Decimal("-2.000")),
        ("expiry", D(2026, 4, 1), Decimal("-3.000")),
    ]
    assert balance(employee_id=person.pk, leave_type_id=annual.pk, as_of=D(2026, 4, 1)) == 10
    assert leave_accrue(as_of=D(2026, 4, 2)).written == 0


def test_ledger_replay_equals_the_balance_on_every_date(annual):
    person = EmployeeFactory(hire_date=D(2015, 1, 1))
    for day in (D(2025, 1, 1), D(2026, 1, 1), D(2026, 4, 1)):
        leave_accrue(as_of=day)
        use(person, annual, day + dt.timedelta(days=40), 1)
    rows = list(entries(employee_id=person.pk, leave_type_id=annual.pk))
    probe = D(2024, 12, 31)
    while probe <= D(2026, 6, 30):
        replay = sum((e.days for e in rows if e.effective_date <= probe), Decimal("0"))
        assert replay == balance(employee_id=person.pk, leave_type_id=annual.pk, as_of=probe), probe
        probe += dt.timedelta(days=7)


def test_verified_prior_service_raises_the_tier_by_an_adjustment(annual):
    # Hired 2020-01-01: 6 years in 2026 → 5 days on 1 January. Prior service 2010-01-01..2013-12-31
    # (1461 days) verified in May: equivalent start 2016-01-01, 10 years from 2026-01-01 → 10 days:
    # +5 adjustment on the day the job sees it.
    person = EmployeeFactory(hire_date=D(2020, 1, 1))
    leave_accrue(as_of=D(2026, 1, 1))
    PriorService.objects.create(employee=person, employer="A", start=D(2010, 1, 1), end=D(2013, 12, 31),
                                status=PriorService.Status.PENDING)
    leave_accrue(as_of=D(2026, 5, 1))  # not verified yet: not counted
    assert lines(person, annual) == [("accrual", D(2026, 1, 1), Decimal("5.000"))]
    PriorService.objects.filter(employee=person).update(status=PriorService.Status.VERIFIED)
    leave_accrue(as_of=D(2026, 5, 2))
    assert lines(person, annual)[-1] == ("adjustment", D(2026, 5, 2), Decimal("5.000"))


def test_sick_leave_before_any_annual_leave_takes_the_year(annual):
    # 11 years' service: 3 months = 90 days of sick leave disqualify. Sick 2026-02-01..2026-05-01
    # (28 + 31 + 30 + 1 = 90 days) reached on 2026-05-01 before any annual leave: 2026 is lost (−10).
    # A colleague with annual leave taken in January first loses 2027 instead, keeping 2026.
    sick = LeaveType.objects.get(code="sick")
    first = EmployeeFactory(hire_date=D(2015, 1, 1))
    second = EmployeeFactory(hire_date=D(2015, 1, 1))
    leave_accrue(as_of=D(2026, 1, 1))
    use(second, annual, D(2026, 1, 20), 1)
    for person in (first, second):
        LeaveRequest.objects.create(employee=person, leave_type=sick, start=D(2026, 2, 1), end=D(2026, 5, 1),
                                    days=Decimal("63"), status="approved")
    leave_accrue(as_of=D(2026, 5, 2))
    assert balance(employee_id=first.pk, leave_type_id=annual.pk, as_of=D(2026, 5, 2)) == 0
    assert balance(employee_id=second.pk, leave_type_id=annual.pk, as_of=D(2026, 5, 2)) == 9
    leave_accrue(as_of=D(2027, 1, 1))
    # 2027: the first is entitled again (10); the second's 2027 is lost. The second's unused 9 days
    # of 2026 close and 5 carry over.
    assert [x for x in lines(first, annual) if x[1] == D(2027, 1, 1)] == [("accrual", D(2027, 1, 1),
                                                                          Decimal("10.000"))]
    assert [x for x in lines(second, annual) if x[1] == D(2027, 1, 1)] == [
        ("expiry", D(2027, 1, 1), Decimal("-9.000")), ("carry_over", D(2027, 1, 1), Decimal("5.000"))]


def test_one_broken_person_never_stops_the_batch(annual, monkeypatch):
    good = EmployeeFactory(hire_date=D(2015, 1, 1))
    bad = EmployeeFactory(hire_date=D(2015, 1, 1))
    real = accrual._annual_lines

    def broken(person, *args):
        if person.id == bad.pk:
            raise ValueError("broken data")
        return real(person, *args)

    monkeypatch.setattr(accrual, "_annual_lines", broken)
    report = leave_accrue(as_of=D(2026, 1, 1))
    assert report.errors == [(bad.pk, "broken data")]
    assert len(lines(good, annual)) == 1 and lines(bad, annual) == []


def test_a_constant_number_of_queries_whatever_the_number_of_people(annual):
    def run(n: int, on: dt.date) -> int:
        EmployeeFactory.create_batch(n, hire_date=D(2015, 1, 1))
        with CaptureQueriesContext(connection) as ctx:
            report = leave_accrue(as_of=on)
        assert report.written >= n
        return len(ctx.captured_queries)

    assert run(2, D(2026, 1, 1)) == run(12, D(2027, 1, 1))


def test_command(annual, capsys):
    EmployeeFactory(hire_date=D(2015, 1, 1))
    call_command("accrue-leave", "--date", "2026-01-01")
    assert "1 ledger entries written (accrual 1)" in capsys.readouterr().out
    assert LedgerEntry.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("accrue-leave", "--date", "2026-13-01")


def test_the_daily_job_runs_at_half_past_midnight_in_shanghai(settings):
    from huey.contrib.djhuey import HUEY

    settings.TIME_ZONE = "Asia/Shanghai"
    # 00:30 on 7 December in Shanghai is 16:30 UTC on 6 December.
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 12, 6, 16, 30))}
    assert "leave_accrual_daily" in due
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 12, 7, 0, 30))}
    assert "leave_accrual_daily" not in due
