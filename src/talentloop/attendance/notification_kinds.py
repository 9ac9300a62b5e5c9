"""Attendance: notification kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentloop.attendance import access
from talentloop.notifications.kinds import Action, Kind, pick, register

if TYPE_CHECKING:
    from talentloop.core.access import Actor

# ---- time requests (overtime and corrections). Each is personal: it names a person and their hours.
# The "to approve" kinds carry Approve and Reject (a note is optional), one tap from the inbox.

_DECISIONS = {"approved": _("approved"), "rejected": _("rejected"), "cancelled": _("cancelled")}


def _overtime_submitted(data: dict) -> str:
    from talentloop.attendance.overtime import hours

    return gettext("%(name)s asks you to approve %(hours)s of overtime on %(date)s.") % {
        "name": pick(data, "name"), "hours": hours(int(data.get("minutes", 0))), "date": data.get("date", "")}


def _overtime_decided(data: dict) -> str:
    return gettext("Your overtime on %(date)s was %(decision)s.") % {
        "date": data.get("date", ""), "decision": _DECISIONS.get(data.get("decision", ""), data.get("decision", ""))}


def _overtime_cap_breach(data: dict) -> str:
    from talentloop.attendance.overtime import describe_breach

    return gettext("Overtime of %(name)s on %(date)s: %(breach)s") % {
        "name": pick(data, "name"), "date": data.get("date", ""), "breach": describe_breach(data.get("breach", ""))}


def _correction_submitted(data: dict) -> str:
    return gettext("%(name)s asks you to approve a clock correction for %(date)s.") % {
        "name": pick(data, "name"), "date": data.get("date", "")}


def _correction_decided(data: dict) -> str:
    return gettext("Your clock correction for %(date)s was %(decision)s.") % {
        "date": data.get("date", ""), "decision": _DECISIONS.get(data.get("decision", ""), data.get("decision", ""))}


def _decisions(page: str, api: str, param: str, subject: str):
    """Approve and Reject of one kind of time request, by URL names (``attendance:<page>-approve``,
    ``api:<api>_approve``)."""

    def build(data: dict) -> list[Action]:
        pk = int(data[subject])
        return [Action(verb, label, reverse(f"attendance:{page}-{verb}", args=[pk]),
                       reverse(f"api:{api}_{verb}", kwargs={param: pk}), style)
                for verb, label, style in (("approve", _("Approve"), "primary"), ("reject", _("Reject"), "danger"))]

    return build


def _overtime_waiting(actor: Actor, ids: set[int]) -> set[int]:
    """Of these overtime requests, those still pending that the actor may approve (one query)."""
    return set(access.overtime_awaiting(actor).filter(pk__in=ids).values_list("pk", flat=True))


def _corrections_waiting(actor: Actor, ids: set[int]) -> set[int]:
    return set(access.corrections_awaiting(actor).filter(pk__in=ids).values_list("pk", flat=True))


OVERTIME_SUBMITTED = register(Kind(key="overtime_submitted", label=_("Overtime to approve"),
                                   render=_overtime_submitted, subject="request_id", still_open=_overtime_waiting,
                                   actions=_decisions("overtime", "overtime", "overtime_id", "request_id")))
OVERTIME_DECIDED = register(Kind(key="overtime_decided", label=_("Overtime decided"), render=_overtime_decided))
OVERTIME_CAP_BREACH = register(Kind(key="overtime_cap_breach", label=_("Overtime over the legal cap"),
                                    urgent=True, render=_overtime_cap_breach))
CORRECTION_SUBMITTED = register(Kind(key="correction_submitted", label=_("Clock correction to approve"),
                                     render=_correction_submitted, subject="correction_id",
                                     still_open=_corrections_waiting,
                                     actions=_decisions("correction", "correction", "correction_id",
                                                        "correction_id")))
CORRECTION_DECIDED = register(Kind(key="correction_decided", label=_("Clock correction decided"),
                                   render=_correction_decided))
