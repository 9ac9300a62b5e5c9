"""The registry of notification kinds, and the kinds of the performance and mentoring events.

A kind knows how to say itself: ``render(data)`` returns the one-line text in the ACTIVE language,
from the JSON data stored with the notification, so the same row reads in Chinese or English.
Names are stored in both languages (``person`` and ``person_en``); ``pick`` chooses.

``personal=True`` (the default) means the notification is about one person's results or
decisions and may never go to a group bot; ``group_safe=True`` is only for team-level news that
names nobody's results. ``defaults`` are the channels besides the inbox a person gets when they
have not chosen (``None``: e-mail for urgent kinds, nothing else).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

INAPP = "inapp"


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # a lazy translatable string
    urgent: bool = False
    personal: bool = True
    group_safe: bool = False
    render: Callable[[dict], str] | None = None
    defaults: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.render is None:
            raise TypeError(f"kind {self.key!r} needs a render function")
        if self.group_safe and self.personal:
            # A kind cannot be both about a person's results and fit for a group chat.
            object.__setattr__(self, "personal", False)

    def default_channels(self) -> tuple[str, ...]:
        if self.defaults is not None:
            return self.defaults
        return ("email",) if self.urgent else ()


_REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add (or, when a module is imported again, replace) a kind."""
    _REGISTRY[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    return _REGISTRY[key]


def find(key: str) -> Kind | None:
    """The kind, or None for a key no app registers (any more)."""
    return _REGISTRY.get(key)


def all_kinds() -> list[Kind]:
    return list(_REGISTRY.values())


def render_text(key: str, data: dict) -> str:
    """The kind's sentence in the active language; "" when the kind or its data is unknown."""
    kind = find(key)
    if kind is None:
        return ""
    try:
        return str(kind.render(data or {}))
    except (KeyError, TypeError, ValueError, AttributeError):
        return ""


def pick(data: dict, name: str) -> str:
    """``data[name]``, or its English twin ``data[name + '_en']`` when the active language is English."""
    english = (translation.get_language() or "").startswith("en")
    value = data.get(name, "")
    if english and data.get(f"{name}_en"):
        value = data[f"{name}_en"]
    return str(value if value is not None else "")


# ---------------------------------------------------------------- performance


def _feedback_received(data: dict) -> str:
    if data.get("kind") == "suggestion":
        return _("%(giver)s gave you a suggestion.") % {"giver": pick(data, "giver")}
    return _("%(giver)s gave you praise.") % {"giver": pick(data, "giver")}


def _feedback_requested(data: dict) -> str:
    if data.get("subject") and data.get("subject") != data.get("requester"):
        return _("%(requester)s asks for your feedback about %(subject)s.") % {
            "requester": pick(data, "requester"), "subject": pick(data, "subject")}
    return _("%(requester)s asks for your feedback.") % {"requester": pick(data, "requester")}


def _score_updated(data: dict) -> str:
    return _("Your score for %(period)s is now %(total)s.") % {"period": data["period"], "total": data["total"]}


def _alert_opened(data: dict) -> str:
    from talentloop.performance.services.alerts import notice_text

    return notice_text("alert_opened", data)


def _root_cause(data: dict) -> str:
    from talentloop.performance.services.alerts import notice_text

    return notice_text("review_opened", data)


def _review_cycle_open(data: dict) -> str:
    return _("The review cycle “%(cycle)s” is open; self reviews are due on %(due)s.") % {
        "cycle": pick(data, "cycle"), "due": data["self_due"]}


# ---------------------------------------------------------------- mentoring


def _plan_submitted(data: dict) -> str:
    if data.get("mentee"):
        return _("The mentoring plan for %(mentee)s was submitted for approval.") % {"mentee": pick(data, "mentee")}
    return _("A mentoring plan was submitted for approval.")


def _plan_approved(data: dict) -> str:
    return _("The mentoring plan “%(plan)s” was approved.") % {"plan": pick(data, "template")}


def _plan_returned(data: dict) -> str:
    return _("The mentoring plan “%(plan)s” was returned: %(comment)s") % {
        "plan": pick(data, "template"), "comment": data.get("comment", "")}


def _session_due(data: dict) -> str:
    from talentloop.mentoring.services.cadence import notice_text

    return notice_text("reminder", data)


def _item_overdue(data: dict) -> str:
    from talentloop.mentoring.services.cadence import notice_text

    return notice_text("overdue", data)


def _invitation(data: dict) -> str:
    return _("HR invites you to become a mentor: you meet every criterion of the mentor policy.")


def _application_decided(data: dict) -> str:
    if data.get("decision") == "approved":
        return _("Your application to become a mentor was approved.")
    return _("Your application to become a mentor was not approved: %(reason)s") % {"reason": data.get("reason", "")}


def _survey_due(data: dict) -> str:
    return _("How is your mentoring going? Please answer a short, confidential survey by %(day)s.") % {
        "day": data["closes_on"]}


def digest_subject(count: int, kind: Kind) -> str:
    return ngettext("%(count)d new: %(label)s", "%(count)d new: %(label)s", count) % {
        "count": count, "label": kind.label}


FEEDBACK_RECEIVED = register(Kind("feedback_received", gettext_lazy("Feedback received"), render=_feedback_received))
FEEDBACK_REQUESTED = register(Kind("feedback_requested", gettext_lazy("Feedback requested"),
                                   render=_feedback_requested))
SCORE_UPDATED = register(Kind("score_updated", gettext_lazy("Score updated"), render=_score_updated))
ALERT_OPENED = register(Kind("alert_opened", gettext_lazy("Decline alert"), urgent=True, render=_alert_opened))
ROOT_CAUSE_REVIEW = register(Kind("root_cause_review", gettext_lazy("Root-cause review"), render=_root_cause))
REVIEW_CYCLE_OPEN = register(Kind("review_cycle_open", gettext_lazy("Review cycle open"), personal=False,
                                  group_safe=True,
                                  render=_review_cycle_open, defaults=("email",)))
PLAN_SUBMITTED = register(Kind("plan_submitted", gettext_lazy("Mentoring plan submitted"), render=_plan_submitted))
PLAN_APPROVED = register(Kind("plan_approved", gettext_lazy("Mentoring plan approved"), render=_plan_approved,
                              defaults=("email",)))
PLAN_RETURNED = register(Kind("plan_returned", gettext_lazy("Mentoring plan returned"), render=_plan_returned,
                              defaults=("email",)))
SESSION_DUE = register(Kind("session_due", gettext_lazy("Mentoring session due"), render=_session_due))
ITEM_OVERDUE = register(Kind("item_overdue", gettext_lazy("Mentoring item overdue"), urgent=True, render=_item_overdue))
MENTORING_INVITATION = register(Kind("mentoring_invitation", gettext_lazy("Invitation to mentor"), render=_invitation))
APPLICATION_DECIDED = register(Kind("application_decided", gettext_lazy("Mentor application decided"),
                                    render=_application_decided))
SURVEY_DUE = register(Kind("survey_due", gettext_lazy("Mentoring survey"), render=_survey_due))


# MentoringNotice.kind → notification kind (plan decisions split by their data's "decision").
MENTORING_KINDS = {
    "reminder": SESSION_DUE.key,
    "overdue": ITEM_OVERDUE.key,
    "invitation": MENTORING_INVITATION.key,
    "application": APPLICATION_DECIDED.key,
    "plan_submitted": PLAN_SUBMITTED.key,
    "survey": SURVEY_DUE.key,
}
# PerformanceNotice.kind → notification kind.
PERFORMANCE_KINDS = {"alert_opened": ALERT_OPENED.key, "review_opened": ROOT_CAUSE_REVIEW.key}


def mentoring_kind(notice_kind: str, data: dict) -> str | None:
    if notice_kind == "plan_decided":
        return PLAN_RETURNED.key if (data or {}).get("decision") == "returned" else PLAN_APPROVED.key
    return MENTORING_KINDS.get(notice_kind)
