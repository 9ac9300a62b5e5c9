"""The benefits demo area: four plans (meal allowance for everyone, an enterprise annuity after a
year, commercial health insurance, a transport allowance for sales), an enrolment window open around
the reference day for three of them, and enrolments: everyone in the meal allowance, most long-serving
people in the annuity, some in the health insurance. The demo ``employee`` is in the meal allowance
and the health insurance and may still join the annuity during the open window.

The area protocol of ``talentloop.demo.stack``: ``benefits_loaded()``, ``load_benefits(seed=,
reference_date=)`` (idempotent), ``summary(result)``, ``wipe_benefits()``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from talentloop.benefits.models import BenefitPlan, Enrolment, EnrolmentWindow
from talentloop.benefits.selectors import add_months, eligible_plans, month_start
from talentloop.organisation.models import Employee, EmploymentStatus, JobFamily

D = Decimal

# key, name, English name, kind, employer amount, employer rate, employee amount, employee rate, treatment,
# exempt cap, job family codes, lowest level, minimum tenure in months, window open now
PLANS = [
    (
        "meal",
        "餐补",
        "Meal allowance",
        "meal_allowance",
        D("400.00"),
        D(0),
        D(0),
        D(0),
        "taxable",
        None,
        [],
        None,
        0,
        False,
    ),
    (
        "annuity",
        "企业年金",
        "Enterprise annuity",
        "enterprise_annuity",
        D(0),
        D("5.00"),
        D(0),
        D("2.00"),
        "annuity",
        None,
        [],
        2,
        12,
        True,
    ),
    (
        "health",
        "商业健康保险",
        "Commercial health insurance",
        "commercial_health",
        D("100.00"),
        D(0),
        D("100.00"),
        D(0),
        "health_insurance",
        None,
        [],
        None,
        0,
        True,
    ),
    (
        "transport",
        "交通补贴",
        "Transport allowance",
        "transport_allowance",
        D("600.00"),
        D(0),
        D(0),
        D(0),
        "exempt_up_to_cap",
        D("500.00"),
        ["sales"],
        None,
        3,
        True,
    ),
]


@dataclass
class BenefitsDemoResult:
    plans: int = 0
    windows: int = 0
    enrolments: int = 0


def benefits_loaded() -> bool:
    return BenefitPlan.objects.exists()


def wipe_benefits() -> None:
    Enrolment.objects.all().delete()
    EnrolmentWindow.objects.all().delete()
    BenefitPlan.objects.all().delete()


def summary(result: BenefitsDemoResult) -> str:
    return (
        f"Loaded the benefits demo: {result.plans} plans, {result.windows} enrolment windows, "
        f"{result.enrolments} enrolments."
    )


@transaction.atomic
def load_benefits(*, seed: int = 1, reference_date: dt.date | None = None) -> BenefitsDemoResult:
    result = BenefitsDemoResult()
    if benefits_loaded():
        return result
    ref = reference_date or timezone.localdate()
    rng = random.Random(seed * 104729 + 13)
    families = {f.code: f for f in JobFamily.objects.all()}
    first = dt.date(ref.year - 1, 1, 1)
    plans: dict[str, BenefitPlan] = {}
    windows = []
    for (
        key,
        name,
        name_en,
        kind,
        er_amt,
        er_rate,
        ee_amt,
        ee_rate,
        treatment,
        cap,
        codes,
        level,
        tenure,
        open_now,
    ) in PLANS:
        plan = BenefitPlan.objects.create(
            key=key,
            name=name,
            name_en=name_en,
            kind=kind,
            employer_amount=er_amt,
            employer_rate=er_rate,
            employee_amount=ee_amt,
            employee_rate=ee_rate,
            tax_treatment=treatment,
            exempt_cap=cap,
            min_level=level,
            min_tenure_months=tenure,
            effective_from=first,
        )
        plan.job_families.set([families[c] for c in codes if c in families])
        plans[key] = plan
        # last year's window, and this one open around the reference day (or the next one to come)
        windows.append(
            EnrolmentWindow(plan=plan, opens_on=dt.date(ref.year - 1, 11, 1), closes_on=dt.date(ref.year - 1, 11, 30))
        )
        if open_now:
            windows.append(
                EnrolmentWindow(plan=plan, opens_on=ref - dt.timedelta(days=5), closes_on=ref + dt.timedelta(days=25))
            )
        else:
            windows.append(
                EnrolmentWindow(
                    plan=plan, opens_on=add_months(ref, 3), closes_on=add_months(ref, 3) + dt.timedelta(days=14)
                )
            )
    EnrolmentWindow.objects.bulk_create(windows)
    result.plans, result.windows = len(plans), len(windows)

    people = list(
        Employee.objects.exclude(status=EmploymentStatus.TERMINATED)
        .order_by("pk")
        .values_list("pk", "user__username", "hire_date")
    )
    eligible = eligible_plans([pk for pk, _u, _h in people], ref, plans=list(plans.values()))
    this_month = month_start(ref)
    rows = []
    for pk, username, hire_date in people:
        keys = {p.key for p in eligible.get(pk, [])}
        start = max(month_start(first), add_months(month_start(hire_date), 1))
        if start > this_month:
            continue
        chosen = ["meal"] if "meal" in keys else []
        if username == "employee":
            chosen += ["health"]  # the annuity stays for them to join on the phone
        else:
            if "annuity" in keys and rng.random() < 0.7:
                chosen.append("annuity")
            if "health" in keys and rng.random() < 0.4:
                chosen.append("health")
            if "transport" in keys:
                chosen.append("transport")
        rows += [Enrolment(employee_id=pk, plan=plans[k], start_month=start) for k in chosen]
    Enrolment.objects.bulk_create(rows, batch_size=500)
    result.enrolments = len(rows)
    return result
