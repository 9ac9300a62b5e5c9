"""The demo company's time (``talentloop demo``, after the organisation): a year of attendance with
the patterns of each kind of work, leave taken and pending, overtime around a release, and an open
current month with exceptions for HR to fix.

* work sites: the head office in Shanghai and the factory in Beijing, each with its office network;
* the factory lines on rotating shifts (early 06:00–14:00, late 14:00–22:00 and night 22:00–06:00,
  crossing midnight), planned by roster a week at a time, punching on the line's attendance machine;
* R&D on flexible hours with core time 10:00–16:00; everyone else on the standard 09:00–18:00 day;
* sales in the field, clocking from customers' sites outside the geofences with a reason;
* now and then someone late, leaving early, forgetting a punch or absent;
* overtime around a release of the platform team, approved, one weekend day as time off in lieu;
* missed punches corrected through requests, one still waiting for the manager.

The raw positions are only on the last 30 days, as the retention rule keeps them. Facts from the past
are written as the facts they would have been (in bulk); everything from the reference date on goes
through the services. Deterministic for a seed and reference date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.attendance.calendar import Calendar, dates
from talentloop.attendance.models import (
    AttendancePolicy,
    ClockEvent,
    ClockImport,
    Correction,
    MonthLock,
    MonthlySummary,
    OvertimeRequest,
    RosterEntry,
    Shift,
    SummaryAdjustment,
    WorkSchedule,
    WorkSite,
)
from talentloop.attendance.services.corrections import correction_submit
from talentloop.attendance.services.overtime import overtime_submit
from talentloop.attendance.services.summaries import summaries_build, summaries_lock
from talentloop.core.access import actor_for
from talentloop.core.db import insert_rows
from talentloop.core.errors import DomainError
from talentloop.leave.models import LeaveType
from talentloop.leave.services.accrual import leave_accrue
from talentloop.leave.services.requests import leave_request_decide, leave_request_submit
from talentloop.organisation.models import Employee, EmploymentContract, OrgUnit

HQ = ("总部（上海张江）", "Head office (Shanghai Zhangjiang)", Decimal("31.204000"), Decimal("121.590000"), 300,
      "10.10.0.0/16")
FACTORY = ("北京工厂", "Beijing factory", Decimal("39.795000"), Decimal("116.506000"), 500, "10.20.0.0/16")
# (code, name, English name, kind, start, end, break minutes, core start, core end, required minutes)
SHIFTS = (
    ("standard", "标准班", "Standard day", "fixed", "09:00", "18:00", 60, None, None, None),
    ("flex", "弹性班", "Flexible day", "flexible", "07:00", "21:00", 60, "10:00", "16:00", 480),
    ("early", "早班", "Early shift", "fixed", "06:00", "14:00", 30, None, None, None),
    ("late", "中班", "Late shift", "fixed", "14:00", "22:00", 30, None, None, None),
    ("night", "夜班", "Night shift", "fixed", "22:00", "06:00", 30, None, None, None),
)
FIELD_REASONS = ("拜访客户：华润万家采购部", "客户现场演示", "参加行业展会", "陪同客户验收", "拜访经销商")
MISSED_REASONS = ("忘记打卡", "手机没电，到岗时未能打卡", "门禁考勤机故障")


@dataclass
class TimeDemoResult:
    sites: int = 0
    shifts: int = 0
    roster_days: int = 0
    events: int = 0
    overtime: int = 0
    corrections: int = 0
    leave_taken: int = 0
    leave_pending: int = 0
    months_locked: int = 0
    extra: list[str] = field(default_factory=list)


def time_loaded() -> bool:
    return WorkSite.objects.exists()


def wipe_time() -> None:
    """Attendance rows of people go with them (cascade); the organisation-wide rows (month locks,
    settings) are removed here. The official calendar and the leave types are the product's own data
    and stay."""
    for model in (ClockEvent, Correction, OvertimeRequest, RosterEntry, WorkSchedule, MonthlySummary,
                  SummaryAdjustment, MonthLock, ClockImport):
        model.objects.all().delete()
    Shift.objects.all().delete()
    WorkSite.objects.all().delete()
    AttendancePolicy.objects.all().delete()


def summary(result: TimeDemoResult) -> str:
    return (f"Loaded the demo time: {result.sites} work sites, {result.shifts} shifts, {result.roster_days} "
            f"roster days, {result.events:,} clock events, {result.overtime} overtime requests, "
            f"{result.corrections} corrections, {result.leave_taken} leave requests taken and "
            f"{result.leave_pending} pending, {result.months_locked} months locked"
            + "".join(f", {x}" for x in result.extra) + ".")


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _unit_people(codes: tuple[str, ...]) -> list[Employee]:
    units = OrgUnit.objects.filter(code__in=codes)
    q = None
    for unit in units:
        part = Employee.objects.filter(org_unit__path__startswith=unit.path)
        q = part if q is None else q | part
    return list(q.filter(status="active").order_by("id")) if q is not None else []


def _setup(result: TimeDemoResult) -> dict:
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
    factory_unit = OrgUnit.objects.filter(code="factory").first() or root
    hq = WorkSite.objects.create(org_unit=root, name=HQ[0], name_en=HQ[1], latitude=HQ[2], longitude=HQ[3],
                                 radius_m=HQ[4], networks=HQ[5])
    factory = WorkSite.objects.create(org_unit=factory_unit, name=FACTORY[0], name_en=FACTORY[1],
                                      latitude=FACTORY[2], longitude=FACTORY[3], radius_m=FACTORY[4],
                                      networks=FACTORY[5])
    result.sites = 2
    shifts = {}
    for code, name, name_en, kind, start, end, brk, core_s, core_e, req in SHIFTS:
        shifts[code] = Shift.objects.create(
            code=code, name=name, name_en=name_en, kind=kind, start=_time(start), end=_time(end),
            break_minutes=brk, core_start=_time(core_s) if core_s else None,
            core_end=_time(core_e) if core_e else None, required_minutes=req)
    result.shifts = len(shifts)
    AttendancePolicy.objects.create(default_shift=shifts["standard"])
    return {"root": root, "hq": hq, "factory": factory, "factory_unit": factory_unit, "shifts": shifts}


def _schedules(ctx: dict, start: dt.date) -> None:
    shifts = ctx["shifts"]
    WorkSchedule.objects.create(org_unit=ctx["root"], kind="fixed", shift=shifts["standard"], site=ctx["hq"],
                                effective_from=start)
    rnd = OrgUnit.objects.filter(code="rnd").first()
    if rnd is not None:
        WorkSchedule.objects.create(org_unit=rnd, kind="fixed", shift=shifts["flex"], site=ctx["hq"],
                                    effective_from=start)
    WorkSchedule.objects.create(org_unit=ctx["factory_unit"], kind="roster", site=ctx["factory"],
                                effective_from=start)


def _contracts(people: list[Employee], factory_ids: set[int], rnd_ids: set[int], rng: random.Random) -> None:
    rows = []
    for person in people:
        start = person.hire_date
        fixed = rng.random() < 0.7
        rows.append(EmploymentContract(
            employee=person, effective_from=start, start_date=start,
            end_date=start.replace(year=start.year + 3) - dt.timedelta(days=1) if fixed else None,
            term="fixed" if fixed else "open_ended",
            working_hours="comprehensive" if person.pk in factory_ids else "standard",
            comprehensive_period="month" if person.pk in factory_ids else "",
            probation_end=start + dt.timedelta(days=90) if fixed else None,
            pay_group="factory" if person.pk in factory_ids else ("rnd" if person.pk in rnd_ids else "office"),
            social_insurance_city="北京" if person.pk in factory_ids else "上海", notice_period_days=30))
    EmploymentContract.objects.bulk_create(rows, batch_size=1000)


def _rotation(index: int, week: int) -> str:
    """Three crews rotate early → late → night week by week."""
    return ("early", "late", "night")[(index + week) % 3]


def _rosters(ctx: dict, factory: list[Employee], start: dt.date, end: dt.date, result: TimeDemoResult) -> None:
    shifts = ctx["shifts"]
    rows = []
    for i, person in enumerate(factory):
        crew = i % 3
        for day in dates(max(start, person.hire_date), end):
            # five days on, two off, the crews' weeks staggered so the line always runs; a crew changes
            # shift only after its two rest days
            shifted = day.toordinal() + 6 + crew * 2
            week = shifted // 7
            if shifted % 7 in (5, 6):
                rows.append((person.pk, day, None))
            else:
                rows.append((person.pk, day, shifts[_rotation(crew, week)].pk))
    now = timezone.now()
    result.roster_days = insert_rows(RosterEntry, ("employee_id", "date", "shift_id", "planned_at"),
                                     ((p, d, s, now) for p, d, s in rows))


def _at(day: dt.date, clock: dt.time, minutes: int, tz: ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(day, clock, tzinfo=tz) + dt.timedelta(minutes=minutes)
    return local.astimezone(dt.UTC)


def _events(ctx: dict, people: list[Employee], kinds: dict[int, str], roster: dict[tuple[int, dt.date], str],
            away: set[tuple[int, dt.date]], start: dt.date, end: dt.date, rng: random.Random,
            result: TimeDemoResult) -> list[tuple[int, dt.date]]:
    """Clock events of every planned day up to ``end``; returns the days someone forgot a punch."""
    tz = ZoneInfo(settings.TIME_ZONE)
    shifts = ctx["shifts"]
    calendar = Calendar(start, end)
    raw_from = end - dt.timedelta(days=29)
    hq, factory = ctx["hq"], ctx["factory"]
    forgotten: list[tuple[int, dt.date]] = []
    now = timezone.now()
    columns = ("employee_id", "at", "work_date", "direction", "source", "device", "external_id", "site_id",
               "via_network", "distance_m", "outside", "reason", "latitude", "longitude", "accuracy_m",
               "recorded_at")

    def rows():
        for person in people:
            kind = kinds[person.pk]
            for day in dates(max(start, person.hire_date), end):
                if kind == "factory":
                    code = roster.get((person.pk, day))
                    if code is None:
                        continue
                elif not calendar.is_workday(day):
                    continue
                else:
                    code = "flex" if kind == "rnd" else "standard"
                if (person.pk, day) in away:
                    continue
                shift = shifts[code]
                roll = rng.random()
                if roll < 0.008:
                    continue  # absent
                if kind == "rnd":
                    arrive = rng.randint(-150, 70)  # around 09:30 with core time from 10:00
                    base_in, base_out = _time("09:30"), _time("18:30")
                else:
                    base_in, base_out = shift.start, shift.end
                    arrive = rng.randint(-25, -1) if roll > 0.09 else rng.randint(1, 25)
                    if roll < 0.012:
                        arrive = rng.randint(130, 200)  # late enough to count as half a day absent
                leave = rng.randint(0, 40) if rng.random() > 0.05 else -rng.randint(5, 60)
                if kind == "rnd":
                    leave = arrive + rng.randint(-20, 60)
                end_day = day + dt.timedelta(days=1) if shift.end <= shift.start and kind == "factory" else day
                t_in = _at(day, base_in, arrive, tz)
                t_out = _at(end_day, base_out, leave, tz)
                outside = kind == "sales" and rng.random() < 0.35
                for direction, moment in (("in", t_in), ("out", t_out)):
                    if direction == "out" and rng.random() < 0.008:
                        forgotten.append((person.pk, day))
                        continue
                    if kind == "factory":
                        punch = f"{person.employee_number}|{moment.isoformat()}|{direction}|L1"
                        key = hashlib.sha256(punch.encode()).hexdigest()
                        yield (person.pk, moment, day, "punch", "device", "北京工厂 1号考勤机", key[:40], factory.pk,
                               False, None, False, "", None, None, None, now)
                        continue
                    raw = day >= raw_from
                    if outside:
                        lat = Decimal("31.230400") + Decimal(rng.randint(-400, 400)) / 10000
                        lon = Decimal("121.473700") + Decimal(rng.randint(-400, 400)) / 10000
                        yield (person.pk, moment, day, direction, "phone", "", "", None, False,
                               rng.randint(3000, 30000), True, rng.choice(FIELD_REASONS),
                               lat if raw else None, lon if raw else None, 25 if raw else None, now)
                    else:
                        lat = hq.latitude + Decimal(rng.randint(-8, 8)) / 10000
                        lon = hq.longitude + Decimal(rng.randint(-8, 8)) / 10000
                        yield (person.pk, moment, day, direction, "phone", "", "", hq.pk, False, None, False, "",
                               lat if raw else None, lon if raw else None, 15 if raw else None, now)

    result.events = insert_rows(ClockEvent, columns, rows())
    return forgotten


def _overtime(ctx: dict, platform: list[Employee], ref: dt.date, rng: random.Random, result: TimeDemoResult) -> None:
    """A release five weeks before the reference date: three evenings and the Saturday before it."""
    tz = ZoneInfo(settings.TIME_ZONE)
    release = ref - dt.timedelta(days=35)
    while release.weekday() != 4:  # the Friday
        release -= dt.timedelta(days=1)
    saturday = release - dt.timedelta(days=6)
    calendar = Calendar(saturday, release)
    rows = []
    approver = None
    for person in platform[:8]:
        approver = person.manager
        for day in (release - dt.timedelta(days=2), release - dt.timedelta(days=1), release):
            if not calendar.is_workday(day):
                continue
            start = _at(day, _time("18:30"), 0, tz)
            minutes = rng.choice((90, 120, 150))
            rows.append(OvertimeRequest(
                employee=person, kind="before", work_date=day, start=start, end=start + dt.timedelta(minutes=minutes),
                minutes=minutes, day_class="workday", multiplier=Decimal("1.5"), compensation="pay",
                reason="版本发布前联调与回归测试", status="approved",
                decided_by=approver.user if approver and approver.user_id else None,
                decided_at=start - dt.timedelta(hours=6)))
        if calendar.kind(saturday) == "rest":
            start = _at(saturday, _time("10:00"), 0, tz)
            rows.append(OvertimeRequest(
                employee=person, kind="before", work_date=saturday, start=start,
                end=start + dt.timedelta(hours=6), minutes=360, day_class="rest", multiplier=Decimal("2.0"),
                compensation="in_lieu" if person.pk % 2 else "pay", reason="发布前的周末压测",
                status="approved", decided_by=approver.user if approver and approver.user_id else None,
                decided_at=start - dt.timedelta(days=1)))
    OvertimeRequest.objects.bulk_create(rows)
    result.overtime = len(rows)


def _corrections(forgotten: list[tuple[int, dt.date]], people: dict[int, Employee], ref: dt.date,
                 rng: random.Random, result: TimeDemoResult) -> None:
    """Most forgotten punches of the past were corrected (approved, with the event they added); the
    recent ones are still open for the person, one waits for the manager."""
    tz = ZoneInfo(settings.TIME_ZONE)
    recent = ref - dt.timedelta(days=10)
    for person_id, day in forgotten:
        if day >= recent:
            continue
        person = people[person_id]
        moment = _at(day, _time("18:05"), rng.randint(0, 30), tz)
        approver = person.manager
        correction = Correction.objects.create(
            employee=person, work_date=day, at=moment, direction="out", reason=rng.choice(MISSED_REASONS),
            status="approved", decided_by=approver.user if approver and approver.user_id else None,
            decided_at=moment + dt.timedelta(days=1))
        ClockEvent.objects.create(employee=person, at=moment, work_date=day, direction="out", source="correction",
                                  correction=correction)
        result.corrections += 1


def _leave_plan(people: list[Employee], kinds: dict[int, str], start: dt.date, end: dt.date,
                rng: random.Random) -> list[tuple[Employee, str, dt.date, dt.date, str, str]]:
    """Leave of the office people over the past year: one to three stints of annual leave, now and
    then a sick day or a half day of personal leave. (person, type code, start, end, end half, reason)"""
    calendar = Calendar(start, end)
    workdays = [d for d in dates(start, end) if calendar.is_workday(d)]
    plan = []
    for person in people:
        if kinds[person.pk] == "factory":
            continue
        mine = [d for d in workdays if d >= person.hire_date + dt.timedelta(days=400)]
        if len(mine) < 30:
            continue
        taken: set[dt.date] = set()
        for _ in range(rng.randint(1, 3)):
            first = rng.randrange(len(mine) - 3)
            days = mine[first:first + rng.randint(1, 3)]
            if taken & set(days) or days[0].year != days[-1].year:
                continue
            taken |= set(days)
            plan.append((person, "annual", days[0], days[-1], "pm", "休年假，外出旅行"))
        if rng.random() < 0.25:
            day = rng.choice(mine)
            if day not in taken:
                taken.add(day)
                plan.append((person, "sick", day, day, "pm", "感冒发烧，在家休息"))
        if rng.random() < 0.1:
            day = rng.choice(mine)
            if day not in taken:
                plan.append((person, "personal", day, day, "am", "家中有事"))
    return plan


def _actor(user: User | None):
    return actor_for(user) if user is not None else None


def _leave(plan: list, ref: dt.date, result: TimeDemoResult) -> None:
    """The year's grants by the accrual job, then each stint of leave asked for by HR on the person's
    behalf (it is in the past) and decided by each step's approver, as the pages would have done."""
    hr = _actor(User.objects.filter(username="hr").first())
    types = {t.code: t for t in LeaveType.objects.all()}
    leave_accrue(as_of=dt.date(ref.year - 1, 1, 1))
    plan = sorted(plan, key=lambda item: item[2])
    accrued_this_year = False
    for person, code, first, last, end_half, reason in plan:
        if first.year == ref.year and not accrued_this_year:
            leave_accrue(as_of=dt.date(ref.year, 1, 1))
            accrued_this_year = True
        if code not in types or hr is None:
            continue
        try:
            request = leave_request_submit(hr, leave_type=types[code], start=first, end=last,
                                           end_half=end_half if code == "personal" else "pm", reason=reason,
                                           employee=person)
            for _step in range(3):
                if request.status != "pending":
                    break
                step = request.steps.filter(decision="").order_by("order").first()
                approver = hr if step is None or step.role == "hr" or step.approver is None else _actor(
                    step.approver.user)
                request = leave_request_decide(approver or hr, request=request, decision="approved")
            result.leave_taken += request.status == "approved"
        except DomainError:
            continue  # over the balance or overlapping: the person would not have been allowed either
    leave_accrue(as_of=ref)


def _pending(ref: dt.date, result: TimeDemoResult) -> None:
    """What waits now: the named employee's leave next week and a correction of yesterday's missed
    punch, a colleague's overtime for the coming Saturday — each through the services, so the
    manager's inbox holds the requests."""
    tz = ZoneInfo(settings.TIME_ZONE)
    employee_user = User.objects.filter(username="employee").first()
    me = _actor(employee_user)
    if me is None or me.employee is None:
        return
    annual = LeaveType.objects.filter(code="annual").first()
    calendar = Calendar(ref, ref + dt.timedelta(days=30))
    days = [d for d in dates(ref + dt.timedelta(days=7), ref + dt.timedelta(days=30)) if calendar.is_workday(d)]
    try:
        if annual is not None and len(days) >= 2:
            leave_request_submit(me, leave_type=annual, start=days[0], end=days[1], reason="回老家探亲")
            result.leave_pending += 1
        yesterday = ref - dt.timedelta(days=1)
        while not Calendar(yesterday, yesterday).is_workday(yesterday):
            yesterday -= dt.timedelta(days=1)
        missed = dt.datetime.combine(yesterday, dt.time(8, 56), tzinfo=tz)
        if not ClockEvent.objects.filter(employee=me.employee, work_date=yesterday, direction="in").exists():
            correction_submit(actor=me, work_date=yesterday, at=missed, direction="in",
                              reason="手机没电，到岗时未能打卡")
            result.corrections += 1
        saturday = ref + dt.timedelta(days=(5 - ref.weekday()) % 7 or 7)
        if calendar.kind(saturday) == "rest":
            start = dt.datetime.combine(saturday, dt.time(10, 0), tzinfo=tz)
            overtime_submit(actor=me, kind="before", start=start, end=start + dt.timedelta(hours=4),
                            reason="配合客户上线，周六值守")
            result.overtime += 1
    except DomainError:
        pass


def _summaries(ref: dt.date, start: dt.date, result: TimeDemoResult) -> None:
    """Every month of the past year built and locked by HR; the current month built and left open."""
    hr = _actor(User.objects.filter(username="hr").first())
    month = start.replace(day=1)
    current = ref.replace(day=1)
    while month < current:
        summaries_build(month=month, today=ref)
        if hr is not None:
            summaries_lock(hr, month=month, today=ref)
            result.months_locked += 1
        month = (month + dt.timedelta(days=32)).replace(day=1)
    summaries_build(month=current, today=ref)


@transaction.atomic
def load_time(*, seed: int, reference_date: dt.date | None = None) -> TimeDemoResult:
    rng = random.Random(seed * 31 + 12)
    ref = reference_date or timezone.localdate()
    start = dt.date(ref.year - 1, ref.month, 1)
    end = ref - dt.timedelta(days=1)
    result = TimeDemoResult()
    ctx = _setup(result)
    _schedules(ctx, start)
    people = list(Employee.objects.filter(status="active").select_related("manager__user", "org_unit")
                  .order_by("id"))
    factory = _unit_people(("factory",))
    rnd = _unit_people(("rnd",))
    sales = _unit_people(("sales",))
    factory_ids, rnd_ids, sales_ids = {p.pk for p in factory}, {p.pk for p in rnd}, {p.pk for p in sales}
    kinds = {p.pk: "factory" if p.pk in factory_ids else "rnd" if p.pk in rnd_ids else
             "sales" if p.pk in sales_ids else "office" for p in people}
    # Contracts for everyone employed in the past year, leavers included (payroll pays their last months).
    leavers = list(Employee.objects.filter(status="terminated", termination_date__gte=start).order_by("id"))
    _contracts(people + leavers, factory_ids, rnd_ids, rng)
    _rosters(ctx, factory, start, ref + dt.timedelta(days=13), result)
    roster = {(p, d): code for p, d, code in RosterEntry.objects.filter(date__range=(start, end)).values_list(
        "employee_id", "date", "shift__code")}
    leave_plan = _leave_plan(people, kinds, start, end, rng)
    away = {(p.pk, d) for p, _code, first, last, *_rest in leave_plan for d in dates(first, last)}
    forgotten = _events(ctx, people, kinds, roster, away, start, end, rng, result)
    _overtime(ctx, _unit_people(("rnd-platform",)) or rnd, ref, rng, result)
    _corrections(forgotten, {p.pk: p for p in people}, ref, rng, result)
    _leave(leave_plan, ref, result)
    _pending(ref, result)
    _summaries(ref, start, result)
    return result
