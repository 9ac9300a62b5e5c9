"""Shifts, work schedules and the roster planner, worked out by hand.

The clock is frozen on Monday 2026-11-02 10:00 in Shanghai (02:00 UTC): the planning window runs from
2026-10-26 (7 days back) to 2027-05-03 (26 weeks ahead). Personas (testing/personas.py): ``manager``
heads R&D; ``lead`` and ``mentor`` report to them, ``employee`` reports to ``lead`` (all in platform);
``outsider`` is in sales; ``hr`` covers the whole organisation.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from talentloop.attendance.calendar import plan
from talentloop.attendance.models import RosterEntry, Shift, ShiftRequirement, WorkSchedule
from talentloop.attendance.selectors import rosters as selectors
from talentloop.attendance.services import rosters as services
from talentloop.attendance.services import shifts as shift_services
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied

NOW = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
MON = dt.date(2026, 11, 2)
PREV = MON - dt.timedelta(days=7)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_shift(code: str, start: str, end: str, **kw) -> Shift:
    return Shift.objects.create(code=code, name=code, start=dt.time.fromisoformat(start),
                                end=dt.time.fromisoformat(end), **kw)


@pytest.fixture
def shifts(db):
    return {"day": make_shift("day", "08:00", "17:00"), "late": make_shift("late", "14:00", "22:00"),
            "night": make_shift("night", "22:00", "06:00", break_minutes=30)}


@pytest.fixture
def rostered(world):
    """Platform (lead, mentor, employee) works by roster from 2026-01-01."""
    WorkSchedule.objects.create(org_unit=world.platform, kind="roster", effective_from=dt.date(2026, 1, 1))
    return world


def emp(world, name):
    return world.emp(getattr(world, name))


def cell(world, name, date, shift=None, **kw):
    return services.Cell(employee_id=emp(world, name).pk, date=date, shift_id=shift.pk if shift else None, **kw)


# ---------------------------------------------------------------- plan()


def test_night_shift_counts_to_the_day_it_starts(rostered, shifts, actor_of):
    # Night 22:00 Monday to 06:00 Tuesday: Monday is the working day, Tuesday is free (nothing planned).
    services.roster_set(actor=actor_of("manager"), cells=[cell(rostered, "employee", MON, shifts["night"])])
    days = plan([emp(rostered, "employee").pk], MON, MON + dt.timedelta(days=1))[emp(rostered, "employee").pk]
    assert [(d.date, d.scheduled, d.shift_id, d.rostered) for d in days] == [
        (MON, True, shifts["night"].pk, True), (MON + dt.timedelta(days=1), False, None, True)]
    assert shifts["night"].crosses_midnight
    assert selectors.shift_bounds(MON, shifts["night"]) == (dt.datetime(2026, 11, 2, 22), dt.datetime(2026, 11, 3, 6))


def test_a_persons_later_schedule_leaves_the_earlier_dates_to_the_unit(world, shifts):
    # Unit: day shift from 2026-01-01; the employee's own: late shift from Wednesday 2026-11-04.
    # Monday and Tuesday follow the unit (day), Wednesday on the person's (late). Before the fix the
    # person's row hid the unit's completely and Monday had no shift.
    WorkSchedule.objects.create(org_unit=world.platform, kind="fixed", shift=shifts["day"],
                                effective_from=dt.date(2026, 1, 1))
    me = emp(world, "employee")
    WorkSchedule.objects.create(employee=me, kind="fixed", shift=shifts["late"], effective_from=MON + dt.timedelta(2))
    days = plan([me.pk], MON, MON + dt.timedelta(days=2))[me.pk]
    assert [d.shift_id for d in days] == [shifts["day"].pk, shifts["day"].pk, shifts["late"].pk]


# ---------------------------------------------------------------- minimum rest


@pytest.mark.parametrize(("first", "second", "expected"), [
    ("night", "day", 2.0),     # ends 06:00, next starts 08:00: 2 h < 11
    ("late", "night", None),   # ends 22:00 Monday, next starts 22:00 Tuesday: 24 h
    ("late", "day", 10.0),     # ends 22:00, next starts 08:00: 10 h < 11
    ("day", "day", None),      # ends 17:00, next starts 08:00: 15 h
])
def test_minimum_rest(shifts, first, second, expected):
    breaches = selectors.rest_breaches([(MON, shifts[first]), (MON + dt.timedelta(days=1), shifts[second])])
    assert breaches.get(MON + dt.timedelta(days=1)) == expected


def test_a_day_off_between_two_shifts_is_rest(shifts):
    # Night Monday ends 06:00 Tuesday, Tuesday off, day shift Wednesday 08:00: 50 h of rest.
    assert selectors.rest_breaches([(MON, shifts["night"]), (MON + dt.timedelta(1), None),
                                    (MON + dt.timedelta(2), shifts["day"])]) == {}


def test_setting_cells_reports_short_rests(rostered, shifts, actor_of):
    # Night Monday (ends 06:00 Tuesday), day Tuesday 08:00: 2 h. Late Thursday (ends 22:00), day
    # Friday 08:00: 10 h < 11. Day Saturday after Friday's day: 15 h, fine.
    e = emp(rostered, "employee")
    result = services.roster_set(actor=actor_of("manager"), cells=[
        cell(rostered, "employee", MON, shifts["night"]), cell(rostered, "employee", MON + dt.timedelta(1),
                                                               shifts["day"]),
        cell(rostered, "employee", MON + dt.timedelta(3), shifts["late"]),
        cell(rostered, "employee", MON + dt.timedelta(4), shifts["day"]),
        cell(rostered, "employee", MON + dt.timedelta(5), shifts["day"])])
    assert result.warnings == [{"employee_id": e.pk, "date": MON + dt.timedelta(1), "rest_hours": 2.0},
                               {"employee_id": e.pk, "date": MON + dt.timedelta(4), "rest_hours": 10.0}]
    # Planning the Sunday night before alone warns about Monday's existing night? 22:00 to 22:00: 24 h, no.
    again = services.roster_set(actor=actor_of("manager"), cells=[
        cell(rostered, "employee", MON - dt.timedelta(1), shifts["night"])])
    assert again.warnings == []


def test_week_flags_short_rest_after_the_sunday_night_before(rostered, shifts, actor_of):
    manager = actor_of("manager")
    services.roster_set(actor=manager, cells=[cell(rostered, "employee", MON - dt.timedelta(days=1), shifts["night"]),
                                              cell(rostered, "employee", MON, shifts["day"])])
    week = selectors.roster_week(manager, people=selectors.team_people(manager), start=MON)
    row = next(r for r in week.rows if r.person.pk == emp(rostered, "employee").pk)
    assert row.cells[0].rest_short == 2.0 and row.breaches == 1


# ---------------------------------------------------------------- setting cells


def test_manager_plans_their_tree_and_nothing_else(rostered, shifts, actor_of):
    manager = actor_of("manager")
    with pytest.raises(InvalidInput) as exc:
        services.roster_set(actor=manager, cells=[cell(rostered, "employee", MON, shifts["day"]),
                                                  cell(rostered, "outsider", MON, shifts["day"])])
    assert [r["index"] for r in exc.value.extra["rejected"]] == [1]
    assert "employee_id" in exc.value.extra["rejected"][0]["errors"]
    assert not RosterEntry.objects.exists()  # one bad cell, nothing written

    result = services.roster_set(actor=manager, partial=True, cells=[
        cell(rostered, "employee", MON, shifts["day"]), cell(rostered, "outsider", MON, shifts["day"])])
    assert (result.saved, [r["index"] for r in result.rejected]) == (1, [1])
    assert RosterEntry.objects.get().employee == emp(rostered, "employee")


def test_lead_plans_employee_but_not_mentor(rostered, shifts, actor_of):
    lead = actor_of("lead")
    services.roster_set(actor=lead, cells=[cell(rostered, "employee", MON, shifts["day"])])
    with pytest.raises(InvalidInput):
        services.roster_set(actor=lead, cells=[cell(rostered, "mentor", MON, shifts["day"])])


@pytest.mark.parametrize("persona", ["employee", "mentor", "admin", "outsider"])
def test_people_without_reports_plan_no_roster(rostered, shifts, actor_of, persona):
    with pytest.raises(PermissionDenied):
        services.roster_set(actor=actor_of(persona), cells=[cell(rostered, "employee", MON, shifts["day"])])


def test_each_cell_is_checked(rostered, shifts, actor_of):
    shifts["late"].is_active = False
    shifts["late"].save()
    cells = [
        cell(rostered, "employee", MON - dt.timedelta(days=8), shifts["day"]),   # 2026-10-25: before the window
        cell(rostered, "employee", dt.date(2027, 5, 4), shifts["day"]),          # the day after 26 weeks
        cell(rostered, "employee", MON, shifts["late"]),                         # inactive shift
        cell(rostered, "employee", MON + dt.timedelta(1), None),                 # a rest day: fine
        cell(rostered, "employee", MON + dt.timedelta(1), shifts["day"]),        # the same cell twice
        cell(rostered, "employee", dt.date(2027, 5, 3), shifts["day"]),          # the last day: fine
        cell(rostered, "employee", MON - dt.timedelta(days=7), shifts["day"]),   # 7 days back: fine
    ]
    result = services.roster_set(actor=actor_of("manager"), cells=cells, partial=True)
    assert {r["index"]: sorted(r["errors"]) for r in result.rejected} == {
        0: ["date"], 1: ["date"], 2: ["shift_id"], 4: ["date"]}
    assert result.saved == 3
    assert RosterEntry.objects.get(date=MON + dt.timedelta(1)).shift is None


def test_clear_removes_a_cell_and_setting_again_replaces_it(rostered, shifts, actor_of):
    manager = actor_of("manager")
    services.roster_set(actor=manager, cells=[cell(rostered, "employee", MON, shifts["day"])])
    services.roster_set(actor=manager, cells=[cell(rostered, "employee", MON, shifts["night"])])
    assert RosterEntry.objects.get().shift == shifts["night"]
    services.roster_set(actor=manager, cells=[cell(rostered, "employee", MON, clear=True)])
    assert not RosterEntry.objects.exists()


# ---------------------------------------------------------------- copy a week


def test_copy_week_copies_and_reports_what_it_skipped(rostered, shifts, actor_of):
    manager = actor_of("manager")
    # Last week: employee day Mon, night Tue, rest Wed; mentor late Mon.
    services.roster_set(actor=manager, cells=[
        cell(rostered, "employee", PREV, shifts["day"]), cell(rostered, "employee", PREV + dt.timedelta(1),
                                                              shifts["night"]),
        cell(rostered, "employee", PREV + dt.timedelta(2), None), cell(rostered, "mentor", PREV, shifts["late"])])
    # This week the employee's Monday is already planned as night: kept, reported.
    services.roster_set(actor=manager, cells=[cell(rostered, "employee", MON, shifts["night"])])
    people = [emp(rostered, "employee"), emp(rostered, "mentor")]
    report = services.roster_copy_week(manager, people=people, from_week=PREV + dt.timedelta(3), to_week=MON)
    e, m = (p.pk for p in people)
    assert report.copied == {e: 2, m: 1}
    assert report.skipped == {e: [{"date": MON, "reason": "already planned"}], m: []}
    got = dict(RosterEntry.objects.filter(date__gte=MON).values_list("employee_id", "date").order_by()
               .values_list("date", "shift__code").filter(employee_id=e))
    assert got == {MON: "night", MON + dt.timedelta(1): "night", MON + dt.timedelta(2): None}

    # With overwrite, Monday becomes the day shift of last Monday.
    report = services.roster_copy_week(manager, people=people, from_week=PREV, to_week=MON, overwrite=True)
    assert report.copied == {e: 3, m: 1} and report.total_skipped == 0
    assert RosterEntry.objects.get(employee_id=e, date=MON).shift == shifts["day"]


def test_copy_week_skips_inactive_shifts_and_refuses_other_teams(rostered, shifts, actor_of):
    manager = actor_of("manager")
    services.roster_set(actor=manager, cells=[cell(rostered, "employee", PREV, shifts["late"])])
    shift_services.shift_set_active(actor=actor_of("hr"), shift=shifts["late"], active=False)
    report = services.roster_copy_week(manager, people=[emp(rostered, "employee")], from_week=PREV, to_week=MON)
    assert report.total_copied == 0 and "late" in report.skipped[emp(rostered, "employee").pk][0]["reason"]
    with pytest.raises(InvalidInput):
        services.roster_copy_week(manager, people=[emp(rostered, "outsider")], from_week=PREV, to_week=MON)
    with pytest.raises(InvalidInput):
        services.roster_copy_week(manager, people=[emp(rostered, "employee")], from_week=MON, to_week=MON)


def test_copy_week_is_a_constant_number_of_queries(rostered, shifts, actor_of, django_assert_max_num_queries):
    manager = actor_of("manager")
    people = [emp(rostered, n) for n in ("employee", "mentor", "lead")]
    services.roster_set(actor=manager, cells=[services.Cell(p.pk, PREV + dt.timedelta(d), shifts["day"].pk)
                                              for p in people for d in range(7)])
    # savepoint, plannable check, shifts, target cells, source cells, one upsert, release
    with django_assert_max_num_queries(8):
        report = services.roster_copy_week(manager, people=people, from_week=PREV, to_week=MON)
    assert report.total_copied == 21


# ---------------------------------------------------------------- who is short


def test_shortfall_against_the_minimum_staffing(rostered, shifts, actor_of):
    manager = actor_of("manager")
    services.shift_requirement_set(actor=manager, org_unit=rostered.platform, shift=shifts["night"],
                                   weekdays=[0, 1], min_people=2)
    # Monday: employee and mentor on night -> 2 of 2; Tuesday: only the lead -> 1 of 2, one short.
    services.roster_set(actor=manager, cells=[
        cell(rostered, "employee", MON, shifts["night"]), cell(rostered, "mentor", MON, shifts["night"]),
        cell(rostered, "lead", MON + dt.timedelta(1), shifts["night"])])
    week = selectors.roster_week(manager, people=selectors.team_people(manager, unit=rostered.platform), start=MON,
                                 unit=rostered.platform)
    columns = {d: (missing, [(s.shift.code, s.planned, s.required) for s in needs]) for d, needs, missing in
               week.day_columns}
    assert columns[MON] == (0, [("night", 2, 2)])
    assert columns[MON + dt.timedelta(1)] == (1, [("night", 1, 2)])
    assert columns[MON + dt.timedelta(2)] == (0, [])
    assert week.short_days == 1

    # 0 removes the rule; the outsider's unit is not the manager's to staff.
    services.shift_requirement_set(actor=manager, org_unit=rostered.platform, shift=shifts["night"],
                                   weekdays=[1], min_people=0)
    assert list(ShiftRequirement.objects.values_list("weekday", flat=True)) == [0]
    with pytest.raises(PermissionDenied):
        services.shift_requirement_set(actor=manager, org_unit=rostered.sales, shift=shifts["night"],
                                       weekdays=[1], min_people=1)
    with pytest.raises(InvalidInput):
        services.shift_requirement_set(actor=manager, org_unit=rostered.platform, shift=shifts["night"],
                                       weekdays=[7], min_people=1)


def test_my_roster_shows_my_next_weeks(rostered, shifts, actor_of):
    services.roster_set(actor=actor_of("lead"), cells=[cell(rostered, "employee", MON, shifts["night"])])
    days = selectors.my_roster(actor_of("employee"), start=MON, weeks=4)
    assert len(days) == 28
    assert (days[0].date, days[0].shift) == (MON, shifts["night"])
    assert all(d.shift is None for d in days[1:])


# ---------------------------------------------------------------- shifts


def shift_data(**kw):
    data = {"code": "early", "name": "早班", "kind": "fixed", "start": dt.time(6), "end": dt.time(14),
            "break_minutes": 30}
    return {**data, **kw}


def test_hr_creates_a_shift_and_nobody_else(world, actor_of):
    shift = shift_services.shift_save(actor=actor_of("hr"), **shift_data())
    assert (shift.code, shift.grace_minutes, shift.min_rest_hours) == ("early", 5, 11)
    for persona in ("manager", "admin", "employee"):
        with pytest.raises(PermissionDenied):
            shift_services.shift_save(actor=actor_of(persona), **shift_data(code="x"))


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "flexible"}, "required_minutes"),  # flexible needs the minutes
    ({"kind": "flexible", "required_minutes": 420}, "core_start"),  # and a core time
    # 06:00–14:00 is 480 minutes less 30 break: at most 450 required
    ({"kind": "flexible", "required_minutes": 451, "core_start": dt.time(9), "core_end": dt.time(12)},
     "required_minutes"),
    ({"kind": "flexible", "required_minutes": 420, "core_start": dt.time(13), "core_end": dt.time(15)}, "core_end"),
    ({"kind": "flexible", "required_minutes": 420, "core_start": dt.time(12), "core_end": dt.time(10)}, "core_end"),
    ({"break_minutes": 480}, "break_minutes"),  # not shorter than the 480-minute span
    ({"end": dt.time(6)}, "end"),
    ({"late_absent_minutes": 5}, "late_absent_minutes"),  # not beyond the 5 minutes' grace
    ({"min_rest_hours": 25}, "min_rest_hours"),
    ({"color": "red"}, "color"),
    ({"code": "a b"}, "code"),
])
def test_shift_rules(world, actor_of, changes, field):
    with pytest.raises(InvalidInput) as exc:
        shift_services.shift_save(actor=actor_of("hr"), **shift_data(**changes))
    assert field in exc.value.errors
    assert not Shift.objects.exists()


def test_flexible_night_shift_with_core_time_after_midnight(world, actor_of):
    # 20:00–08:00 spans 720 minutes; core 23:00–02:00 lies inside it (offsets 180 and 360).
    shift = shift_services.shift_save(actor=actor_of("hr"), **shift_data(
        code="flex-night", kind="flexible", start=dt.time(20), end=dt.time(8), required_minutes=480,
        core_start=dt.time(23), core_end=dt.time(2)))
    assert shift.crosses_midnight and shift.core_end == dt.time(2)


def test_codes_are_unique_and_a_shift_in_use_is_only_deactivated(rostered, shifts, actor_of):
    hr = actor_of("hr")
    with pytest.raises(InvalidInput) as exc:
        shift_services.shift_save(actor=hr, **shift_data(code="DAY"))
    assert "code" in exc.value.errors
    services.roster_set(actor=actor_of("manager"), cells=[cell(rostered, "employee", MON, shifts["day"])])
    with pytest.raises(Conflict):
        shift_services.shift_delete(actor=hr, shift=shifts["day"])
    shift_services.shift_set_active(actor=hr, shift=shifts["day"], active=False)
    assert RosterEntry.objects.get().shift == shifts["day"]  # the plan stays
    shift_services.shift_delete(actor=hr, shift=shifts["late"])  # never used: gone
    assert not Shift.objects.filter(code="late").exists()


def test_schedule_assignment_and_history(world, shifts, actor_of):
    hr = actor_of("hr")
    first = shift_services.work_schedule_assign(actor=hr, org_unit=world.platform, kind="fixed", shift=shifts["day"],
                                                effective_from=dt.date(2026, 1, 1))
    shift_services.work_schedule_assign(actor=hr, org_unit=world.platform, kind="roster",
                                        effective_from=dt.date(2026, 12, 1))
    # The same target and date again replaces that row.
    again = shift_services.work_schedule_assign(actor=hr, org_unit=world.platform, kind="fixed",
                                                shift=shifts["late"], effective_from=dt.date(2026, 1, 1))
    assert again.pk == first.pk and WorkSchedule.objects.count() == 2
    with pytest.raises(InvalidInput) as exc:
        shift_services.work_schedule_assign(actor=hr, employee=emp(world, "employee"), kind="fixed",
                                            effective_from=MON)
    assert "shift" in exc.value.errors
    with pytest.raises(InvalidInput):
        shift_services.work_schedule_assign(actor=hr, kind="roster", effective_from=MON)
    with pytest.raises(PermissionDenied):
        shift_services.work_schedule_assign(actor=actor_of("manager"), employee=emp(world, "employee"),
                                            kind="roster", effective_from=MON)
