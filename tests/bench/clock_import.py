"""Importing attendance-machine punches (issue 12): a CSV export of 1,000,000 rows (employee number,
timestamp, device) through ``attendance.services.imports.clock_import``, the same path as the page
and the API — read, every row checked (employee, timestamp, device, locked months), hashed, inserted
set-based — target ≥ 50,000 rows/s. Measured:

* the dry run (checks and the look-up of punches already there; writes nothing);
* the import into an empty clock-event table;
* the same file again (every row is a duplicate: nothing added);
* its dry run once the punches are stored (every row found there).

Each phase records its wall and CPU seconds (the process's, both threads of the import; on a local
PostgreSQL also the database backend's), rows/s against the target and the load average after it; the
report starts with the load average before the first phase (the machine is shared: wall time suffers
from other work, CPU time much less).

Run by ``tests/bench/run.py --only clock-import`` on the benchmark database (a SQLite file, or
PostgreSQL when ``DATABASE_URL`` is set); the company comes from ``talentloop seed`` when the
database has no employees yet. Small scale (``--scale small``, the CI mode): 50,000 rows. Results go
to ``clock-import-<engine>.json`` (``-small`` at small scale).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

SCALES = {"full": {"rows": 1_000_000, "employees": 2_000}, "small": {"rows": 50_000, "employees": 500}}
TARGET_ROWS_PER_SECOND = 50_000
SEED = 12
FIRST_DAY = dt.date(2025, 1, 6)
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)  # every generated punch lies before it


def write_file(path: Path, numbers: list[str], rows: int, rng: random.Random) -> int:
    """A machine export: two punches per person and working day (arrival around 08:50, departure
    around 18:10), people in turn, days in order, as the machines write them. Returns the bytes."""
    devices = ["大门-01", "大门-02", "车间-A", "车间-B", "研发楼-1F"]
    lines = ["工号,姓名,打卡时间,设备"]
    day, written = FIRST_DAY, 0
    while written < rows:
        if day.weekday() < 5:
            for i, number in enumerate(numbers):
                arrive = dt.datetime.combine(day, dt.time(8, 30)) + dt.timedelta(seconds=rng.randint(0, 2400))
                leave = dt.datetime.combine(day, dt.time(18, 0)) + dt.timedelta(seconds=rng.randint(0, 1800))
                device = devices[i % len(devices)]
                lines.append(f"{number},,{arrive:%Y-%m-%d %H:%M:%S},{device}")
                lines.append(f"{number},,{leave:%Y/%m/%d %H:%M:%S},{device}")
                written += 2
                if written >= rows:
                    break
        day += dt.timedelta(days=1)
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(data)
    return len(data)


def _timed(fn) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call. The import runs in this process (SQLite included), so on a
    machine shared with other work the CPU time is the better measure of the code itself."""
    started, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - started, time.process_time() - cpu, out


def _backend_cpu() -> Callable[[], float | None]:
    """The CPU seconds of this connection's PostgreSQL backend so far, when it runs on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def seconds() -> float | None:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return seconds


def run(*, env: dict, scale: str, workdir: Path, talentloop: Callable, common: dict) -> tuple[dict, bool]:
    import time_machine

    from talentloop.accounts.models import User
    from talentloop.attendance.models import ClockEvent, ClockImport
    from talentloop.attendance.services.imports import clock_import
    from talentloop.core.access import actor_for
    from talentloop.organisation.models import Employee

    cfg = SCALES[scale]
    if not Employee.objects.exists():
        print(f"  seeding {cfg['employees']:,} employees for the clock import…")
        talentloop(env, "seed", "--employees", str(cfg["employees"]), "--seed", "1", "--no-performance")
    # People employed over the whole period of the file (a punch before hiring or after leaving is refused).
    numbers = list(Employee.objects.filter(hire_date__lte=FIRST_DAY, termination_date__isnull=True).order_by("pk")
                   .values_list("employee_number", flat=True)[:cfg["employees"]])
    hr = User.objects.filter(role_assignments__role="hr", role_assignments__org_unit__isnull=True).first()
    assert hr is not None, "the seeded company has an HR account for the whole organisation"
    actor = actor_for(hr)
    path = workdir / "clock-import.csv"
    started = time.perf_counter()
    size = write_file(path, numbers, cfg["rows"], random.Random(SEED))
    generate_s = time.perf_counter() - started
    content = path.read_bytes()
    ClockEvent.objects.filter(source="device").delete()
    results: dict[str, dict] = {}
    load_before = [round(x, 2) for x in os.getloadavg()]
    backend_cpu = _backend_cpu()
    with time_machine.travel(NOW, tick=True):
        for name, dry_run in (("dry_run", True), ("import", False), ("import_again", False), ("dry_run_again", True)):
            db_before = backend_cpu()
            seconds, cpu, report = _timed(lambda dry=dry_run: clock_import(actor, file=content, file_name=path.name,
                                                                             dry_run=dry))
            db_after = backend_cpu()
            rate = report.rows / seconds
            results[name] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "rows": report.rows,
                             "added": report.added, "duplicates": report.duplicates, "rejected": report.rejected,
                             "rows_per_second": round(rate), "rows_per_cpu_second": round(report.rows / cpu),
                             "meets_target": rate >= TARGET_ROWS_PER_SECOND,
                             "load_average": round(os.getloadavg()[0], 2)}
            if db_before is not None and db_after is not None:
                results[name]["database_cpu_seconds"] = round(db_after - db_before, 2)
            print(f"  clock import {name}: {report.rows:,} rows in {seconds:.2f} s = {rate:,.0f} rows/s "
                  f"(CPU {cpu:.2f} s = {report.rows / cpu:,.0f} rows/s; added {report.added:,}, "
                  f"duplicates {report.duplicates:,}, rejected {report.rejected:,}; "
                  f"load {results[name]['load_average']})")
    events = ClockEvent.objects.filter(source="device").count()
    ok_counts = (results["import"]["added"] == cfg["rows"] and results["import_again"]["added"] == 0
                 and results["dry_run"]["added"] == cfg["rows"] and events == cfg["rows"]
                 and results["dry_run_again"]["duplicates"] == cfg["rows"])
    rate = results["import"]["rows_per_second"]
    report = {
        "benchmark": "clock-import", "scale": scale, **common,
        "sizes": {"rows": cfg["rows"], "file_bytes": size, "employees": len(numbers),
                  "clock_events_after": events, "imports_recorded": ClockImport.objects.count()},
        "generate_seconds": round(generate_s, 2),
        "load_average_before": load_before,
        "results": results,
        "target_rows_per_second": TARGET_ROWS_PER_SECOND,
        "meets_target": rate >= TARGET_ROWS_PER_SECOND,
        "counts_correct": ok_counts,
    }
    ClockEvent.objects.filter(source="device").delete()
    path.unlink(missing_ok=True)
    return report, ok_counts and report["meets_target"]
