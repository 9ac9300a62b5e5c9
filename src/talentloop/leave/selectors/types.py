"""Reads of leave types with their tiers and entitlements (three queries whatever the number)."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.core.access import Actor
from talentloop.leave import access
from talentloop.leave.models import LeaveType


def leave_type_list(actor: Actor) -> QuerySet[LeaveType]:
    return access.visible_leave_types(actor).prefetch_related("tiers", "entitlements").order_by("category", "code")


def leave_type_get(actor: Actor, pk: int) -> LeaveType | None:
    return leave_type_list(actor).filter(pk=pk).first()
