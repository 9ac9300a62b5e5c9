"""What the home page shows, shaped for who the person is. The home app owns no data: every
section reads through another app's selectors or access scopes, is a small dataclass, and renders
as one template partial (so htmx can refresh it alone). A person with several roles gets the
sections of each, most urgent first; the number of queries depends on the roles, never on the size
of the company."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from talentloop.core.access import Actor
from talentloop.home.selectors import apps, attendance, hr, mentoring, performance, team
from talentloop.home.selectors.base import INFO, Ctx, KeptForReader, Section, kept_a_while
from talentloop.onboarding import selectors as onboarding_selectors
from talentloop.organisation import selectors as org_selectors
from talentloop.performance import access as perf_access
from talentloop.performance.selectors import ratings_memo

if TYPE_CHECKING:
    from talentloop.organisation.models import Employee


@dataclass
class SubmitResult(Section):
    key = "submit_result"


def submit_result(ctx: Ctx) -> SubmitResult | None:
    if not perf_access.can_submit_work_result(ctx.actor):
        return None
    return SubmitResult(urgency=INFO - 10)


def _mentor_entry(ctx: Ctx) -> mentoring.MentorEntrySection | None:
    return mentoring.mentor_entry(ctx, has_mentor=ctx.built("my_mentor") is not None)


# Every section, in the order that breaks ties of urgency. ``roles`` says for whom it is built:
# "everyone", "employee" (anyone with an employee record), "newhire", "mentor", "manager", "hr".
# Every section is built within a query budget that does not grow with the company
# (tests/test_home_query_counts.py); the configuration they read is kept (core.cache), and so are the
# reader's own sections (``own``) until a write concerning the reader commits (``KeptForReader``).
@dataclass(frozen=True)
class Spec:
    key: str
    roles: frozenset[str]
    build: Callable[[Ctx], Section | None]
    needs: tuple[str, ...] = ()  # sections this one reads (built first when it is refreshed alone)
    # Seconds a section over a whole team is kept for its reader (``kept_a_while``); 0: built live.
    kept: int = 0
    # The reader's own data, kept with the reader's other own sections until a write concerning them
    # (``KeptForReader``): every model it reads renews the reader's version or is configuration
    # (src/talentloop/home/tests/test_cache_registry.py).
    own: bool = False
    # An own section whose markup holds no form (a form's CSRF token belongs to the session): kept
    # rendered too, in each process, under the same key as its data (index.html).
    rendered: bool = False

    def section(self, ctx: Ctx, kept: KeptForReader | None = None) -> Section | None:
        """Built, and remembered on ``ctx`` for the sections after it that read it."""
        if self.kept:
            section = kept_a_while(ctx, self.key, self.kept, TEAM_DEPENDS, lambda: self.build(ctx))
        elif self.own and kept is not None:
            section = kept.section(self.key, lambda: self.build(ctx))
        else:
            section = self.build(ctx)
        ctx.cache.setdefault("built", {})[self.key] = section
        return section


# A manager's figures over their whole reporting tree (a director's covers thousands of people) are
# kept a minute: the averages, the overdue and onboarding lists' heads and the growth figure change
# with every recomputation, yet a manager acts on them at the pace of days. The pages they link to are
# live, and a new scorecard or mentoring policy shows at once.
TEAM_KEPT = 60
TEAM_DEPENDS = ("performance", "mentoring")


SPECS: list[Spec] = [
    Spec("notifications", frozenset({"employee"}), apps.notifications),
    Spec("clock", frozenset({"employee"}), attendance.clock_today),
    Spec("team_attendance", frozenset({"manager"}), attendance.team_attendance),
    Spec("hr_attendance", frozenset({"hr"}), attendance.hr_attendance),
    Spec("alerts", frozenset({"employee", "manager", "hr"}), performance.alerts),
    Spec("results_confirm", frozenset({"manager", "hr"}), team.results_to_confirm),
    Spec("team_overdue", frozenset({"manager"}), team.team_overdue, kept=TEAM_KEPT),
    Spec("team_onboarding", frozenset({"manager"}), team.team_onboarding, kept=TEAM_KEPT),
    Spec("mentor_due", frozenset({"mentor"}), mentoring.mentor_due, own=True),
    Spec("onboarding", frozenset({"employee"}), apps.onboarding, own=True, rendered=True),
    Spec("hr", frozenset({"hr"}), hr.hr_overview),
    Spec("team", frozenset({"manager"}), team.team_glance, kept=TEAM_KEPT),
    Spec("mentees", frozenset({"mentor"}), mentoring.mentees),
    Spec("performance", frozenset({"employee"}), performance.live_performance, own=True, rendered=True),
    Spec("my_mentor", frozenset({"employee"}), mentoring.my_mentor, own=True, rendered=True),
    Spec("training", frozenset({"newhire"}), apps.training),
    Spec("goals", frozenset({"newhire"}), performance.goals),
    Spec("feedback", frozenset({"employee"}), performance.feedback, own=True, rendered=True),
    Spec("recommendations", frozenset({"employee"}), apps.recommendations, needs=("performance",), own=True),
    Spec("promotion", frozenset({"employee"}), apps.promotion, own=True, rendered=True),
    Spec("mentor_stats", frozenset({"mentor"}), mentoring.mentor_stats, own=True, rendered=True),
    Spec("team_growth", frozenset({"manager"}), team.team_growth, kept=TEAM_KEPT),
    Spec("mentor_entry", frozenset({"employee"}), _mentor_entry, needs=("my_mentor",)),
    Spec("resources", frozenset({"mentor"}), apps.resources),
    Spec("submit_result", frozenset({"employee"}), submit_result),
]
SPEC_BY_KEY = {s.key: s for s in SPECS}
RENDERED = frozenset(s.key for s in SPECS if s.own and s.rendered)


def roles_of(ctx: Ctx) -> frozenset[str]:
    """The home-page roles of the actor (a person may have several)."""
    actor = ctx.actor
    out = set()
    if actor.employee is not None:
        out.add("employee")
        if apps.is_new_hire(ctx):
            out.add("newhire")
        if "mentor" in actor.roles:
            out.add("mentor")
        if actor.has_reports:
            out.add("manager")
    if actor.is_hr or actor.is_admin:
        out.add("hr")
    return frozenset(out)


def greeting(actor: Actor) -> Employee | None:
    """The person's name, position, unit and manager for the greeting (organisation's one query)."""
    return org_selectors.own_card_get(actor)


@dataclass
class HomePage:
    employee: object
    roles: frozenset[str]
    sections: list[Section] = field(default_factory=list)
    unread: int | None = None  # unread notifications, when the page counted them
    # The key the reader's own sections are kept under ("" when they are not kept) and which of them
    # are kept rendered as well.
    kept_key: str = ""
    rendered: frozenset[str] = frozenset()

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sections]


RATING_YEARS = 5  # the years of the reader's ratings read together (promotion path, mentor screening)


@contextmanager
def _one_page(ctx: Ctx) -> Iterator[None]:
    """While one page is built, onboarding's new-hire check for the reader is made once and reused (the
    roles here, learning's audience for recommendations and resources ask it too), and so are the
    reader's yearly ratings (the promotion path and the mentor screening both read them)."""
    if ctx.employee is None:
        yield
        return
    years = [str(ctx.today.year - i) for i in range(RATING_YEARS, 0, -1)]
    with ExitStack() as stack:
        stack.enter_context(ratings_memo(ctx.employee.pk, years))
        stack.enter_context(onboarding_selectors.new_hire_known(ctx.employee, ctx.today))
        yield


def home_page(actor: Actor, today: dt.date | None = None) -> HomePage:
    ctx = Ctx(actor=actor, today=today or timezone.localdate(), whole_page=True)
    with _one_page(ctx):
        roles = roles_of(ctx)
        kept = KeptForReader(ctx, roles)
        employee = kept.section("greeting", lambda: greeting(actor)) if ctx.employee is not None else None
        built = []
        for order, spec in enumerate(SPECS):
            if spec.roles & roles:
                section = spec.section(ctx, kept)
                if section is not None:
                    built.append((-section.urgency, order, section))
        kept.close()
    built.sort(key=lambda t: (t[0], t[1]))
    return HomePage(employee=employee, roles=roles, sections=[s for _u, _o, s in built], unread=ctx.cache.get("unread"),
                    kept_key=kept.key, rendered=RENDERED)


def home_section(actor: Actor, key: str, today: dt.date | None = None) -> Section | None:
    """One section alone (an htmx refresh), or None when the actor does not get that section."""
    spec = SPEC_BY_KEY.get(key)
    if spec is None:
        return None
    ctx = Ctx(actor=actor, today=today or timezone.localdate())
    with _one_page(ctx):
        roles = roles_of(ctx)
        if not spec.roles & roles:
            return None
        kept = KeptForReader(ctx, roles)
        for before in SPEC_BY_KEY[key].needs:
            SPEC_BY_KEY[before].section(ctx, kept)
        found = spec.section(ctx, kept)
        kept.close()
        return found
