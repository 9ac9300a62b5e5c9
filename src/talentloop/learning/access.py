"""Who may see and change learning data.

- Published content is visible to its audience: everyone, people in the chosen org units (sub-units
  included), in the chosen job families, mentors, or new hires. The mentor resource library
  (kind "resource") is for mentors and HR only, whatever its audience says.
- Drafts and archived items: their author and HR. Administrators read everything (technical
  accounts) but author nothing.
- HR publishes everything; mentors publish resources and articles (and edit their own items).
- Sessions follow their content; HR schedules and cancels them; HR and the organiser mark attendance.
- Sign-ups are seen by the person, HR and the session's organiser.
- Behaviour events are only ever the person's own: no scope returns another person's events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.learning.models import (
    Audience,
    ContentItem,
    ContentKind,
    ContentStatus,
    SessionStatus,
    TrainingSession,
    TrainingSignup,
)
from talentloop.onboarding.selectors import is_new_hire as onboarding_is_new_hire
from talentloop.organisation.models import Employee


def is_mentor(actor: Actor) -> bool:
    return actor.is_authenticated and "mentor" in actor.roles


def is_new_hire(actor: Actor, today: dt.date | None = None) -> bool:
    """The onboarding app decides: the first 90 days, or in an active new-graduate programme."""
    if actor.employee is None:
        return False
    return bool(onboarding_is_new_hire(actor.employee, today or timezone.localdate()))


def _ancestor_paths(path: str) -> list[str]:
    """'/1/4/9/' -> ['/1/', '/1/4/', '/1/4/9/']: the units whose audience includes a person of unit 9."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _audience_q(actor: Actor, today: dt.date | None = None) -> Q:
    """Published items whose audience includes the actor as a person (not by HR's privilege)."""
    q = Q(audience=Audience.EVERYONE)
    employee = actor.employee
    if employee is not None:
        through_units = ContentItem.org_units.through
        through_families = ContentItem.job_families.through
        # Q & Exists is a Q at run time; the stubs type it as a Combinable.
        q |= Q(audience=Audience.ORG_UNITS) & Exists(through_units.objects.filter(  # type: ignore[assignment]
            contentitem_id=OuterRef("pk"), orgunit__path__in=_ancestor_paths(employee.org_unit.path)))
        q |= Q(audience=Audience.JOB_FAMILIES) & Exists(through_families.objects.filter(  # type: ignore[assignment]
            contentitem_id=OuterRef("pk"), jobfamily_id=employee.job_family_id))
        if is_new_hire(actor, today):
            q |= Q(audience=Audience.NEW_HIRES)
    if is_mentor(actor) or actor.is_hr:
        q |= Q(audience=Audience.MENTORS)
    if not (is_mentor(actor) or actor.is_hr):
        q &= ~Q(kind=ContentKind.RESOURCE)
    return Q(status=ContentStatus.PUBLISHED) & q


@dataclass(frozen=True)
class CatalogueEntry:
    """A published item as the audience rule and the recommender need it (no text)."""

    id: int
    kind: str
    tags: tuple[str, ...]
    published_at: dt.datetime | None
    audience: str
    unit_ids: frozenset[int]
    family_ids: frozenset[int]
    author_id: int | None = None
    item: ContentItem | None = None  # the item itself without its body, for cards (read only)


def published_catalogue() -> list[CatalogueEntry]:
    """Every published item (without its body), newest first, with the org units and job families it
    is meant for: three queries, kept in the shared cache while the configuration does not change
    (core.cache; learning registers the content items and their audiences). Read only."""

    def build() -> list[CatalogueEntry]:
        published = ContentItem.objects.filter(status=ContentStatus.PUBLISHED)
        units: dict[int, set[int]] = {}
        for item, unit in ContentItem.org_units.through.objects.filter(
                contentitem__status=ContentStatus.PUBLISHED).values_list("contentitem_id", "orgunit_id"):
            units.setdefault(item, set()).add(unit)
        families: dict[int, set[int]] = {}
        for item, family in ContentItem.job_families.through.objects.filter(
                contentitem__status=ContentStatus.PUBLISHED).values_list("contentitem_id", "jobfamily_id"):
            families.setdefault(item, set()).add(family)
        return [CatalogueEntry(i.pk, i.kind, tuple(t for t in i.tags or [] if isinstance(t, str)), i.published_at,
                               i.audience, frozenset(units.get(i.pk, ())), frozenset(families.get(i.pk, ())),
                               i.author_id, i)
                for i in published.order_by("-published_at", "-id").defer("body", "tag_index")]

    return cache.cached(("learning.published_catalogue",), build, depends=("learning",))


def audience_entries(actor: Actor, today: dt.date | None = None) -> list[CatalogueEntry]:
    """The published items meant for the actor as a person, newest first: the rule of
    :func:`audience_content` applied to the kept catalogue (no query but the new-hire check, which a
    page makes once). A test holds the two to the same answer."""
    if not actor.is_authenticated:
        return []
    employee = actor.employee
    mentor_or_hr = is_mentor(actor) or actor.is_hr
    units: set[int] = set()
    family = None
    new_hire = False
    if employee is not None:
        units = {int(p) for p in employee.org_unit.path.split("/") if p}
        family = employee.job_family_id
        new_hire = is_new_hire(actor, today)
    out = []
    for entry in published_catalogue():
        if entry.kind == ContentKind.RESOURCE and not mentor_or_hr:
            continue
        audience = entry.audience
        if (audience == Audience.EVERYONE
                or (audience == Audience.MENTORS and mentor_or_hr)
                or (employee is not None and (
                    (audience == Audience.ORG_UNITS and not entry.unit_ids.isdisjoint(units))
                    or (audience == Audience.JOB_FAMILIES and family in entry.family_ids)
                    or (audience == Audience.NEW_HIRES and new_hire)))):
            out.append(entry)
    return out


def audience_content(actor: Actor, today: dt.date | None = None) -> QuerySet[ContentItem]:
    """Published items meant for the actor as a person: what recommendations choose from."""
    if not actor.is_authenticated:
        return ContentItem.objects.none()
    return ContentItem.objects.filter(_audience_q(actor, today))


def visible_content(actor: Actor) -> QuerySet[ContentItem]:
    if not actor.is_authenticated:
        return ContentItem.objects.none()
    if actor.is_hr or actor.is_admin:
        return ContentItem.objects.all()
    return ContentItem.objects.filter(_audience_q(actor) | Q(author_id=actor.user_id))


def can_create_content(actor: Actor, kind: str | None = None) -> bool:
    """HR publishes any kind; mentors publish resources and articles."""
    if not actor.is_authenticated:
        return False
    if actor.is_hr:
        return True
    if is_mentor(actor):
        return kind is None or kind in (ContentKind.RESOURCE, ContentKind.ARTICLE)
    return False


def can_edit_content(actor: Actor, item: ContentItem) -> bool:
    if not actor.is_authenticated:
        return False
    if actor.is_hr:
        return True
    return is_mentor(actor) and item.author_id == actor.user_id and item.kind != ContentKind.COURSE


def can_learn(actor: Actor) -> bool:
    """Completing, dismissing and signing up are done by a person for themselves."""
    return actor.is_authenticated and actor.employee is not None


def can_manage_sessions(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr


def visible_sessions(actor: Actor) -> QuerySet[TrainingSession]:
    if not actor.is_authenticated:
        return TrainingSession.objects.none()
    qs = TrainingSession.objects.filter(content__in=visible_content(actor))
    if actor.employee is not None and not (actor.is_hr or actor.is_admin):
        # The organiser always sees the session they run.
        qs = TrainingSession.objects.filter(Q(content__in=visible_content(actor)) | Q(organiser=actor.employee))
    return qs


def is_organiser(actor: Actor, session: TrainingSession) -> bool:
    return actor.employee is not None and session.organiser_id == actor.employee.pk


def can_mark_attendance(actor: Actor, session: TrainingSession) -> bool:
    if session.status != SessionStatus.SCHEDULED:
        return False
    return actor.is_authenticated and (actor.is_hr or is_organiser(actor, session))


def can_view_signups(actor: Actor, session: TrainingSession) -> bool:
    return actor.is_authenticated and (actor.is_hr or actor.is_admin or is_organiser(actor, session))


def visible_signups(actor: Actor) -> QuerySet[TrainingSignup]:
    """One's own sign-ups; those of sessions one organises; HR and administrators: all."""
    if not actor.is_authenticated:
        return TrainingSignup.objects.none()
    if actor.is_hr or actor.is_admin:
        return TrainingSignup.objects.all()
    if actor.employee is None:
        return TrainingSignup.objects.none()
    return TrainingSignup.objects.filter(Q(employee=actor.employee) | Q(session__organiser=actor.employee))


def can_record_behaviour(actor: Actor, employee_id: int) -> bool:
    """Behaviour events only ever for oneself."""
    return actor.is_authenticated and actor.employee is not None and actor.employee.pk == employee_id


def can_view_recommendations(actor: Actor, employee: Employee) -> bool:
    """Recommendations come from a person's browsing: only they see theirs."""
    return can_record_behaviour(actor, employee.pk)
