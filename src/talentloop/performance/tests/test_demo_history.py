"""The demo company's performance history (``talentloop demo`` / ``talentloop seed``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from talentloop.organisation import demo as org_demo
from talentloop.organisation.models import Employee, JobFamily
from talentloop.performance import demo
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Dimension,
    FinalRating,
    Observation,
    PeriodState,
    QualitativeRating,
    Review,
    ReviewCycle,
    Score,
    Scorecard,
    ScorecardVersion,
)

REF = dt.date(2026, 3, 18)


# ---------------------------------------------------------------- the plan, no database


def test_same_seed_same_history():
    company = demo.company_from_plan(org_demo.plan_company(60, seed=3, reference_date=REF))
    first = demo.HistoryPlanner(company, seed=3).fingerprint()
    assert demo.HistoryPlanner(company, seed=3).fingerprint() == first
    again = demo.company_from_plan(org_demo.plan_company(60, seed=3, reference_date=REF))
    assert demo.HistoryPlanner(again, seed=3).fingerprint() == first
    assert demo.HistoryPlanner(company, seed=4).fingerprint() != first


def test_people_only_while_employed_and_history_from_three_years_back():
    plan = org_demo.plan_company(60, seed=3, reference_date=REF)
    planner = demo.HistoryPlanner(demo.company_from_plan(plan), seed=3)
    people = {p.number: p for p in planner.company.people}
    rows = list(planner.observations())
    assert min(r.occurred_on for r in rows) < dt.date(2023, 1, 10)  # from 1 January three years before
    assert max(r.occurred_on for r in rows) < REF
    for r in rows:
        if r.employee is None:
            assert r.unit is not None
            continue
        p = people[r.employee]
        assert p.hire <= r.occurred_on, r
        assert p.end is None or r.occurred_on <= p.end, r
        assert not any(a <= r.occurred_on < b for a, b in p.absences), r
    assert any(r.wrong_value is not None for r in rows), "some observations are corrected"
    assert {r.metric for r in rows if r.unit} >= {"headcount", "hours-worked", "budget"}


# ---------------------------------------------------------------- the demo company, loaded once


@pytest.fixture(scope="module")
def demo_company(django_db_setup, django_db_blocker):
    """``talentloop demo`` once for the module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", skip_migrate=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _current_weights(family: str) -> dict[str, Decimal]:
    card = Scorecard.objects.get(job_family__code=family, org_unit__isnull=True)
    version = (ScorecardVersion.objects.filter(scorecard=card, valid_from__lte=timezone.localdate())
               .order_by("-valid_from").first())
    return {d.key: d.weight for d in Dimension.objects.filter(version=version)}


@pytest.mark.django_db
def test_product_md_scorecards_have_exactly_those_weights(demo_company):
    assert _current_weights("production-worker") == {
        "output": 30, "quality": 25, "customer-feedback": 20, "innovation": 15, "teamwork": 10}
    assert _current_weights("software-engineer") == {
        "code-quality": 30, "delivery": 25, "teamwork": 20, "customer-feedback": 25}
    # Every job family has its scorecard, and the organisation a default one.
    families = set(JobFamily.objects.values_list("code", flat=True))
    assert families <= set(Scorecard.objects.filter(org_unit__isnull=True).exclude(job_family__isnull=True)
                           .values_list("job_family__code", flat=True))
    assert Scorecard.objects.filter(org_unit__isnull=True, job_family__isnull=True).exists()
    assert ScorecardVersion.objects.filter(scorecard__job_family__code="software-engineer").count() == 2


@pytest.mark.django_db
def test_scores_for_the_last_three_complete_years_closed(demo_company):
    this_year = timezone.localdate().year
    for year in range(this_year - 3, this_year):
        keys = [p.key for p in demo.all_periods(dt.date(year, 1, 1), dt.date(year, 12, 31))]
        assert len(keys) == 1 + 4 + 12
        scored = set(Score.objects.filter(period_key__in=keys).values_list("period_key", flat=True).distinct())
        assert scored == set(keys), set(keys) - scored
        assert set(PeriodState.objects.filter(key__in=keys, closed=True).values_list("key", flat=True)) == set(keys)
        assert FinalRating.objects.filter(period_key=str(year)).exists()
    current = P.containing(timezone.localdate())
    assert not PeriodState.objects.filter(key=current.key).exists()
    assert Score.objects.filter(period_key=str(this_year)).exists()
    assert ReviewCycle.objects.filter(status=ReviewCycle.Status.CLOSED).count() >= 12
    assert QualitativeRating.objects.filter(review__isnull=False).count() == Review.objects.count() > 0
    assert Observation.objects.filter(is_current=False).exists()
    assert Observation.objects.filter(org_unit__isnull=False, metric__key="headcount").exists()


@pytest.mark.django_db
def test_mentor_is_rated_at_least_4_5_in_each_of_the_last_three_years(demo_company):
    mentor = Employee.objects.get(user__username="mentor")
    this_year = timezone.localdate().year
    years = [str(y) for y in range(this_year - 3, this_year)]
    computed = dict(Score.objects.filter(employee=mentor, period_key__in=years).values_list("period_key", "rating"))
    final = dict(FinalRating.objects.filter(employee=mentor, period_key__in=years).values_list("period_key",
                                                                                              "rating"))
    for year in years:
        assert computed[year] >= Decimal("4.5"), (year, computed)
        assert final.get(year, computed[year]) >= Decimal("4.5"), (year, final)
    # A few other senior people qualify as well.
    three = (Score.objects.filter(period_key__in=years, rating__gte=Decimal("4.5")).values("employee")
             .annotate(n=Count("id")).filter(n=3))
    assert three.count() >= 3
