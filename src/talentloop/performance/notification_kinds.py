"""Notification kinds of work results and of the root-cause run's digest (registered from
PerformanceConfig.ready()). All are personal: never posted to a group chat."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.notifications.kinds import PERFORMANCE_KINDS, Kind, pick, register


def _kind_label(data: dict) -> str:
    from talentloop.performance.models import WorkResultKind

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


WORK_RESULT_SUBMITTED = register(Kind("work_result_submitted", gettext_lazy("Work result to confirm"), personal=True,
                                      render=_submitted))
WORK_RESULT_DECIDED = register(Kind("work_result_decided", gettext_lazy("Work result decided"), personal=True,
                                    render=_decided))


def _review_digest(data: dict) -> str:
    from talentloop.performance.services.alerts import notice_text

    return notice_text("review_digest", data)


# One notice per manager and root-cause run (``rootcause.notify_reviews``); about units, not one
# person, but kept personal all the same: a unit's misses are not for a group chat.
ROOT_CAUSE_DIGEST = register(Kind("root_cause_digest", gettext_lazy("Root-cause reviews (digest)"),
                                  render=_review_digest))
PERFORMANCE_KINDS["review_digest"] = ROOT_CAUSE_DIGEST.key
