"""Attendance: notification kinds."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentloop.notifications.kinds import Kind, pick, register

# ---- time requests (overtime and corrections). Each is personal: it names a person and their hours.

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


OVERTIME_SUBMITTED = register(Kind(key="overtime_submitted", label=_("Overtime to approve"),
                                   render=_overtime_submitted))
OVERTIME_DECIDED = register(Kind(key="overtime_decided", label=_("Overtime decided"), render=_overtime_decided))
OVERTIME_CAP_BREACH = register(Kind(key="overtime_cap_breach", label=_("Overtime over the legal cap"),
                                    urgent=True, render=_overtime_cap_breach))
CORRECTION_SUBMITTED = register(Kind(key="correction_submitted", label=_("Clock correction to approve"),
                                     render=_correction_submitted))
CORRECTION_DECIDED = register(Kind(key="correction_decided", label=_("Clock correction decided"),
                                   render=_correction_decided))
