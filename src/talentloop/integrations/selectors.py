"""Reads of integrations: the subscription and delivery lists (always from an ``access`` scope) and the
data of outbound events.

An event's data is read once, when it is published, by the id its announcing app sent; who may receive
it is decided afterwards by ``access.may_receive``. Each reader is one query (joins included).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from talentloop.core.access import Actor
from talentloop.integrations import access
from talentloop.integrations.models import Delivery, DeliveryStatus, Subscription
from talentloop.mentoring import selectors as mentoring_selectors
from talentloop.organisation import selectors as organisation_selectors
from talentloop.performance import selectors_reviews

# ---------------------------------------------------------------- subscriptions and deliveries


def subscription_queryset(actor: Actor, *, mine: bool = False) -> QuerySet[Subscription]:
    """The subscriptions the actor sees (HR: all, with ``mine`` only their own), each with the count of
    its deliveries that failed or wait for a retry: one query for a page."""
    qs = access.visible_subscriptions(actor)
    if mine:
        qs = qs.filter(owner_id=actor.user_id)
    return (qs.select_related("owner")
            .annotate(failing=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)
                                    | Q(deliveries__status=DeliveryStatus.PENDING, deliveries__attempts__gt=0)))
            .order_by("-is_active", "name", "id"))


def subscription_get(actor: Actor, pk: int) -> Subscription | None:
    return access.visible_subscriptions(actor).select_related("owner").filter(pk=pk).first()


def delivery_queryset(actor: Actor, subscription: Subscription, *, status: str = "") -> QuerySet[Delivery]:
    """A subscription's delivery log, newest first."""
    qs = access.visible_deliveries(actor).filter(subscription=subscription)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def delivery_get(actor: Actor, pk: int) -> Delivery | None:
    return access.visible_deliveries(actor).select_related("subscription").filter(pk=pk).first()


# ---------------------------------------------------------------- event data


def _person(employee: Any) -> dict[str, Any] | None:
    if employee is None:
        return None
    return {"id": employee.pk, "employee_number": employee.employee_number, "name": employee.name,
            "name_en": employee.name_en}


def _ref(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {"id": obj.pk, "code": getattr(obj, "code", ""), "name": obj.name, "name_en": getattr(obj, "name_en", "")}


def employee_event_data(employee_id: int, change: str, event_id: int | None) -> dict[str, Any] | None:
    """What an employee.hired / changed / left event says: the person's record as it is now (no
    sensitive field) and the employment event that changed it."""
    employee = organisation_selectors.employee_with_refs(employee_id)
    if employee is None:
        return None
    event = None
    if event_id is not None:
        row = organisation_selectors.employment_event_brief(event_id)
        if row is not None:
            event = {"id": row.pk, "kind": row.kind, "effective_date": row.effective_date.isoformat()}
    return {
        "change": change,
        "employee": {
            **(_person(employee) or {}), "email": employee.email, "status": employee.status,
            "hire_date": employee.hire_date.isoformat(),
            "termination_date": employee.termination_date.isoformat() if employee.termination_date else None,
            "org_unit": _ref(employee.org_unit), "job_family": _ref(employee.job_family),
            "position": _ref(employee.position), "level": employee.level, "manager": _person(employee.manager),
        },
        "employment_event": event,
    }


def final_rating_event_data(employee_id: int, period_key: str, rating: Decimal) -> dict[str, Any] | None:
    employee = organisation_selectors.employee_plain(employee_id)
    if employee is None:
        return None
    return {"employee": _person(employee), "period": period_key, "rating": str(rating)}


def review_cycle_event_data(cycle_id: int) -> dict[str, Any] | None:
    cycle = selectors_reviews.review_cycle_with_unit(cycle_id)
    if cycle is None:
        return None
    return {"cycle": {"id": cycle.pk, "name": cycle.name, "period": cycle.period_key,
                      "org_unit": _ref(cycle.org_unit),
                      "closed_at": cycle.closed_at.isoformat() if cycle.closed_at else None}}


def mentoring_plan_event_data(plan_id: int) -> dict[str, Any] | None:
    plan = mentoring_selectors.plan_with_people(plan_id)
    if plan is None:
        return None
    return {"plan": {"id": plan.pk, "status": plan.status, "starts_on": plan.starts_on.isoformat(),
                     "ends_on": plan.ends_on.isoformat(), "programme": plan.template.name,
                     "programme_en": plan.template.name_en},
            "mentee": _person(plan.mentee), "mentor": _person(plan.mentor.employee)}
