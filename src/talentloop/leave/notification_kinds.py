"""Leave: notification kinds."""

# ---- leave requests: registered from LeaveConfig.ready(). Personal (they name a person's absence),
# so none may go to a group bot. The link opens the request, where the approver decides in one tap.

from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from talentloop.notifications.kinds import Kind, pick, register


def _span(data: dict) -> dict:
    return {"name": pick(data, "name"), "type": pick(data, "type"), "start": data.get("start", ""),
            "end": data.get("end", ""), "days": data.get("days", "")}


def _waiting(data: dict) -> str:
    return gettext("%(name)s requests %(type)s from %(start)s to %(end)s (%(days)s days): approve or reject.") % _span(
        data)


def _decided(data: dict) -> str:
    if data.get("status") == "approved":
        text = gettext("Your %(type)s from %(start)s to %(end)s (%(days)s days) is approved.") % _span(data)
    else:
        text = gettext("Your %(type)s from %(start)s to %(end)s (%(days)s days) is rejected.") % _span(data)
    note = data.get("note")
    return f"{text} {pgettext('decision note', 'Note: %(note)s') % {'note': note}}" if note else text


def _cancelled(data: dict) -> str:
    return gettext("The %(type)s of %(name)s from %(start)s to %(end)s is cancelled.") % _span(data)


LEAVE_REQUEST_WAITING = register(Kind(key="leave_request_waiting", label=_("Leave request waiting for you"),
                                      render=_waiting, defaults=("email",)))
LEAVE_REQUEST_DECIDED = register(Kind(key="leave_request_decided", label=_("Leave request decided"),
                                      render=_decided))
LEAVE_REQUEST_CANCELLED = register(Kind(key="leave_request_cancelled", label=_("Leave cancelled"),
                                        render=_cancelled))
