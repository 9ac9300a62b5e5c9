"""The foundation benchmarks: seeding a company and listing its people, on SQLite or PostgreSQL.

    python -m tests.bench.run --out docs/benchmarks            # 10,000 employees (make bench)
    python -m tests.bench.run --scale small --out var/bench    # 1,000 employees (make bench-ci)

It works on a database of its own: a temporary SQLite file, or — when ``DATABASE_URL`` points at
PostgreSQL — a fresh database (the URL's database name when it contains "bench", otherwise
``talentloop_bench``) that is dropped first and again at the end. It runs with the production
settings (DEBUG off), migrates, then measures

* ``talentloop seed --employees N`` as a separate process: wall time and employees/second;
* the people page ``GET /people/`` as HR and ``GET /api/v1/employees`` with a Bearer token at page
  sizes 25/50/200, through Django's test client (the same middleware, session, auth and
  templates a browser or integrator goes through): median and p95 over ``--requests`` requests,
  and the SQL queries per request, which must not depend on the page size;

and writes ``foundation-<engine>.json`` (``foundation-<engine>-small.json`` at small scale) with
the engine and its version, sizes, git commit, date, Python and machine, and the figures.
Then, on the same database, the performance benchmarks of :mod:`tests.bench.performance`
(ingestion through the API, recomputation of a month, latency with a worker) write
``performance-<engine>.json``; ``--only foundation`` or ``--only performance`` runs one part, and
``--only ingest`` the ingestion alone (on the largest company of the scale, or ``--employees``, with last
month's facts loaded) into ``performance-ingest-<engine>.json``. The
mobile-app benchmarks of :mod:`tests.bench.mobile` (home pages, page weight, gunicorn + Locust) write
``mobile-<engine>.json`` (``--only mobile``).
The clock import of :mod:`tests.bench.clock_import` (1,000,000 machine punches through the import service)
writes ``clock-import-<engine>.json`` (``--only clock-import``).
Clocking in through gunicorn of :mod:`tests.bench.clock` (50 clock-ins a second with 10,000,000 stored events)
writes ``clock-<engine>.json`` (``--only clock``).
The monthly attendance summaries of :mod:`tests.bench.attendance_summary` (100,000 people, 4,000,000 punches)
write ``attendance-summary-<engine>.json`` (``--only attendance-summary``).
A monthly payroll run of :mod:`tests.bench.payroll` (10,000 then 100,000 people) writes
``payroll-<engine>.json`` (``--only payroll``).
The connectors of :mod:`tests.bench.connectors` (10,000 outbound deliveries, 1,000 inbound events a second,
an event to the score) write ``connectors-<engine>.json`` (``--only connectors``).
The exit status is 1 when a response is not 200 or a query count varies with the page size, and
also when a time target is missed with ``--strict``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
SCALES = {"full": 10_000, "small": 1_000}
SEED = 1
SEED_TARGET_SECONDS = 30.0  # for 10,000 employees on SQLite
LIST_TARGET_MS = 50.0  # median, at 10,000 employees
PG_DEFAULT_BENCH_DB = "talentloop_bench"


# ---------------------------------------------------------------- environment


def _pg_target(url: str) -> tuple[str, str]:
    """The benchmark database URL and name: never the database a developer works in."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or PG_DEFAULT_BENCH_DB
    if "bench" not in name:
        name = PG_DEFAULT_BENCH_DB
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def _prepare_environment(workdir: Path, settings_module: str = "talentloop.config.settings.prod") -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        TALENTLOOP_VAR_DIR=str(workdir),
        TALENTLOOP_SECRET_KEY=secrets.token_urlsafe(50),
        TALENTLOOP_ENCRYPTION_KEYS="bench:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        TALENTLOOP_SSL_REDIRECT="0",
        TALENTLOOP_ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
        TALENTLOOP_LOG_LEVEL="WARNING",
    )
    for key in ("TALENTLOOP_REDIS_URL", "TALENTLOOP_DEMO", "TALENTLOOP_SQLITE_PATH"):
        env.pop(key, None)
    if env.get("DATABASE_URL"):
        url, name = _pg_target(env["DATABASE_URL"])
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(url, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = url
    else:
        env["TALENTLOOP_SQLITE_PATH"] = str(workdir / "bench.sqlite3")
        env["TALENTLOOP_ALLOW_SQLITE"] = "1"  # production settings on SQLite, on purpose
    return env


def _talentloop(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Run a ``talentloop`` command as its own process; return the wall time and its output."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "talentloop.cli", *args], env=env, cwd=REPO,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"talentloop {' '.join(args)} failed with exit code {proc.returncode}")
    return elapsed, proc.stdout


def _git(*args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True)
        return proc.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _machine() -> dict:
    info = {"cores": os.cpu_count(), "platform": platform.platform(), "cpu": platform.processor() or ""}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return info


def _common(vendor: str, version: str) -> dict:
    """What every benchmark report records about the run."""
    import django

    return {
        "engine": {"vendor": vendor, "version": version},
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": _machine(),
        "settings": f"{os.environ.get('DJANGO_SETTINGS_MODULE')} (DEBUG off), Django test client, one process",
    }


# ---------------------------------------------------------------- measuring requests


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _measure(client, name: str, path: str, *, requests: int, headers: dict[str, str], page_size: int,
             target: bool, group: str, same_queries_as: str = "") -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm-up: template loading, first connection, caches
        response = client.get(path, **headers)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, **headers)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            break
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **headers)
    body = response.content
    rows = None
    if response.get("Content-Type", "").startswith("application/json") and response.status_code == 200:
        rows = len(json.loads(body)["items"])
    elif response.status_code == 200:
        rows = len(re.findall(rb'<a class="person"', body))
    median = statistics.median(times)
    return {
        "name": name, "group": group, "same_queries_as": same_queries_as, "path": path,
        "page_size": page_size, "status": response.status_code,
        "requests": len(times), "rows": rows, "bytes": len(body), "queries": len(ctx.captured_queries),
        "median_ms": round(median, 2), "p95_ms": round(_percentile(times, 95), 2),
        "min_ms": round(min(times), 2), "max_ms": round(max(times), 2),
        "target_ms": LIST_TARGET_MS if target else None,
        "meets_target": (median < LIST_TARGET_MS) if target else None,
    }


def _measure_requests(requests: int) -> tuple[list[dict], dict]:
    from django.test import Client

    from talentloop.accounts.models import User
    from talentloop.accounts.services import api_token_create
    from talentloop.core.access import actor_for
    from talentloop.organisation.models import Employee

    total = Employee.objects.count()
    hr = User.objects.get(username="hr")
    manager = User.objects.get(username="manager")
    _token, hr_secret = api_token_create(actor=actor_for(hr), user=hr, name="bench", scope="read")
    _token, manager_secret = api_token_create(actor=actor_for(manager), user=manager, name="bench",
                                              scope="read")
    web = Client()
    web.force_login(hr)
    manager_web = Client()
    manager_web.force_login(manager)
    api = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {hr_secret}"}
    manager_bearer = {"HTTP_AUTHORIZATION": f"Bearer {manager_secret}"}
    middle_page = max(1, total // 25 // 2)
    middle_offset = total // 2
    htmx = {"HTTP_HX_REQUEST": "true"}
    m = _measure
    results = [
        m(web, "people page, first page (HR)", "/people/", requests=requests, headers={}, page_size=25,
          target=True, group="web", same_queries_as="web"),
        m(web, "people page, middle page (HR)", f"/people/?page={middle_page}", requests=requests, headers={},
          page_size=25, target=True, group="web", same_queries_as="web"),
        m(web, "people page, htmx partial (HR)", f"/people/?page={middle_page}", requests=requests,
          headers=htmx, page_size=25, target=True, group="web"),
        m(manager_web, "people page, first page (manager's tree)", "/people/", requests=requests, headers={},
          page_size=25, target=False, group="web"),
    ]
    for limit in (25, 50, 200):
        results.append(m(api, f"API employees limit={limit} (HR)", f"/api/v1/employees?limit={limit}",
                         requests=requests, headers=bearer, page_size=limit, target=True, group="api",
                         same_queries_as="api"))
    results.append(m(api, "API employees limit=50, middle offset (HR)",
                     f"/api/v1/employees?limit=50&offset={middle_offset}", requests=requests, headers=bearer,
                     page_size=50, target=True, group="api", same_queries_as="api"))
    results.append(m(api, "API employees limit=50 (manager's tree)", "/api/v1/employees?limit=50",
                     requests=requests, headers=manager_bearer, page_size=50, target=False, group="api"))
    results.append(m(api, "API employees limit=50, search (HR)", "/api/v1/employees?limit=50&search=wang",
                     requests=requests, headers=bearer, page_size=50, target=False, group="api"))
    checks = {
        "all_ok": all(r["status"] == 200 for r in results),
        "web_queries": sorted({r["queries"] for r in results if r["same_queries_as"] == "web"}),
        "api_queries": sorted({r["queries"] for r in results if r["same_queries_as"] == "api"}),
    }
    checks["queries_constant"] = len(checks["web_queries"]) == 1 and len(checks["api_queries"]) == 1
    return results, checks


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="directory for the JSON results")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--employees", type=int, default=None, help="override the company size")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per case")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a time target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--only", choices=("all", "foundation", "performance", "ingest", "mentoring", "mobile",
                                           "clock-import", "clock", "attendance-summary", "payroll", "connectors"),
                        default="all",
                        help="run one part of the benchmarks")
    parser.add_argument("--settings", default="talentloop.config.settings.prod",
                        help="Django settings module (default: the production settings)")
    args = parser.parse_args(argv)
    employees = args.employees or SCALES[args.scale]
    foundation = args.only in ("all", "foundation")
    perf = args.only in ("all", "performance")
    ingest_part = args.only == "ingest"  # part of "performance"; alone for measuring the ingest only
    ment = args.only in ("all", "mentoring")
    mobile_part = args.only in ("all", "mobile")
    clock_part = args.only in ("all", "clock-import")
    clocking = args.only in ("all", "clock")
    summaries_part = args.only in ("all", "attendance-summary")
    payroll_part = args.only in ("all", "payroll")
    connectors_part = args.only in ("all", "connectors")

    workdir = Path(tempfile.mkdtemp(prefix="talentloop-bench-"))
    env = _prepare_environment(workdir, args.settings)
    os.environ.update(env)  # the in-process part below uses the same database and settings
    print(f"Benchmark database: {env.get('DATABASE_URL') or env['TALENTLOOP_SQLITE_PATH']}")
    if args.keep:
        keep = {k: v for k, v in env.items() if k.startswith(("TALENTLOOP_", "DJANGO_", "DATABASE_URL"))}
        (workdir / "bench-env.json").write_text(json.dumps(keep, indent=2))
        print(f"Keeping it; its settings are in {workdir / 'bench-env.json'}")
    try:
        migrate_s, _out = _talentloop(env, "migrate", "--no-input", "-v", "0")
        print(f"migrated in {migrate_s:.1f} s")
        if foundation:
            print(f"seeding {employees:,} employees…")
            seed_s, seed_out = _talentloop(env, "seed", "--employees", str(employees), "--seed", str(SEED),
                                           "--no-performance")
            reported = re.search(r"finished in ([\d.]+) s: ([\d,]+) employees/second", seed_out)
            print(seed_out.strip())

        import django

        django.setup()
        from django.db import connection

        from talentloop.accounts.models import User
        from talentloop.organisation.models import Employee, EmploymentEvent, OrgUnit

        vendor = connection.vendor
        if vendor == "sqlite":
            import sqlite3

            version = sqlite3.sqlite_version
        else:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
        if foundation:
            sizes = {"employees": Employee.objects.count(), "org_units": OrgUnit.objects.count(),
                     "accounts": User.objects.count(), "employment_events": EmploymentEvent.objects.count()}
            print(f"measuring {args.requests} requests per case on {vendor} {version}…")
            results, checks = _measure_requests(args.requests)
        if perf:
            from tests.bench import performance

            print(f"performance benchmarks on {vendor} {version}…")
            perf_report, perf_ok = performance.run(env=env, scale=args.scale, workdir=workdir,
                                                   talentloop=_talentloop, common=_common(vendor, version))
        if ingest_part:
            from tests.bench import performance

            print(f"ingest benchmark on {vendor} {version}…")
            ingest_report, ingest_ok = performance.run_ingest(
                env=env, scale=args.scale, workdir=workdir, talentloop=_talentloop, common=_common(vendor, version),
                employees=args.employees)
        if ment:
            from tests.bench import mentoring

            print(f"mentoring benchmarks on {vendor} {version}…")
            ment_report, ment_ok = mentoring.run(env=env, scale=args.scale, workdir=workdir,
                                                 talentloop=_talentloop, common=_common(vendor, version))
        if mobile_part:
            from tests.bench import mobile

            print(f"mobile app benchmarks on {vendor} {version}…")
            mobile_report, mobile_ok = mobile.run(env=env, scale=args.scale, workdir=workdir,
                                                  talentloop=_talentloop, common=_common(vendor, version))
        if clock_part:
            from tests.bench import clock_import

            print(f"clock import benchmark on {vendor} {version}…")
            clock_report, clock_ok = clock_import.run(env=env, scale=args.scale, workdir=workdir,
                                                      talentloop=_talentloop, common=_common(vendor, version))
        if clocking:
            from tests.bench import clock

            print(f"clocking benchmark on {vendor} {version}…")
            clocking_report, clocking_ok = clock.run(env=env, scale=args.scale, workdir=workdir,
                                                     talentloop=_talentloop, common=_common(vendor, version))
        if summaries_part:
            from tests.bench import attendance_summary

            print(f"attendance summary benchmark on {vendor} {version}…")
            summaries_report, summaries_ok = attendance_summary.run(
                env=env, scale=args.scale, workdir=workdir, talentloop=_talentloop, common=_common(vendor, version))
        if payroll_part:
            from tests.bench import payroll

            print(f"payroll benchmark on {vendor} {version}…")
            payroll_report, payroll_ok = payroll.run(
                env=env, scale=args.scale, workdir=workdir, talentloop=_talentloop, common=_common(vendor, version))
        if connectors_part:
            from tests.bench import connectors

            print(f"connector benchmarks on {vendor} {version}…")
            connectors_report, connectors_ok = connectors.run(
                env=env, scale=args.scale, workdir=workdir, talentloop=_talentloop, common=_common(vendor, version))
        connection.close()
    finally:
        if env.get("DATABASE_URL") and not args.keep:
            from django.db import connections

            connections.close_all()
            url, name = _pg_target(env["DATABASE_URL"])
            _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    failed = False
    if perf:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"performance-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(perf_report, indent=2, ensure_ascii=False) + "\n")
        print(f"Performance results written to {path}")
        failed = args.strict and not perf_ok
    if ingest_part:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"performance-ingest-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(ingest_report, indent=2, ensure_ascii=False) + "\n")
        print(f"Ingest results written to {path}")
        failed = failed or (args.strict and not ingest_ok)
    if ment:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"mentoring-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(ment_report, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"Mentoring results written to {path}")
        failed = failed or (args.strict and not ment_ok)
    if mobile_part:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"mobile-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(mobile_report, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"Mobile results written to {path}")
        failed = failed or (args.strict and not mobile_ok)
    if clock_part:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"clock-import-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(clock_report, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"Clock import results written to {path}")
        failed = failed or (args.strict and not clock_ok)
    if clocking:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"clock-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(clocking_report, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"Clocking results written to {path}")
        failed = failed or (args.strict and not clocking_ok)
    if summaries_part:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"attendance-summary-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(summaries_report, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"Attendance summary results written to {path}")
        failed = failed or (args.strict and not summaries_ok)
    if payroll_part:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"payroll-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(payroll_report, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"Payroll results written to {path}")
        failed = failed or (args.strict and not payroll_ok)
    if connectors_part:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"connectors-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
        path.write_text(json.dumps(connectors_report, indent=2, ensure_ascii=False, default=str) + "\n")
        print(f"Connector results written to {path}")
        failed = failed or (args.strict and not connectors_ok)
    if not foundation:
        return 1 if failed else 0

    seed_rate = employees / seed_s
    seed = {
        "command": f"talentloop seed --employees {employees} --seed {SEED} --no-performance",
        "employees": employees,
        "wall_seconds": round(seed_s, 2),
        "rate_employees_per_second": round(seed_rate),
        "reported_seconds": float(reported.group(1)) if reported else None,
        "reported_rate_employees_per_second": int(reported.group(2).replace(",", "")) if reported else None,
        "target_seconds": SEED_TARGET_SECONDS if employees == SCALES["full"] and vendor == "sqlite" else None,
    }
    seed["meets_target"] = seed_s < SEED_TARGET_SECONDS if seed["target_seconds"] else None
    import django as _django

    report = {
        "benchmark": "foundation",
        "scale": args.scale,
        "engine": {"vendor": vendor, "version": version},
        "sizes": sizes,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "django": _django.get_version(),
        "machine": _machine(),
        "settings": "talentloop.config.settings.prod (DEBUG off), Django test client, one process",
        "migrate_seconds": round(migrate_s, 2),
        "seed": seed,
        "requests": results,
        "checks": checks,
        "targets": {
            "seed_10k_sqlite_seconds": SEED_TARGET_SECONDS,
            "list_median_ms_at_10k": LIST_TARGET_MS,
            "note": "time targets apply at 10,000 employees (scale 'full'); the page size of /people/ is "
                    "fixed at 25",
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = f"-{employees}" if args.employees else ("" if args.scale == "full" else f"-{args.scale}")
    path = args.out / f"foundation-{vendor}{suffix}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print()
    print(f"Talentloop foundation benchmark — {vendor} {version}, {sizes['employees']:,} employees, "
          f"{os.cpu_count()} cores, commit {report['git_commit'][:10]}")
    print(f"  seed: {seed['wall_seconds']:.2f} s wall ({seed['rate_employees_per_second']:,} employees/s)"
          + (f"  target < {SEED_TARGET_SECONDS:.0f} s: {'ok' if seed['meets_target'] else 'MISSED'}"
             if seed["target_seconds"] else ""))
    print(f"  {'case':<48} {'rows':>5} {'queries':>7} {'median':>9} {'p95':>9}")
    for r in results:
        flag = ""
        if r["target_ms"] and employees >= SCALES["full"]:
            flag = "ok" if r["meets_target"] else "MISSED"
        print(f"  {r['name']:<48} {r['rows'] if r['rows'] is not None else '-':>5} {r['queries']:>7} "
              f"{r['median_ms']:>7.1f}ms {r['p95_ms']:>7.1f}ms  {flag}")
    print(f"  queries per request constant across page sizes: {checks['queries_constant']} "
          f"(web {checks['web_queries']}, API {checks['api_queries']})")
    print(f"Results written to {path}")

    failed = failed or not checks["all_ok"] or not checks["queries_constant"]
    if args.strict and employees >= SCALES["full"]:
        failed = failed or any(r["meets_target"] is False for r in results) or seed["meets_target"] is False
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
