"""The performance app's notification kinds (registered from ``PerformanceConfig.ready()``).

The keys are stored with every notification and every channel preference: never rename one.
A kind's sentence is rebuilt from the data stored with the notification, in the reader's language;
names are stored in both languages (``person`` and ``person_en``) and ``pick`` chooses. Everything
here is personal (about one person's results, or a unit's misses) except the review cycle
announcement, which names nobody's results and may go to a group chat.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from talentloop.core.bilingual import localized
from talentloop.notifications.kinds import Kind, pick, register
from talentloop.performance.models import CauseKey, WorkResultKind

# ---------------------------------------------------------------- feedback, scores, reviews


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


def _review_cycle_open(data: dict) -> str:
    return _("The review cycle “%(cycle)s” is open; self reviews are due on %(due)s.") % {
        "cycle": pick(data, "cycle"), "due": data["self_due"]}


def _review_due_soon(data: dict) -> str:
    if data.get("self"):
        return _("Your self review in “%(cycle)s” is due on %(due)s.") % {"cycle": data["cycle"], "due": data["due"]}
    return _("Your review of %(person)s in “%(cycle)s” is due on %(due)s.") % {
        "person": pick(data, "person"), "cycle": data["cycle"], "due": data["due"]}


def _review_overdue(data: dict) -> str:
    if data.get("self"):
        return _("Your self review in “%(cycle)s” was due on %(due)s.") % {"cycle": data["cycle"], "due": data["due"]}
    return _("Your review of %(person)s in “%(cycle)s” was due on %(due)s.") % {
        "person": pick(data, "person"), "cycle": data["cycle"], "due": data["due"]}


# ---------------------------------------------------------------- decline alerts and root causes


def alert_opened_text(data: dict) -> str:
    """A new decline alert, with its evidence (the change is absent when the baseline was 0)."""
    values = {"person": pick(data, "person"), "metric": pick(data, "metric"), "baseline": data["baseline"],
              "current": data["current"], "window": data["window"]}
    if data.get("change_pct") is not None:
        return _("%(person)s: %(metric)s went from %(baseline)s to %(current)s in %(window)s "
                 "(%(change)s%% worse).") % {**values, "change": data["change_pct"]}
    return _("%(person)s: %(metric)s went from %(baseline)s to %(current)s in %(window)s.") % values


def root_cause_review_text(data: dict) -> str:
    return _("%(unit)s missed its %(metric)s target %(n)s periods in a row (to %(period)s); "
             "likely cause: %(cause)s.") % {
        "unit": pick(data, "unit"), "metric": pick(data, "metric"), "n": data["periods"], "period": data["period"],
        "cause": CauseKey(data["cause"]).label}


def root_cause_digest_text(data: dict) -> str:
    # "unclear" reviews are never told one by one: they come here, counted, with the units named.
    units = localized(data, "units")
    return ngettext("%(n)s root-cause review opened (%(likely)s with a likely cause, %(missing)s where "
                    "evidence is missing): %(units)s.",
                    "%(n)s root-cause reviews opened (%(likely)s with a likely cause, %(missing)s where "
                    "evidence is missing): %(units)s.", data["count"]) % {
        "n": data["count"], "likely": data["likely"], "missing": data["unclear"],
        "units": _(", ").join(units or [])}


# ---------------------------------------------------------------- work results


def _kind_label(data: dict) -> str:
    try:
        return str(WorkResultKind(data.get("kind")).label)
    except ValueError:
        return _("work result")


def _submitted(data: dict) -> str:
    return _("%(person)s submitted a result to confirm: %(kind)s %(headline)s") % {
        "person": pick(data, "employee"), "kind": _kind_label(data), "headline": data.get("headline", "")}


def _decided(data: dict) -> str:
    if data.get("status") == "confirmed":
        return _("Your result was confirmed: %(kind)s %(headline)s") % {
            "kind": _kind_label(data), "headline": data.get("headline", "")}
    return _("Your result was rejected: %(kind)s %(headline)s") % {
        "kind": _kind_label(data), "headline": data.get("headline", "")}


FEEDBACK_RECEIVED = register(Kind("feedback_received", gettext_lazy("Feedback received"), render=_feedback_received))
FEEDBACK_REQUESTED = register(Kind("feedback_requested", gettext_lazy("Feedback requested"),
                                   render=_feedback_requested))
SCORE_UPDATED = register(Kind("score_updated", gettext_lazy("Score updated"), render=_score_updated))
ALERT_OPENED = register(Kind("alert_opened", gettext_lazy("Decline alert"), urgent=True, render=alert_opened_text))
REVIEW_DUE_SOON = register(Kind("review_due_soon", gettext_lazy("Review due soon"), render=_review_due_soon))
REVIEW_OVERDUE = register(Kind("review_overdue", gettext_lazy("Review overdue"), urgent=True, render=_review_overdue))
ROOT_CAUSE_REVIEW = register(Kind("root_cause_review", gettext_lazy("Root-cause review"),
                                  render=root_cause_review_text))
REVIEW_CYCLE_OPEN = register(Kind("review_cycle_open", gettext_lazy("Review cycle open"), personal=False,
                                  group_safe=True, render=_review_cycle_open, defaults=("email",)))
WORK_RESULT_SUBMITTED = register(Kind("work_result_submitted", gettext_lazy("Work result to confirm"), personal=True,
                                      render=_submitted))
WORK_RESULT_DECIDED = register(Kind("work_result_decided", gettext_lazy("Work result decided"), personal=True,
                                    render=_decided))
# One per recipient and root-cause run (``rootcause.notify_reviews``); about units, not one person,
# but kept personal all the same: a unit's misses are not for a group chat.
ROOT_CAUSE_DIGEST = register(Kind("root_cause_digest", gettext_lazy("Root-cause reviews (digest)"),
                                  render=root_cause_digest_text))

# What the alerts page lists as "notices": the notifications of decline alerts and root-cause reviews.
ALERT_PAGE_KINDS = (ALERT_OPENED.key, ROOT_CAUSE_REVIEW.key, ROOT_CAUSE_DIGEST.key)
