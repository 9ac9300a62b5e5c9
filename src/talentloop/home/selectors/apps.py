"""Sections fed by the notifications, learning, onboarding and careers apps, each read through that
app's selectors."""

from __future__ import annotations

from dataclasses import dataclass, field

from talentloop.careers import selectors as careers_selectors
from talentloop.home.selectors.base import DUE, INFO, LIVE, URGENT, Ctx, Section, head_and_count
from talentloop.learning import selectors as learning_selectors
from talentloop.notifications import selectors as notifications_selectors
from talentloop.onboarding import selectors as onboarding_selectors


@dataclass
class NotificationsSection(Section):
    key = "notifications"
    unread: int = 0
    latest: list = field(default_factory=list)


def notifications(ctx: Ctx) -> NotificationsSection | None:
    """Shown at the very top while something is unread: the count and the latest three unread."""
    if ctx.employee is None:
        return None
    inbox = notifications_selectors.inbox_queryset(ctx.actor, unread_only=True)
    latest, unread = head_and_count(inbox, 3)  # one query for both
    ctx.cache["unread"] = unread  # the bell in the top bar shows the same count
    if not unread:
        return None
    return NotificationsSection(urgency=URGENT + 5, unread=unread, latest=latest)


@dataclass
class OnboardingSection(Section):
    key = "onboarding"
    summary: object = None


def onboarding(ctx: Ctx) -> OnboardingSection | None:
    if ctx.employee is None:
        return None
    summary = onboarding_selectors.onboarding_summary(ctx.actor, ctx.employee, ctx.today)
    if summary is None or summary.complete:
        return None
    return OnboardingSection(urgency=URGENT if summary.overdue else DUE, summary=summary)


def is_new_hire(ctx: Ctx) -> bool:
    return ctx.employee is not None and onboarding_selectors.is_new_hire(ctx.employee, ctx.today)


@dataclass
class TrainingSection(Section):
    key = "training"
    sessions: list = field(default_factory=list)


def training(ctx: Ctx) -> TrainingSection | None:
    if ctx.employee is None:
        return None
    sessions = list(learning_selectors.training_this_week(ctx.actor, ctx.employee))
    return TrainingSection(urgency=DUE if sessions else INFO, sessions=sessions)


@dataclass
class RecommendationsSection(Section):
    key = "recommendations"
    items: list = field(default_factory=list)


def recommendations(ctx: Ctx) -> RecommendationsSection | None:
    if ctx.employee is None:
        return None
    performance = ctx.built("performance")  # its latest explanation says what is below target
    detail = performance.latest_detail if performance is not None else None
    items = list(learning_selectors.recommendation_list(ctx.actor, ctx.employee, limit=3,
                                                        latest_score_detail=detail))
    if not items:
        return None
    return RecommendationsSection(urgency=INFO, items=items)


@dataclass
class ResourcesSection(Section):
    key = "resources"
    items: list = field(default_factory=list)


def resources(ctx: Ctx) -> ResourcesSection | None:
    if not ctx.is_mentor:
        return None
    return ResourcesSection(urgency=INFO - 5, items=list(learning_selectors.resource_list(ctx.actor, limit=5)))


@dataclass
class PromotionSection(Section):
    key = "promotion"
    path: object = None
    met: int = 0
    total: int = 0


def promotion(ctx: Ctx) -> PromotionSection | None:
    if ctx.employee is None:
        return None
    path = careers_selectors.promotion_path(ctx.actor, ctx.employee)
    if path is None:
        return None
    reqs = list(path.requirements)
    return PromotionSection(urgency=INFO, path=path, met=sum(1 for r in reqs if r.met), total=len(reqs))


__all__ = ["LIVE", "NotificationsSection", "OnboardingSection", "PromotionSection", "RecommendationsSection",
           "ResourcesSection", "TrainingSection", "is_new_hire", "notifications", "onboarding", "promotion",
           "recommendations", "resources", "training"]
