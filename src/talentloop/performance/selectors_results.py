"""Reads of work results; every one starts from an access scope and costs a constant number of
queries whatever the number of results (one for the page, one for the count)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet

from talentloop.core.access import Actor
from talentloop.organisation.models import Employee
from talentloop.performance import access
from talentloop.performance.models import (
    WorkResult,
    WorkResultAttachment,
    WorkResultKind,
    WorkResultSettings,
    WorkResultStatus,
)


def _listed(qs: QuerySet[WorkResult]) -> QuerySet[WorkResult]:
    return (qs.select_related("employee", "metric", "decided_by")
            .annotate(attachment_count=Count("attachments")).order_by("-submitted_at", "-id"))


def my_work_results(actor: Actor, *, status: str = "", limit: int = 20, offset: int = 0,
                    ) -> tuple[list[WorkResult], int]:
    """The actor's own results, newest first (``status`` narrows to one status)."""
    if actor.employee is None:
        return [], 0
    qs = access.visible_work_results(actor).filter(employee_id=actor.employee.pk)
    if status in WorkResultStatus.values:
        qs = qs.filter(status=status)
    return list(_listed(qs)[offset:offset + limit]), qs.count()


def work_results_to_confirm(actor: Actor, *, limit: int = 50, offset: int = 0) -> list[WorkResult]:
    """The manager's queue: pending results of the people the actor manages, oldest first."""
    qs = _listed(access.work_results_to_decide(actor)).select_related("employee__org_unit")
    return list(qs.order_by("submitted_at", "id")[offset:offset + limit])


def work_results_pending_count(actor: Actor) -> int:
    return access.work_results_to_decide(actor).count()


def work_result_queue_page(actor: Actor, *, limit: int = 50, offset: int = 0) -> tuple[list[WorkResult], int]:
    return work_results_to_confirm(actor, limit=limit, offset=offset), work_results_pending_count(actor)


def work_result_get(actor: Actor, pk: int) -> WorkResult | None:
    """One result the actor may see, with its attachments and what the actor may do with it."""
    result = (access.visible_work_results(actor).select_related("employee", "employee__org_unit", "metric",
                                                                "decided_by", "submitted_by", "skill_assessment")
              .prefetch_related("attachments").filter(pk=pk).first())
    if result is not None:
        # What the actor may do, read by the page; attributes of this instance, not fields.
        result.can_decide = (result.status == WorkResultStatus.PENDING  # type: ignore[attr-defined]
                             and access.can_decide_work_result(actor, result))
        result.can_withdraw = access.can_withdraw_work_result(actor, result)  # type: ignore[attr-defined]
    return result


def work_result_attachment_get(actor: Actor, result_pk: int, attachment_pk: int) -> WorkResultAttachment | None:
    result = access.visible_work_results(actor).filter(pk=result_pk).first()
    if result is None:
        return None
    return result.attachments.filter(pk=attachment_pk).first()


def work_results_evidence(actor: Actor, employee: Employee, *, start: dt.date | None = None,
                          end: dt.date | None = None, limit: int = 20) -> list[WorkResult]:
    """Confirmed results of a person (``end`` exclusive): the evidence on their performance page and
    in review forms, for whoever may see the person's results."""
    qs = access.visible_work_results(actor).filter(employee_id=employee.pk, status=WorkResultStatus.CONFIRMED)
    if start is not None:
        qs = qs.filter(occurred_on__gte=start)
    if end is not None:
        qs = qs.filter(occurred_on__lt=end)
    return list(_listed(qs).order_by("-occurred_on", "-id")[:limit])


def work_result_settings_list(actor: Actor) -> list[WorkResultSettings]:
    """The settings of every kind, unsaved defaults for kinds HR never set (empty for non-HR)."""
    if not access.can_manage_work_result_settings(actor):
        return []
    saved = {s.kind: s for s in WorkResultSettings.objects.select_related("metric")}
    return [saved.get(kind) or WorkResultSettings(kind=kind) for kind in WorkResultKind.values]
