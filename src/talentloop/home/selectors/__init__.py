"""What the home page shows, shaped for who the person is. The home app owns no data: every
section reads through another app's selectors or access scopes, is a small dataclass, and renders
as one template partial (so htmx can refresh it alone). A person with several roles gets the
sections of each, most urgent first; the number of queries depends on the roles, never on the size
of the company."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from talentloop.core.access import Actor
from talentloop.home.selectors import apps, hr, mentoring, performance, team
from talentloop.home.selectors.base import INFO, Ctx, Section


@dataclass
class SubmitResult(Section):
    key = "submit_result"


def submit_result(ctx: Ctx) -> SubmitResult | None:
    from talentloop.home.nav import _exists

    if ctx.employee is None or not _exists("performance:result-submit"):
        return None
    return SubmitResult(urgency=INFO - 10)


def _my_mentor(ctx: Ctx):
    section = mentoring.my_mentor(ctx)
    ctx.cache["has_mentor"] = section is not None
    return section


def _mentor_entry(ctx: Ctx):
    return mentoring.mentor_entry(ctx, has_mentor=ctx.cache.get("has_mentor", False))


# Every section, in the order that breaks ties of urgency. ``roles`` says for whom it is built:
# "everyone", "employee" (anyone with an employee record), "newhire", "mentor", "manager", "hr".
@dataclass(frozen=True)
class Spec:
    key: str
    roles: frozenset[str]
    build: Callable[[Ctx], Section | None]


SPECS: list[Spec] = [
    Spec("notifications", frozenset({"employee"}), apps.notifications),
    Spec("alerts", frozenset({"employee", "manager", "hr"}), performance.alerts),
    Spec("results_confirm", frozenset({"manager", "hr"}), team.results_to_confirm),
    Spec("team_overdue", frozenset({"manager"}), team.team_overdue),
    Spec("team_onboarding", frozenset({"manager"}), team.team_onboarding),
    Spec("mentor_due", frozenset({"mentor"}), mentoring.mentor_due),
    Spec("onboarding", frozenset({"employee"}), apps.onboarding),
    Spec("hr", frozenset({"hr"}), hr.hr_overview),
    Spec("team", frozenset({"manager"}), team.team_glance),
    Spec("mentees", frozenset({"mentor"}), mentoring.mentees),
    Spec("performance", frozenset({"employee"}), performance.live_performance),
    Spec("my_mentor", frozenset({"employee"}), _my_mentor),
    Spec("training", frozenset({"newhire"}), apps.training),
    Spec("goals", frozenset({"newhire"}), performance.goals),
    Spec("feedback", frozenset({"employee"}), performance.feedback),
    Spec("recommendations", frozenset({"employee"}), apps.recommendations),
    Spec("promotion", frozenset({"employee"}), apps.promotion),
    Spec("mentor_stats", frozenset({"mentor"}), mentoring.mentor_stats),
    Spec("team_growth", frozenset({"manager"}), team.team_growth),
    Spec("mentor_entry", frozenset({"employee"}), _mentor_entry),
    Spec("resources", frozenset({"mentor"}), apps.resources),
    Spec("submit_result", frozenset({"employee"}), submit_result),
]
SPEC_BY_KEY = {s.key: s for s in SPECS}


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


def greeting(actor: Actor):
    """The person's name, position, unit and manager for the greeting: one query that leaves out the
    encrypted HR fields (nothing to decrypt on every home page)."""
    if actor.employee is None:
        return None
    from talentloop.organisation.access import visible_employees

    return (visible_employees(actor).filter(pk=actor.employee.pk)
            .select_related("org_unit", "job_family", "position", "manager")
            .only("id", "name", "name_en", "level", "org_unit__id", "org_unit__name", "org_unit__name_en",
                  "job_family__id", "job_family__name", "job_family__name_en", "position__id", "position__name",
                  "position__name_en", "manager__id", "manager__name", "manager__name_en").first())


@dataclass
class HomePage:
    employee: object
    roles: frozenset[str]
    sections: list[Section] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.sections]


def home_page(actor: Actor, today: dt.date | None = None) -> HomePage:
    ctx = Ctx(actor=actor, today=today or timezone.localdate())
    roles = roles_of(ctx)
    employee = greeting(actor)
    built = []
    for order, spec in enumerate(SPECS):
        if spec.roles & roles:
            section = spec.build(ctx)
            if section is not None:
                built.append((-section.urgency, order, section))
    built.sort(key=lambda t: (t[0], t[1]))
    return HomePage(employee=employee, roles=roles, sections=[s for _u, _o, s in built])


def home_section(actor: Actor, key: str, today: dt.date | None = None) -> Section | None:
    """One section alone (an htmx refresh), or None when the actor does not get that section."""
    spec = SPEC_BY_KEY.get(key)
    if spec is None:
        return None
    ctx = Ctx(actor=actor, today=today or timezone.localdate())
    if not spec.roles & roles_of(ctx):
        return None
    if key == "mentor_entry":
        ctx.cache["has_mentor"] = mentoring.my_mentor(ctx) is not None
    return spec.build(ctx)
