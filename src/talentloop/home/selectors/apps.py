"""Sections fed by the apps built alongside the home page (notifications, learning, onboarding,
careers). Each reads through the promised selector of its app; while an app does not offer it, the
section is left out rather than imitated here."""

from __future__ import annotations

from dataclasses import dataclass, field

from talentloop.home.selectors.base import DUE, INFO, LIVE, URGENT, Ctx, Section, head_and_count, optional


@dataclass
class NotificationsSection(Section):
    key = "notifications"
    unread: int = 0
    latest: list = field(default_factory=list)


def notifications(ctx: Ctx) -> NotificationsSection | None:
    """Shown at the very top while something is unread: the count and the latest three unread."""
    inbox = optional("talentloop.notifications.selectors", "inbox_queryset")
    if inbox is None or ctx.employee is None:
        return None
    latest, unread = head_and_count(inbox(ctx.actor, unread_only=True), 3)  # one query for both
    ctx.cache["unread"] = unread  # the bell in the top bar shows the same count
    if not unread:
        return None
    return NotificationsSection(urgency=URGENT + 5, unread=unread, latest=latest)


@dataclass
class OnboardingSection(Section):
    key = "onboarding"
    summary: object = None


def onboarding(ctx: Ctx) -> OnboardingSection | None:
    fn = optional("talentloop.onboarding.selectors", "onboarding_summary")
    if fn is None or ctx.employee is None:
        return None
    summary = fn(ctx.actor, ctx.employee, ctx.today)
    if summary is None or summary.complete:
        return None
    return OnboardingSection(urgency=URGENT if summary.overdue else DUE, summary=summary)


def is_new_hire(ctx: Ctx) -> bool:
    fn = optional("talentloop.onboarding.selectors", "is_new_hire")
    return bool(fn is not None and ctx.employee is not None and fn(ctx.employee, ctx.today))


@dataclass
class TrainingSection(Section):
    key = "training"
    sessions: list = field(default_factory=list)


def training(ctx: Ctx) -> TrainingSection | None:
    fn = optional("talentloop.learning.selectors", "training_this_week")
    if fn is None or ctx.employee is None:
        return None
    sessions = list(fn(ctx.actor, ctx.employee))
    return TrainingSection(urgency=DUE if sessions else INFO, sessions=sessions)


@dataclass
class RecommendationsSection(Section):
    key = "recommendations"
    items: list = field(default_factory=list)


def recommendations(ctx: Ctx) -> RecommendationsSection | None:
    fn = optional("talentloop.learning.selectors", "recommendation_list")
    if fn is None or ctx.employee is None:
        return None
    performance = ctx.built("performance")  # its latest explanation says what is below target
    detail = performance.latest_detail if performance is not None else None
    items = list(fn(ctx.actor, ctx.employee, limit=3, latest_score_detail=detail))
    if not items:
        return None
    return RecommendationsSection(urgency=INFO, items=items)


@dataclass
class ResourcesSection(Section):
    key = "resources"
    items: list = field(default_factory=list)


def resources(ctx: Ctx) -> ResourcesSection | None:
    fn = optional("talentloop.learning.selectors", "resource_list")
    if fn is None or not ctx.is_mentor:
        return None
    return ResourcesSection(urgency=INFO - 5, items=list(fn(ctx.actor, limit=5)))


@dataclass
class PromotionSection(Section):
    key = "promotion"
    path: object = None
    met: int = 0
    total: int = 0


def promotion(ctx: Ctx) -> PromotionSection | None:
    fn = optional("talentloop.careers.selectors", "promotion_path")
    if fn is None or ctx.employee is None:
        return None
    path = fn(ctx.actor, ctx.employee)
    if path is None:
        return None
    reqs = list(path.requirements)
    return PromotionSection(urgency=INFO, path=path, met=sum(1 for r in reqs if r.met), total=len(reqs))


__all__ = ["LIVE", "NotificationsSection", "OnboardingSection", "PromotionSection", "RecommendationsSection",
           "ResourcesSection", "TrainingSection", "is_new_hire", "notifications", "onboarding", "promotion",
           "recommendations", "resources", "training"]
