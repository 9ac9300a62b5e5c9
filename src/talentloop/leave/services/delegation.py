"""Delegating approvals while away: an approver names a delegate for a period. The delegation is
``attendance.ApprovalDelegation``, so leave requests, clock corrections and overtime all follow it
(the access rules of both apps read it)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.attendance.models import ApprovalDelegation
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.leave import access
from talentloop.organisation.models import Employee

MAX_DELEGATION_DAYS = 366


@transaction.atomic
def delegation_create(actor: Actor, *, delegate: Employee | None, start: dt.date | None,
                      end: dt.date | None) -> ApprovalDelegation:
    """The actor's approvals go to ``delegate`` from ``start`` to ``end`` (inclusive). Refused: no
    delegate or oneself, the end before the start, a period longer than a year, a period overlapping
    another delegation of the actor."""
    if not access.can_delegate_approvals(actor):
        raise PermissionDenied(_("Only people who approve others' time delegate their approvals."))
    approver = actor.employee
    assert approver is not None
    errors: dict[str, list[str]] = {}
    if delegate is None:
        errors["delegate"] = [_("Choose who decides for you.")]
    elif delegate.pk == approver.pk:
        errors["delegate"] = [_("Choose someone other than yourself.")]
    elif not access.delegate_candidates(actor).filter(pk=delegate.pk).exists():
        errors["delegate"] = [_("No one by that name among the people you may choose here.")]
    if start is None:
        errors["start"] = [_("This field is required.")]
    if end is None:
        errors["end"] = [_("This field is required.")]
    if start is not None and end is not None:
        if end < start:
            errors["end"] = [_("The end must be on or after the start.")]
        elif (end - start).days + 1 > MAX_DELEGATION_DAYS:
            errors["end"] = [_("A delegation lasts at most a year.")]
        else:
            clash = ApprovalDelegation.objects.filter(approver=approver, start__lte=end, end__gte=start).first()
            if clash is not None:
                errors["start"] = [_("You already delegate from %(start)s to %(end)s; end that one first.") % {
                    "start": clash.start.isoformat(), "end": clash.end.isoformat()}]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors)
    assert delegate is not None and start is not None and end is not None  # the errors above say so
    delegation = ApprovalDelegation(approver=approver, delegate=delegate, start=start, end=end)
    delegation.full_clean()
    delegation.save()
    audit_record(actor=actor, action="create", obj=delegation, summary="approvals delegated",
                 changes={"delegate": delegate.pk, "start": str(start), "end": str(end)})
    return delegation


@transaction.atomic
def delegation_delete(actor: Actor, *, delegation: ApprovalDelegation) -> None:
    """The approver (or HR covering them) ends a delegation: it is removed, and from now on the
    approvals wait for the approver again. Decisions the delegate made stay."""
    if not access.can_change_delegation(actor, delegation):
        raise PermissionDenied(_("Only the approver or HR covering them ends this delegation."))
    audit_record(actor=actor, action="delete", obj=delegation, summary="approval delegation ended",
                 changes={"delegate": delegation.delegate_id, "start": str(delegation.start),
                          "end": str(delegation.end)})
    delegation.delete()
