"""Talentloop's built-in outbound events, and the receivers that publish them when the apps below
announce what happened (``organisation.signals.employee_changed``, ``performance.signals.final_rating_decided``
and ``review_cycle_closed``, ``mentoring.signals.plan_approved``; all sent after their transaction commits).

A receiver never fails its sender: an error is logged, and the sender's work stays done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from talentloop.core.access import Actor
from talentloop.integrations import events, selectors
from talentloop.mentoring import access as mentoring_access
from talentloop.mentoring.signals import plan_approved
from talentloop.organisation.signals import employee_changed
from talentloop.performance import access as performance_access
from talentloop.performance.signals import final_rating_decided, review_cycle_closed

logger = logging.getLogger(__name__)


def _employee(data: dict) -> list[int]:
    return [data["employee"]["id"]]


def _mentee(data: dict) -> list[int]:
    return [data["mentee"]["id"]]


def _sees_final_rating(actor: Actor, data: dict) -> bool:
    return performance_access.visible_final_ratings(actor).filter(
        employee_id=data["employee"]["id"], period_key=data["period"]).exists()


def _sees_cycle(actor: Actor, data: dict) -> bool:
    return performance_access.visible_review_cycles(actor).filter(pk=data["cycle"]["id"]).exists()


def _sees_plan(actor: Actor, data: dict) -> bool:
    return mentoring_access.visible_plans(actor).filter(pk=data["plan"]["id"]).exists()


EMPLOYEE_HIRED = events.register(events.EventType("employee.hired", _("Employee hired"), about_people=_employee))
EMPLOYEE_CHANGED = events.register(events.EventType("employee.changed", _("Employee changed"),
                                                    about_people=_employee))
EMPLOYEE_LEFT = events.register(events.EventType("employee.left", _("Employee left"), about_people=_employee))
SCORE_FINALISED = events.register(events.EventType("score.finalised", _("Final rating decided"),
                                                   personal_result=True, about_people=_employee,
                                                   visible_to=_sees_final_rating))
REVIEW_CYCLE_CLOSED = events.register(events.EventType("review_cycle.closed", _("Review cycle closed"),
                                                       visible_to=_sees_cycle))
MENTORING_PLAN_APPROVED = events.register(events.EventType("mentoring_plan.approved", _("Mentoring plan approved"),
                                                           about_people=_mentee, visible_to=_sees_plan))


def _publish(event_type: str, read: Callable[[], dict | None]) -> None:
    from talentloop.integrations.services.webhooks import events_publish, listened_types

    try:
        if event_type not in listened_types():
            return
        data = read()
        if data is not None:
            events_publish(event_type=event_type, data=data)
    except Exception:  # a subscriber's problem never undoes or fails the announcing app's work
        logger.exception("Publishing the %s event failed", event_type)


@receiver(employee_changed, dispatch_uid="integrations.employee_changed")
def on_employee_changed(sender, employee_id: int, change: str, event_id: int | None = None, **kwargs) -> None:
    key = {"hired": EMPLOYEE_HIRED, "left": EMPLOYEE_LEFT}.get(change, EMPLOYEE_CHANGED).key
    _publish(key, lambda: selectors.employee_event_data(employee_id, change, event_id))


@receiver(final_rating_decided, dispatch_uid="integrations.final_rating_decided")
def on_final_rating(sender, employee_id: int, period_key: str, rating, **kwargs) -> None:
    _publish(SCORE_FINALISED.key, lambda: selectors.final_rating_event_data(employee_id, period_key, rating))


@receiver(review_cycle_closed, dispatch_uid="integrations.review_cycle_closed")
def on_review_cycle_closed(sender, cycle_id: int, **kwargs) -> None:
    _publish(REVIEW_CYCLE_CLOSED.key, lambda: selectors.review_cycle_event_data(cycle_id))


@receiver(plan_approved, dispatch_uid="integrations.plan_approved")
def on_plan_approved(sender, plan_id: int, **kwargs) -> None:
    _publish(MENTORING_PLAN_APPROVED.key, lambda: selectors.mentoring_plan_event_data(plan_id))
