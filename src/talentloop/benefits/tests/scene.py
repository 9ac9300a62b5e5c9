"""A small benefits scene on top of the persona world, on a frozen day: 10 March 2026 in Shanghai.

- ``meal``: meal allowance, everyone, 300 from the company, taxable, window 1–31 March 2026;
- ``annuity``: enterprise annuity for software engineers at level 3 and above after 12 months,
  the company 8 % and the person 2 % of the base, window 1–31 March 2026;
- ``health``: commercial health insurance for everyone, company 150 and person 100, window closed
  (1–15 January 2026, next one 1–15 June 2026);
- ``transport``: transport allowance, 500 from the company, 300 of it exempt, window open, sales only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import time_machine

from talentloop.benefits.models import BenefitPlan, EnrolmentWindow
from talentloop.core.access import Actor, actor_for
from talentloop.organisation.models import JobFamily
from talentloop.testing.personas import World

TODAY = dt.date(2026, 3, 10)
FROZEN = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def frozen_clock(when: dt.datetime = FROZEN) -> time_machine.travel:
    return time_machine.travel(when, tick=False)


def make_plan(key: str, *, families: list[JobFamily] = (), windows: list[tuple[dt.date, dt.date]] = (), **values):
    defaults = {
        "name": f"{key}-中文",
        "name_en": key.title(),
        "kind": "meal_allowance",
        "effective_from": dt.date(2025, 1, 1),
    }
    plan = BenefitPlan.objects.create(key=key, **{**defaults, **values})
    plan.job_families.set(families)
    for opens_on, closes_on in windows:
        EnrolmentWindow.objects.create(plan=plan, opens_on=opens_on, closes_on=closes_on)
    return plan


MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@dataclass
class Scene:
    world: World
    meal: BenefitPlan
    annuity: BenefitPlan
    health: BenefitPlan
    transport: BenefitPlan

    def actor(self, persona: str) -> Actor:
        return actor_for(getattr(self.world, persona))


def build_scene(world: World) -> Scene:
    meal = make_plan("meal", employer_amount=Decimal("300.00"), windows=[MARCH])
    annuity = make_plan(
        "annuity",
        kind="enterprise_annuity",
        employer_rate=Decimal("8.00"),
        employee_rate=Decimal("2.00"),
        tax_treatment="annuity",
        families=[world.engineering],
        min_level=3,
        min_tenure_months=12,
        windows=[MARCH],
    )
    health = make_plan(
        "health",
        kind="commercial_health",
        employer_amount=Decimal("150.00"),
        employee_amount=Decimal("100.00"),
        tax_treatment="health_insurance",
        windows=[(dt.date(2026, 1, 1), dt.date(2026, 1, 15)), (dt.date(2026, 6, 1), dt.date(2026, 6, 15))],
    )
    transport = make_plan(
        "transport",
        kind="transport_allowance",
        employer_amount=Decimal("500.00"),
        tax_treatment="exempt_up_to_cap",
        exempt_cap=Decimal("300.00"),
        families=[world.sales_family],
        windows=[MARCH],
    )
    return Scene(world=world, meal=meal, annuity=annuity, health=health, transport=transport)
