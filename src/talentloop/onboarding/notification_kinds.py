"""Notification kinds of onboarding, registered from OnboardingConfig.ready().

Every one is personal: it names a new hire and their progress, so none may go to a group bot."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentloop.notifications.kinds import Kind, pick, register


def _step_due(data: dict) -> str:
    if data.get("for_new_hire"):
        return gettext("Onboarding: “%(step)s” is due on %(due)s.") % {
            "step": pick(data, "title"), "due": data.get("due_on", "")}
    return gettext("Onboarding of %(name)s: “%(step)s” is due on %(due)s.") % {
        "name": pick(data, "name"), "step": pick(data, "title"), "due": data.get("due_on", "")}


def _step_overdue(data: dict) -> str:
    return gettext("Overdue onboarding step for %(name)s: “%(step)s” was due on %(due)s.") % {
        "name": pick(data, "name"), "step": pick(data, "title"), "due": data.get("due_on", "")}


def _started(data: dict) -> str:
    if data.get("for_new_hire"):
        return gettext("Welcome! Your onboarding checklist is ready.")
    return gettext("Onboarding of %(name)s has started (%(start)s).") % {
        "name": pick(data, "name"), "start": data.get("start_date", "")}


ONBOARDING_STEP_DUE = register(Kind(key="onboarding_step_due", label=_("Onboarding step due"), render=_step_due))
ONBOARDING_STEP_OVERDUE = register(Kind(key="onboarding_step_overdue", label=_("Onboarding step overdue"),
                                        urgent=True, render=_step_overdue))
ONBOARDING_STARTED = register(Kind(key="onboarding_started", label=_("Onboarding started"), render=_started))
