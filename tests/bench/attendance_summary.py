"""Building the monthly attendance summaries (issue 12): 100,000 employees, 4,000,000 raw clock events
and 200,000 leave entries for November 2026, built by ``attendance.services.summaries.summaries_build``
from the raw events (one grouped query over the punches, the plans, the leave and the overtime read
once, each person-day judged in Python, the rows written set-based) — target under 60 seconds on
SQLite and on PostgreSQL.

The data are inserted as raw rows (``core.db.insert_rows``, COPY on PostgreSQL): one org unit with a
day shift 09:00–18:00, the people, two punches per person on 20 of the month's 21 workdays (arrival
08:30–09:20, departure 17:40–18:40, so some are late or leave early; each person misses one day), two
approved one-day leave requests per person (annual and personal, on the day they miss and on another
day) and an approved overtime request for every fourth person. The build is timed twice (the first
time into an empty month, the second replacing the rows) and its row count checked.

    python -m tests.bench.run --only attendance-summary --out docs/benchmarks            # full
    python -m tests.bench.run --only attendance-summary --scale small --out var/bench    # CI
    python -m tests.bench.attendance_summary --scale small --out var/bench               # on its own

Results go to ``attendance-summary-<engine>.json`` (``-small`` at small scale).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.bench.rows import insert_people, standalone

SCALES = {"full": {"employees": 100_000}, "small": {"employees": 2_000}}
TARGET_SECONDS = 60.0  # at 100,000 employees
SEED = 12
MONTH = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 12, 5)  # November is over
UNIT_CODE = "bench-attendance"


def _workdays() -> list[dt.date]:
    days = []
    day = MONTH
    while day.month == MONTH.month:
        if day.weekday() < 5:  # November 2026 has no official holiday or adjusted workday
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def seed(employees: int, rng: random.Random) -> dict:
    """Insert the company, punches, leave and overtime as raw rows; return the sizes."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection, transaction

    from talentloop.attendance.models import ClockEvent, OvertimeRequest, Shift, WorkSchedule
    from talentloop.core.db import insert_rows
    from talentloop.leave.models import LeaveRequest, LeaveType
    from talentloop.organisation.models import JobFamily, OrgUnit

    tz = ZoneInfo(settings.TIME_ZONE)
    ops = connection.ops
    now = dt.datetime.now(dt.UTC)
    workdays = _workdays()
    with transaction.atomic():
        unit = OrgUnit.objects.create(code=UNIT_CODE, name="考勤基准", name_en="Attendance benchmark")
        unit.path = f"/{unit.pk}/"  # the materialised path the organisation service writes
        OrgUnit.objects.filter(pk=unit.pk).update(path=unit.path)
        family = JobFamily.objects.create(code=UNIT_CODE, name="基准", name_en="Benchmark")
        shift = Shift.objects.create(code=UNIT_CODE, name="白班", start=dt.time(9), end=dt.time(18))
        WorkSchedule.objects.create(org_unit=unit, kind="fixed", shift=shift, effective_from=dt.date(2026, 1, 1))
        annual, personal = (LeaveType.objects.get_or_create(code=code, defaults={
            "name": name, "category": category, "counting": "workdays", "paid": paid})[0]
            for code, name, category, paid in (("bench-annual", "年假", "annual", True),
                                               ("bench-personal", "事假", "personal", False)))

        ids = insert_people(unit=unit, family=family, count=employees, prefix="BA", label="考勤",
                            hire_date=dt.date(2020, 1, 1))

        # Punches: two on 20 of the 21 workdays; the day missed rotates.
        event_cols = ("employee_id", "at", "work_date", "direction", "source", "device", "external_id",
                      "via_network", "outside", "reason", "recorded_at")
        recorded = ops.adapt_datetimefield_value(now)
        midnights = {d: dt.datetime.combine(d, dt.time(), tz).astimezone(dt.UTC) for d in workdays}
        missed: dict[int, dt.date] = {}

        def events() -> Iterator[tuple]:
            for n, person in enumerate(ids):
                skip = workdays[n % len(workdays)]
                missed[person] = skip
                for d in workdays:
                    if d == skip:
                        continue
                    midnight = midnights[d]
                    arrive = midnight + dt.timedelta(seconds=30600 + rng.randint(0, 3000))
                    leave = midnight + dt.timedelta(seconds=63600 + rng.randint(0, 3600))
                    date = ops.adapt_datefield_value(d)
                    yield (person, ops.adapt_datetimefield_value(arrive), date, "in", "device", "", "",
                           False, n % 50 == 0, "", recorded)
                    yield (person, ops.adapt_datetimefield_value(leave), date, "out", "device", "", "",
                           False, False, "", recorded)

        event_count = insert_rows(ClockEvent, event_cols, events())

        leave_cols = ("employee_id", "leave_type_id", "start", "end", "start_half", "end_half", "days", "reason",
                      "document", "status", "created_at")
        created = ops.adapt_datetimefield_value(now)

        def leave() -> Iterator[tuple]:
            for n, person in enumerate(ids):
                other = workdays[(n + 7) % len(workdays)]
                for kind, d in ((annual, missed[person]), (personal, other)):
                    day = ops.adapt_datefield_value(d)
                    yield (person, kind.pk, day, day, "am", "pm", 1, "", "", "approved", created)

        leave_count = insert_rows(LeaveRequest, leave_cols, leave())

        ot_cols = ("employee_id", "kind", "work_date", "start", "end", "minutes", "day_class", "multiplier",
                   "compensation", "cap_breach", "reason", "status", "decision_note", "created_at")

        def overtime() -> Iterator[tuple]:
            for person in ids[::4]:
                d = workdays[-1]
                start = midnights[d] + dt.timedelta(hours=19)
                yield (person, "before", ops.adapt_datefield_value(d), ops.adapt_datetimefield_value(start),
                       ops.adapt_datetimefield_value(start + dt.timedelta(hours=2)), 120, "workday", "1.5", "pay",
                       "", "release", "approved", "", created)

        overtime_count = insert_rows(OvertimeRequest, ot_cols, overtime())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"employees": employees, "clock_events": event_count, "leave_requests": leave_count,
            "leave_entries": leave_count, "overtime_requests": overtime_count, "workdays": len(workdays)}


def run(*, env: dict, scale: str, workdir: Path, talentloop: Callable, common: dict) -> tuple[dict, bool]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from talentloop.attendance.models import MonthlySummary
    from talentloop.attendance.services.summaries import summaries_build

    cfg = SCALES[scale]
    rng = random.Random(SEED)
    started = time.perf_counter()
    sizes = seed(cfg["employees"], rng)
    seed_s = time.perf_counter() - started
    print(f"  seeded {sizes['employees']:,} people, {sizes['clock_events']:,} clock events, "
          f"{sizes['leave_entries']:,} leave entries in {seed_s:.1f} s")
    runs = []
    for name in ("build", "rebuild"):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            t0, c0 = time.perf_counter(), time.process_time()
            result = summaries_build(month=MONTH, today=TODAY)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        runs.append({"name": name, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "people": result.people,
                     "queries": len(queries.captured_queries)})
        inside = " (SQLite runs inside it)" if connection.vendor == "sqlite" else ""
        print(f"  summaries {name}: {result.people:,} people in {seconds:.2f} s wall, {cpu:.2f} s CPU of this "
              f"process{inside} ({len(queries.captured_queries)} queries)")
    rows = MonthlySummary.objects.filter(month=MONTH, employee__org_unit__code=UNIT_CODE)
    built = rows.count()
    sample = rows.order_by("employee_id").values("scheduled_days", "worked_days", "absent_days", "leave").first()
    # Each person: 21 scheduled days, one missed and covered by annual leave, one on personal leave
    # with punches (a day of leave has no exception): absent 0, days worked 21 − 2 = 19.
    correct = built == cfg["employees"] and sample is not None and float(sample["absent_days"]) == 0 \
        and float(sample["worked_days"]) == 19
    best = min(r["seconds"] for r in runs)
    full = scale == "full"
    report = {"benchmark": "attendance-summary", "scale": scale, **common, "sizes": sizes,
              "seed_seconds": round(seed_s, 1), "month": MONTH.strftime("%Y-%m"), "runs": runs,
              "rows_built": built,
              "sample_row": {k: (v if k == "leave" else str(v)) for k, v in (sample or {}).items()},
              "counts_correct": correct, "target_seconds": TARGET_SECONDS if full else None,
              "meets_target": (max(r["seconds"] for r in runs) < TARGET_SECONDS) if full else None,
              "best_seconds": best,
              "load_average_at_end": list(os.getloadavg()),
              "note": "wall time on a shared machine; cpu_seconds is this process's CPU time, which on SQLite "
                      "includes the database's own work (on PostgreSQL the server's work is not in it)"}
    return report, correct and report["meets_target"] is not False


def main(argv: list[str] | None = None) -> int:
    return standalone(name="attendance-summary", prog="python -m tests.bench.attendance_summary", scales=SCALES,
                      run=run, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
