"""A monthly payroll run (issue 13): 100,000 employees in under 60 seconds on SQLite and PostgreSQL,
linear in the number of people.

The company is inserted as raw rows (``core.db.insert_rows``, COPY on PostgreSQL): one pay group in
Shanghai; per person a contract, a salary structure of three components with the amounts encrypted as
shipped (base in the wage and social-insurance base, a non-taxable meal allowance, a taxable transport
allowance) plus a performance formula component every person gets (``if(rating >= 4, base * 0.1, 0)``),
the attendance of November imported (every tenth person one day of unpaid leave and 6 hours of overtime),
a children's education declaration for every third person, and the 11 earlier months of the year as
locked runs whose payslips carry each person's year to date (their lines are not seeded: the run reads
the year to date from the payslips). The December run is then calculated through
``payroll.services.runs.payroll_run_calculate`` — the service the page, the API and ``talentloop
run-payroll`` call — first with the first 10,000 people (the group's first size), then after adding the
rest, with 100,000; each size is calculated twice (a first calculation, then one that replaces it).
The December run is then locked and its bank file (CSV and Excel) and IIT withholding sheet built
(``payroll.exports.build``, under 10 s each at 100,000), and a person opens their payslip page through
the test client, freshly re-authenticated (under 50 ms at the median).

    python -m tests.bench.run --only payroll --out docs/benchmarks            # 10,000 then 100,000
    python -m tests.bench.run --only payroll --scale small --out var/bench    # 500 then 2,000 (CI)
    python -m tests.bench.payroll --scale small --out var/bench               # on its own

Results go to ``payroll-<engine>.json`` (``-small`` at small scale).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from tests.bench.rows import insert_people, standalone

SCALES = {"full": {"sizes": [10_000, 100_000]}, "small": {"sizes": [500, 2_000]}}
TARGET_SECONDS = 60.0  # at 100,000 employees
EXPORT_TARGET_SECONDS = 10.0  # the bank file and the IIT sheet at 100,000
PAGE_TARGET_MS = 50.0  # the payslip page, median
SEED = 13
YEAR = 2025  # the social-insurance data cover it to its end (Shanghai 2025-07 to 2026-06)
MONTH = dt.date(YEAR, 12, 1)
GROUP = "bench-monthly"
CITY = "shanghai"
HIRED = dt.date(2020, 3, 1)


def _setup():
    """The org unit, job family, pay group, components and the 11 locked runs of the year."""
    from talentloop.organisation.models import JobFamily, OrgUnit
    from talentloop.payroll.models import PayGroup, PayrollRun, RunKind, RunState, SalaryComponent

    unit = OrgUnit.objects.create(code=GROUP, name="薪资基准", name_en="Payroll benchmark")
    OrgUnit.objects.filter(pk=unit.pk).update(path=f"/{unit.pk}/")
    family = JobFamily.objects.create(code=GROUP, name="基准", name_en="Benchmark")
    group = PayGroup.objects.create(key=GROUP, name="月薪", name_en="Monthly staff")
    components = {
        "base": SalaryComponent.objects.create(key="base", name="基本工资", name_en="Base salary", order=10,
                                               in_wage_base=True, in_social_insurance_base=True),
        "meal": SalaryComponent.objects.create(key="meal", name="餐补", name_en="Meal allowance", order=20,
                                               taxable=False),
        "transport": SalaryComponent.objects.create(key="transport", name="交通补贴", name_en="Transport", order=30),
    }
    SalaryComponent.objects.create(key="performance", name="绩效奖金", name_en="Performance bonus", order=40,
                                   formula="if(rating >= 4, base * 0.1, 0)")
    now = dt.datetime.now(dt.UTC)
    runs = {}
    for month in range(1, 12):
        runs[month] = PayrollRun.objects.create(
            pay_group=group, month=dt.date(YEAR, month, 1), kind=RunKind.REGULAR, state=RunState.LOCKED,
            locked_at=now, calculations=1)
    return unit, family, group, components, runs


def _base(i: int) -> Decimal:
    return Decimal(6000 + (i * 37) % 40000)


def seed(*, first: int, count: int, unit, family, components, runs, rng: random.Random) -> dict:
    """People ``first`` .. ``first + count - 1`` with everything a December run reads."""
    from django.db import connection, transaction

    from talentloop.core import crypto
    from talentloop.core.db import insert_rows
    from talentloop.organisation.models import EmploymentContract
    from talentloop.payroll.models import AttendanceFigures, Payslip, SalaryItem, SalaryStructure, TaxDeclaration
    from talentloop.payroll.rules.iit import tax_from_table
    from talentloop.payroll.services import iit_rules

    ops = connection.ops
    now = ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    date = ops.adapt_datefield_value
    with transaction.atomic():
        ids = insert_people(unit=unit, family=family, count=count, prefix=f"PY{first}-", label="薪资",
                            hire_date=HIRED, sensitive=True)
        insert_rows(EmploymentContract, (
            "employee_id", "effective_from", "start_date", "end_date", "term", "working_hours", "comprehensive_period",
            "probation_end", "pay_group", "social_insurance_city", "notice_period_days", "note", "recorded_at"),
            ((pk, date(HIRED), date(HIRED), None, "open_ended", "standard", "", None, GROUP, CITY, 30, "", now)
             for pk in ids))
        insert_rows(SalaryStructure, ("employee_id", "effective_from", "note", "recorded_at"),
                    ((pk, date(dt.date(YEAR, 1, 1)), "", now) for pk in ids))
        structures = dict(SalaryStructure.objects.filter(employee__org_unit=unit).values_list("employee_id", "pk"))
        table = SalaryItem._meta.db_table
        uid_field = SalaryItem._meta.get_field("row_uid")

        def items() -> Iterator[tuple]:
            for n, pk in enumerate(ids):
                i = first + n
                for key, amount in (("base", _base(i)), ("meal", Decimal(500)), ("transport", Decimal(300))):
                    uid = uuid.uuid4()
                    token = crypto.encrypt(f"{amount:.2f}", crypto.aad_for(table, "amount", uid))
                    yield (structures[pk], components[key].pk, token, uid_field.get_db_prep_save(uid, connection))

        item_count = insert_rows(SalaryItem, ("structure_id", "component_id", "amount", "row_uid"), items())
        november = date(dt.date(YEAR, 11, 1))
        insert_rows(AttendanceFigures, (
            "employee_id", "month", "scheduled_days", "unpaid_leave_days", "sick_days", "overtime_hours_150",
            "overtime_hours_200", "overtime_hours_300", "imported_at"),
            ((pk, november, Decimal(21), Decimal(1 if n % 10 == 0 else 0), Decimal(0),
              Decimal(6 if n % 10 == 0 else 0), Decimal(0), Decimal(0), now) for n, pk in enumerate(ids)))
        declarations = insert_rows(TaxDeclaration, (
            "employee_id", "kind", "start", "share_percent", "dependent", "only_child", "elderly_split", "sharers",
            "months_already_used", "first_home", "premarital_home", "source", "recorded_at"),
            ((pk, "children_education", date(dt.date(2024, 9, 1)), Decimal(100), "child", True, "", 1, 0, True,
              False, "employee", now) for n, pk in enumerate(ids) if n % 3 == 0))

        table = iit_rules().for_date(MONTH).comprehensive_table

        def payslips() -> Iterator[tuple]:
            # Each month's withholding by the cumulative method on the annual table, so December
            # continues the year as the earlier runs left it.
            for n, pk in enumerate(ids):
                base = _base(first + n)
                si = (base * Decimal("0.105")).quantize(Decimal("0.01"))
                hf = (base * Decimal("0.07")).quantize(Decimal("1"))
                gross = base + 800
                withheld = Decimal(0)
                for m, run in runs.items():
                    cumulative = tax_from_table(table, (gross - 500 - 5000 - si - hf) * m).tax
                    tax = max(cumulative - withheld, Decimal(0))
                    withheld += tax
                    net = gross - si - hf - tax
                    published = ops.adapt_datetimefield_value(dt.datetime(YEAR, m, 25, tzinfo=dt.UTC))
                    yield (run.pk, pk, date(run.month), base, 1, gross, 0, gross - 500, tax, 0, si, hf, 0, net, 0,
                           base * Decimal("0.3"), gross + base * Decimal("0.3"), m, gross * m, Decimal(500) * m,
                           (si + hf) * m, 0, 0, withheld, False, False, False, "[]", "", "[]", False, 0, 0, published)

        from talentloop.payroll.services.runs import PAYSLIP_COLUMNS

        slip_count = insert_rows(Payslip, [*PAYSLIP_COLUMNS, "published_at"], payslips())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"people": count, "salary_items": item_count, "tax_declarations": declarations,
            "earlier_payslips": slip_count}


def _calculate(run) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from talentloop.payroll.models import PayrollLine
    from talentloop.payroll.services.runs import payroll_run_calculate

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        t0, c0 = time.perf_counter(), time.process_time()
        result = payroll_run_calculate(actor=None, run=run)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    lines = PayrollLine.objects.filter(payslip__run=run).count()
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "people": result.people,
            "refused": result.refused, "lines": lines, "lines_per_person": round(lines / max(result.people, 1), 1),
            "queries": len(queries.captured_queries)}


def run(*, env: dict, scale: str, workdir: Path, talentloop: Callable, common: dict) -> tuple[dict, bool]:
    from django.db import connection

    from talentloop.payroll.models import Payslip
    from talentloop.payroll.services.runs import payroll_run_create

    cfg = SCALES[scale]
    rng = random.Random(SEED)
    unit, family, group, components, runs = _setup()
    december = payroll_run_create(actor=None, pay_group=group, month=MONTH)
    measured = []
    seeded = 0
    for size in cfg["sizes"]:
        t0 = time.perf_counter()
        sizes = seed(first=seeded, count=size - seeded, unit=unit, family=family, components=components, runs=runs,
                     rng=rng)
        seeded = size
        print(f"  seeded {size:,} people in all ({sizes}) in {time.perf_counter() - t0:.1f} s")
        for name in ("calculate", "calculate again"):
            figures = _calculate(december) | {"name": name, "size": size}
            measured.append(figures)
            print(f"  {size:,} people, {name}: {figures['seconds']:.2f} s wall, {figures['cpu_seconds']:.2f} s CPU, "
                  f"{figures['lines']:,} lines ({figures['lines_per_person']} a person), {figures['refused']} refused, "
                  f"{figures['queries']} queries")
    exports_measured = _exports(december)
    payslip_page = _payslip_page(december)
    sample = Payslip.objects.filter(run=december).order_by("employee_id").values(
        "gross", "iit", "net", "ytd_months", "ytd_income", "ytd_tax").first()
    largest = [m for m in measured if m["size"] == cfg["sizes"][-1]]
    smallest = [m for m in measured if m["size"] == cfg["sizes"][0]]
    per_person = [min(m["seconds"] for m in ms) / ms[0]["size"] for ms in (smallest, largest)]
    correct = all(m["refused"] == 0 and m["people"] == m["size"] for m in measured) and sample is not None \
        and sample["ytd_months"] == 12
    full = scale == "full"
    worst = max(m["seconds"] for m in largest)
    report = {"benchmark": "payroll", "scale": scale, **common, "month": MONTH.strftime("%Y-%m"),
              "sizes": cfg["sizes"], "runs": measured,
              "per_person_ms": [round(x * 1000, 3) for x in per_person],
              "linearity_ratio": round(per_person[1] / per_person[0], 2),
              "sample_payslip": {k: str(v) for k, v in (sample or {}).items()},
              "exports": exports_measured, "payslip_page": payslip_page,
              "correct": correct, "target_seconds": TARGET_SECONDS if full else None,
              "meets_target": (worst < TARGET_SECONDS) if full else None,
              "load_average_at_end": list(os.getloadavg()),
              "note": "wall time on a shared machine; cpu_seconds is this process's CPU time, which on SQLite "
                      "includes the database's own work; the earlier months' lines are not seeded"}
    if connection.vendor == "sqlite":
        report["note"] += "; SQLite runs inside this process"
    exports_ok = all(e["seconds"] < EXPORT_TARGET_SECONDS for e in exports_measured) if full else True
    page_ok = payslip_page["median_ms"] < PAGE_TARGET_MS if full else True
    report["meets_export_target"] = exports_ok if full else None
    report["meets_page_target"] = page_ok if full else None
    return report, correct and report["meets_target"] is not False and exports_ok and page_ok


def _exports(run) -> list[dict]:
    """The bank file and the IIT sheet of the locked run, each built twice (the best is kept): the
    function the download page and the API call, without its access check and audit entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from talentloop.payroll import exports
    from talentloop.payroll.models import PayrollRun, Payslip, RunState

    now = timezone.now()
    PayrollRun.objects.filter(pk=run.pk).update(state=RunState.LOCKED, locked_at=now)
    Payslip.objects.filter(run=run, refusal="").update(published_at=now)
    run.refresh_from_db()
    out = []
    for kind, fmt in (("bank", "csv"), ("bank", "xlsx"), ("iit", "xlsx")):
        best = float("inf")
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                built = exports.build(kind, run, fmt=fmt)
                best = min(best, time.perf_counter() - t0)
        out.append({"kind": kind, "format": fmt, "people": built.people, "bytes": len(built.content),
                    "seconds": round(best, 2), "queries": len(queries.captured_queries)})
        print(f"  export {kind} ({fmt}): {built.people:,} people, {len(built.content):,} bytes in {best:.2f} s, "
              f"{len(queries.captured_queries)} queries")
    return out


def _payslip_page(run, requests: int = 60) -> dict:
    """A person opens their payslip on the phone (signed in, freshly re-authenticated), through the
    test client: the same middleware, session, access checks, audit and template."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from talentloop.accounts import reauth
    from talentloop.accounts.models import User
    from talentloop.organisation.models import Employee
    from talentloop.payroll.models import Payslip

    slip = Payslip.objects.filter(run=run, refusal="").order_by("employee_id").first()
    user = User.objects.create(username="bench-payslip", display_name="Bench")
    Employee.objects.filter(pk=slip.employee_id).update(user=user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[reauth.SESSION_KEY] = {"user": user.pk, "at": time.time()}
    session.save()
    url = f"/payroll/payslips/{slip.pk}/"
    times = []
    for _attempt in range(requests):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    median = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    print(f"  payslip page: median {median:.1f} ms, p95 {p95:.1f} ms over {requests} requests, "
          f"{len(queries.captured_queries)} queries")
    return {"url": "/payroll/payslips/<id>/", "requests": requests, "median_ms": round(median, 1),
            "p95_ms": round(p95, 1), "queries": len(queries.captured_queries)}


def main(argv: list[str] | None = None) -> int:
    return standalone(name="payroll", prog="python -m tests.bench.payroll", scales=SCALES, run=run, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
