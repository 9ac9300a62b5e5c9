"""The mentoring app's notification kinds (registered from ``MentoringConfig.ready()``).

The keys are stored with every notification and every channel preference: never rename one. All
are personal (they name a mentee, a mentor or their decisions), so none may go to a group chat.

The mentoring pages and ``GET /api/v1/mentoring/notices`` list the reader's notifications of these
kinds under the names they had when mentoring kept its own notices (``reminder``, ``overdue``, …):
``NOTICE_KINDS`` maps each kind to that name and its badge.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from talentloop.mentoring.models import ItemKind
from talentloop.notifications.kinds import Kind, pick, register


def _plan_submitted(data: dict) -> str:
    if data.get("mentee"):
        return _("The mentoring plan for %(mentee)s was submitted for approval.") % {"mentee": pick(data, "mentee")}
    return _("A mentoring plan was submitted for approval.")


def _plan_approved(data: dict) -> str:
    return _("The mentoring plan “%(plan)s” was approved.") % {"plan": pick(data, "template")}


def _plan_returned(data: dict) -> str:
    return _("The mentoring plan “%(plan)s” was returned: %(comment)s") % {
        "plan": pick(data, "template"), "comment": data.get("comment", "")}


def session_due_text(data: dict) -> str:
    """A reminder to both sides before an item's due date."""
    days = int(data["days"])
    if days <= 0:
        when = _("due today")
    else:
        when = ngettext("due in %(days)s day", "due in %(days)s days", days) % {"days": days}
    return _("%(what)s with %(other)s on %(due)s, %(when)s.") % {
        "what": ItemKind(data["item_kind"]).label, "other": pick(data, "other"), "due": data["due_on"],
        "when": when}


def item_overdue_text(data: dict) -> str:
    """The alert to the mentor's manager about an overdue item."""
    return _("%(mentor)s has not completed the %(what)s with %(mentee)s due on %(due)s.") % {
        "mentor": pick(data, "mentor"), "what": ItemKind(data["item_kind"]).label,
        "mentee": pick(data, "mentee"), "due": data["due_on"]}


def _invitation(data: dict) -> str:
    return _("HR invites you to become a mentor: you meet every criterion of the mentor policy.")


def _application_decided(data: dict) -> str:
    if data.get("decision") == "approved":
        return _("Your application to become a mentor was approved.")
    return _("Your application to become a mentor was not approved: %(reason)s") % {"reason": data.get("reason", "")}


def _survey_due(data: dict) -> str:
    return _("How is your mentoring going? Please answer a short, confidential survey by %(day)s.") % {
        "day": data["closes_on"]}


PLAN_SUBMITTED = register(Kind("plan_submitted", gettext_lazy("Mentoring plan submitted"), render=_plan_submitted))
PLAN_APPROVED = register(Kind("plan_approved", gettext_lazy("Mentoring plan approved"), render=_plan_approved,
                              defaults=("email",)))
PLAN_RETURNED = register(Kind("plan_returned", gettext_lazy("Mentoring plan returned"), render=_plan_returned,
                              defaults=("email",)))
SESSION_DUE = register(Kind("session_due", gettext_lazy("Mentoring session due"), render=session_due_text))
ITEM_OVERDUE = register(Kind("item_overdue", gettext_lazy("Mentoring item overdue"), urgent=True,
                             render=item_overdue_text))
MENTORING_INVITATION = register(Kind("mentoring_invitation", gettext_lazy("Invitation to mentor"), render=_invitation))
APPLICATION_DECIDED = register(Kind("application_decided", gettext_lazy("Mentor application decided"),
                                    render=_application_decided))
SURVEY_DUE = register(Kind("survey_due", gettext_lazy("Mentoring survey"), render=_survey_due))

# Notification kind → (the notice name the mentoring pages and API show, its badge).
NOTICE_KINDS = {
    SESSION_DUE.key: ("reminder", gettext_lazy("Reminder")),
    ITEM_OVERDUE.key: ("overdue", gettext_lazy("Overdue")),
    MENTORING_INVITATION.key: ("invitation", gettext_lazy("Invitation to mentor")),
    APPLICATION_DECIDED.key: ("application", gettext_lazy("Application decided")),
    PLAN_SUBMITTED.key: ("plan_submitted", gettext_lazy("Plan submitted")),
    PLAN_APPROVED.key: ("plan_decided", gettext_lazy("Plan decided")),
    PLAN_RETURNED.key: ("plan_decided", gettext_lazy("Plan decided")),
    SURVEY_DUE.key: ("survey", gettext_lazy("Survey")),
}
