"""Leave: notification kinds."""

# ---- leave requests: registered from LeaveConfig.ready(). Personal (they name a person's absence),
# so none may go to a group bot. The link opens the request; the waiting kind also carries Approve and
# Reject, one tap from the inbox (a note is optional, so neither needs the request page).

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from talentloop.leave import access
from talentloop.notifications.kinds import Action, Kind, pick, register

if TYPE_CHECKING:
    from talentloop.core.access import Actor


def _span(data: dict) -> dict:
    return {"name": pick(data, "name"), "type": pick(data, "type"), "start": data.get("start", ""),
            "end": data.get("end", ""), "days": data.get("days", "")}


def plural_days(days: object) -> int:
    """The count that picks a plural form for a number of days written as text ("1", "0.5", "2"):
    only exactly one day is singular."""
    try:
        return 1 if float(str(days)) == 1 else 2
    except ValueError:
        return 2


def _waiting(data: dict) -> str:
    return ngettext("%(name)s requests %(type)s from %(start)s to %(end)s (%(days)s day): approve or reject.",
                    "%(name)s requests %(type)s from %(start)s to %(end)s (%(days)s days): approve or reject.",
                    plural_days(data.get("days"))) % _span(data)


def _decided(data: dict) -> str:
    n = plural_days(data.get("days"))
    if data.get("status") == "approved":
        text = ngettext("Your %(type)s from %(start)s to %(end)s (%(days)s day) is approved.",
                        "Your %(type)s from %(start)s to %(end)s (%(days)s days) is approved.", n) % _span(data)
    else:
        text = ngettext("Your %(type)s from %(start)s to %(end)s (%(days)s day) is rejected.",
                        "Your %(type)s from %(start)s to %(end)s (%(days)s days) is rejected.", n) % _span(data)
    note = data.get("note")
    return f"{text} {pgettext('decision note', 'Note: %(note)s') % {'note': note}}" if note else text


def _cancelled(data: dict) -> str:
    return gettext("The %(type)s of %(name)s from %(start)s to %(end)s is cancelled.") % _span(data)


def _decisions(data: dict) -> list[Action]:
    pk = int(data["request"])
    return [
        Action("approve", _("Approve"), reverse("leave:request-approve", args=[pk]),
               reverse("api:leave_request_approve", kwargs={"request_id": pk}), "primary"),
        Action("reject", _("Reject"), reverse("leave:request-reject", args=[pk]),
               reverse("api:leave_request_reject", kwargs={"request_id": pk}), "danger"),
    ]


def _waiting_for(actor: Actor, ids: set[int]) -> set[int]:
    """Of these requests, those with a step waiting for the actor now (one query)."""
    return set(access.leave_steps_waiting_for(actor).filter(request_id__in=ids)
               .values_list("request_id", flat=True))


LEAVE_REQUEST_WAITING = register(Kind(key="leave_request_waiting", label=_("Leave request waiting for you"),
                                      render=_waiting, defaults=("email",), actions=_decisions, subject="request",
                                      still_open=_waiting_for))
LEAVE_REQUEST_DECIDED = register(Kind(key="leave_request_decided", label=_("Leave request decided"),
                                      render=_decided))
LEAVE_REQUEST_CANCELLED = register(Kind(key="leave_request_cancelled", label=_("Leave cancelled"),
                                        render=_cancelled))


# ---- balances and prior service: personal (a person's balance and work history), never for a group bot.


def _balance_adjusted(data: dict) -> str:
    return gettext("HR adjusted your %(type)s balance by %(days)s days as of %(date)s: %(reason)s") % {
        "type": pick(data, "type"), "days": data.get("days", ""), "date": data.get("date", ""),
        "reason": data.get("reason", "")}


def _prior_service_decided(data: dict) -> str:
    if data.get("status") == "verified":
        return gettext("Your prior service at %(employer)s was verified; it counts towards your annual leave.") % {
            "employer": data.get("employer", "")}
    return gettext("Your prior service at %(employer)s was not accepted. Check the evidence and state it again.") % {
        "employer": data.get("employer", "")}


def _prior_service_waiting(data: dict) -> str:
    return gettext("%(name)s stated prior service at %(employer)s: verify or reject it.") % {
        "name": pick(data, "name"), "employer": data.get("employer", "")}


LEAVE_BALANCE_ADJUSTED = register(Kind(key="leave_balance_adjusted", label=_("Leave balance adjusted"),
                                       render=_balance_adjusted))
PRIOR_SERVICE_DECIDED = register(Kind(key="prior_service_decided", label=_("Prior service verified or rejected"),
                                      render=_prior_service_decided))
PRIOR_SERVICE_WAITING = register(Kind(key="prior_service_waiting", label=_("Prior service to verify"),
                                      render=_prior_service_waiting))
