"""Reads of performance data; every one starts from an access scope."""

from __future__ import annotations

from decimal import Decimal

from talentloop.core.access import Actor
from talentloop.organisation.models import Employee
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance.models import FinalRating, PeriodState, Score


def period_status(key: str) -> str:
    return "closed" if PeriodState.objects.filter(key=key, closed=True).exists() else "open"


def score_get(actor: Actor, employee: Employee, period: P.Period) -> dict | None:
    """The explained score of one person for one period, computed on demand when missing."""
    score = access.visible_scores(actor).filter(employee=employee, period_key=period.key).first()
    status = period_status(period.key)
    if score is None and status == "open":
        from talentloop.performance.services.scores import recompute_period

        recompute_period(period, [employee.pk])
        score = access.visible_scores(actor).filter(employee=employee, period_key=period.key).first()
    final = FinalRating.objects.filter(employee=employee, period_key=period.key).first()
    if score is None:
        # No scorecard applies (or the closed period was never scored): say so rather than 404.
        return {"employee_id": employee.pk, "period": period.key, "scorecard": "", "total": None, "rating": None,
                "final_rating": final.rating if final else None, "status": status, "partial": False,
                "days_present": None, "computed_at": None, "dimensions": []}
    final = FinalRating.objects.filter(employee=employee, period_key=period.key).first()
    detail = score.detail or {}
    return {
        "employee_id": employee.pk,
        "period": period.key,
        "scorecard": detail.get("scorecard", ""),
        "total": score.total,
        "rating": score.rating,
        "final_rating": final.rating if final else None,
        "status": status,
        "partial": score.partial,
        "days_present": detail.get("days_present"),
        "computed_at": score.computed_at,
        "dimensions": [
            {**dim, "weight": Decimal(dim["weight"]), "effective_weight": Decimal(dim["effective_weight"]),
             "score": None if dim["score"] is None else Decimal(dim["score"]),
             "metrics": [{**m, "actual": None if m.get("actual") is None else Decimal(m["actual"]),
                          "target": None if m.get("target") is None else Decimal(m["target"]),
                          "score": None if m.get("score") is None else Decimal(m["score"])}
                         for m in dim["metrics"]]}
            for dim in detail.get("dimensions", [])
        ],
    }


def score_trend(actor: Actor, employee: Employee, limit: int = 12) -> list[Score]:
    return list(access.visible_scores(actor).filter(employee=employee, period_key__regex=r"^\d{4}-\d{2}$")
                .order_by("-period_start")[:limit])[::-1]


def period_ratings(employee_ids: list[int], period_keys: list[str]) -> dict[tuple[int, str], Decimal]:
    """The rating that counts downstream (mentoring, analytics): the final rating where people decided
    one, else the computed rating. Two queries for any number of people and periods; no access scope
    here — callers pass people they already fetched through their own scope."""
    out: dict[tuple[int, str], Decimal] = {}
    if not employee_ids or not period_keys:
        return out
    for emp, key, rating in (Score.objects.filter(employee_id__in=employee_ids, period_key__in=period_keys,
                                                  rating__isnull=False)
                             .values_list("employee_id", "period_key", "rating")):
        out[(emp, key)] = rating
    for emp, key, rating in (FinalRating.objects.filter(employee_id__in=employee_ids, period_key__in=period_keys)
                             .values_list("employee_id", "period_key", "rating")):
        out[(emp, key)] = rating
    return out


from talentloop.performance.selectors_results import work_results_pending_count, work_results_to_confirm  # noqa: E402, F401, I001
