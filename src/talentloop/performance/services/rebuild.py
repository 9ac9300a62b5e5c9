"""Rebuilding a period's scores in bulk: the one door for the HR page's button and the API."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance.services.recompute import recompute_marks_add_period


@transaction.atomic
def scores_rebuild(*, actor: Actor, period_key: str) -> P.Period:
    """Queue a rebuild of every score of a period from the facts (audited; runs after commit).

    A closed period is left as it is by the recomputation itself, so asking is harmless; the caller
    says so to the person.
    """
    if not access.can_recompute(actor):
        raise PermissionDenied(_("Only HR rebuilds scores."))
    try:
        period = P.parse(period_key)
    except ValueError as exc:
        raise InvalidInput(str(exc), {"period": [_("Use YYYY-MM, YYYY-Qn or YYYY.")]}) from exc
    audit_record(actor=actor, action="update", entity_type="performance.period", entity_id=period.key,
                 entity_label=period.key, changes={"scores": "rebuild requested"})
    # Recorded with the request, so a worker that dies before or during the rebuild leaves the marks
    # for the next drain or the minute sweep.
    recompute_marks_add_period(period)
    # the tasks module imports this one: looked up when enqueueing
    from talentloop.performance.tasks import drain_recompute_marks

    transaction.on_commit(drain_recompute_marks)
    return period
