"""Reads of the learning app; every one starts from an access scope.

Recommendations (``recommendation_list``) score each published item meant for the person that they
have neither completed nor dismissed, from:

- behaviour: an affinity per tag from the person's events of the last 90 days — open +1,
  complete +2, sign-up +1.5, submit +2, dismiss −3 — each halved every 30 days;
- weak performance: the metrics and dimensions of their latest score below target (their keys are
  tags HR puts on content, e.g. "customer-satisfaction");
- the topics of their active mentoring plans (a topic "Code review" matches the tag "code-review");
- a small boost for items published in the last 60 days and for items aimed at their job family,
  and a small penalty for items they opened longer ago (something new is the better suggestion); an
  item opened in the last two weeks is not suggested at all (the person has just read it).

The strongest signal becomes the "Because you …" reason. The cost is a constant number of queries:
the published items meant for the person are loaded once (fine up to a few thousand items; a larger
catalogue would pre-filter by the person's top tags in SQL).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from talentloop.core.access import Actor
from talentloop.core.bilingual import english_active, localized
from talentloop.core.errors import InvalidInput
from talentloop.learning import access
from talentloop.learning.models import (
    TAKING_PLACE,
    Audience,
    BehaviourEvent,
    ContentCompletion,
    ContentItem,
    ContentKind,
    ContentStatus,
    Dismissal,
    SessionStatus,
    SignupStatus,
    TrainingSession,
    TrainingSignup,
)
from talentloop.learning.services import normalise_tags
from talentloop.learning.tags import tag_label
from talentloop.mentoring.models import PlanStatus, PlanTopic
from talentloop.organisation.access import visible_job_families, visible_org_units
from talentloop.organisation.models import Employee
from talentloop.performance.selectors import metric_labels, score_trend

WINDOW_DAYS = 90
HALF_LIFE_DAYS = 30.0
VERB_WEIGHTS = {"open": 1.0, "complete": 2.0, "signup": 1.5, "submit": 2.0, "dismiss": -3.0}
WEAK_METRIC_WEIGHT = 2.5
WEAK_DIMENSION_WEIGHT = 1.5
PLAN_TOPIC_WEIGHT = 2.5
NEW_BOOST = 0.5
NEW_DAYS = 60
FAMILY_BOOST = 0.5
SEEN_PENALTY = 0.75
RECENTLY_OPENED_DAYS = 14  # an item opened this recently is not suggested again (the person just read it)
MAX_CATALOGUE = 5000
WEEK_SESSIONS_READ = 500  # scheduled sessions of the coming week read before the audience filter


# ---------------------------------------------------------------- library


def content_list(actor: Actor, *, q: str = "", tag: str = "", kind: str = "", status: str = "",
                 limit: int = 20, offset: int = 0) -> tuple[list[ContentItem], int]:
    """The library: published items for readers; HR and authors also see their drafts with ``status``."""
    qs = access.visible_content(actor)
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status=ContentStatus.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        tags = normalise_tags([tag])
        if not tags:
            return [], 0
        qs = qs.filter(tag_index__contains=f",{tags[0]},")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(title_en__icontains=q) | Q(summary__icontains=q)
                       | Q(summary_en__icontains=q) | Q(tag_index__icontains=q))
    count = qs.count()
    items = list(qs.order_by("-published_at", "-id")[offset: offset + limit]) if count else []
    return items, count


def audience_refs(actor: Actor, org_unit_ids: list[int], job_family_ids: list[int]) -> tuple[list, list]:
    """The org units and job families an API request names, through the actor's scopes; an unknown
    id is a field error."""

    units = list(visible_org_units(actor).filter(pk__in=org_unit_ids)) if org_unit_ids else []
    families = list(visible_job_families(actor).filter(pk__in=job_family_ids)) if job_family_ids else []
    errors = {}
    if len(units) != len(set(org_unit_ids)):
        errors["org_unit_ids"] = [_("Unknown org unit.")]
    if len(families) != len(set(job_family_ids)):
        errors["job_family_ids"] = [_("Unknown job family.")]
    if errors:
        raise InvalidInput(_("The request is not valid."), errors)
    return units, families


def popular_tags(actor: Actor, *, kind: str = "", limit: int = 16) -> list[str]:
    """The most used tags of the published items the actor sees (for the filter chips)."""
    qs = access.visible_content(actor).filter(status=ContentStatus.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    counter: Counter[str] = Counter()
    for tags in qs.values_list("tags", flat=True)[:MAX_CATALOGUE]:
        counter.update(t for t in tags or [] if isinstance(t, str))
    return [t for t, _n in counter.most_common(limit)]


def content_get(actor: Actor, pk: int) -> ContentItem | None:
    return access.visible_content(actor).select_related("author").filter(pk=pk).first()


def _with_my_signup(actor: Actor, qs: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    qs = qs.annotate(taken=Count("signups", filter=Q(signups__status__in=TAKING_PLACE), distinct=True))
    if actor.employee is None:
        return qs
    mine = TrainingSignup.objects.filter(session=OuterRef("pk"), employee=actor.employee,
                                         status__in=TAKING_PLACE)
    return qs.annotate(signed_up=Exists(mine))


def content_detail(actor: Actor, item: ContentItem) -> dict:
    now = timezone.now()
    sessions = list(_with_my_signup(actor, access.visible_sessions(actor).filter(
        content=item, status=SessionStatus.SCHEDULED, starts_at__gt=now)).order_by("starts_at")[:20])
    completed = (actor.employee is not None
                 and ContentCompletion.objects.filter(employee=actor.employee, content=item).exists())
    return {"item": item, "sessions": sessions, "completed": completed,
            "can_edit": access.can_edit_content(actor, item),
            "can_learn": access.can_learn(actor) and item.status == ContentStatus.PUBLISHED,
            "can_schedule": access.can_manage_sessions(actor) and item.kind == ContentKind.COURSE
            and item.status == ContentStatus.PUBLISHED}


def session_list(actor: Actor, *, upcoming: bool = True, content_id: int | None = None,
                 limit: int = 50, offset: int = 0) -> tuple[list[TrainingSession], int]:
    now = timezone.now()
    qs = access.visible_sessions(actor).select_related("content", "organiser")
    if upcoming:
        qs = qs.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now).order_by("starts_at", "id")
    else:
        qs = qs.filter(starts_at__lte=now).order_by("-starts_at", "-id")
    if content_id:
        qs = qs.filter(content_id=content_id)
    count = qs.count()
    rows = list(_with_my_signup(actor, qs)[offset: offset + limit]) if count else []
    return rows, count


def session_get(actor: Actor, pk: int) -> TrainingSession | None:
    return _with_my_signup(actor, access.visible_sessions(actor).select_related("content", "organiser")) \
        .filter(pk=pk).first()


def session_signups(actor: Actor, session: TrainingSession) -> list[TrainingSignup]:
    """Who signed up: for HR and the organiser only (others get an empty list)."""
    if not access.can_view_signups(actor, session):
        return []
    return list(access.visible_signups(actor).filter(session=session).select_related("employee")
                .order_by("employee__name"))


def session_signup_of(actor: Actor, session: TrainingSession) -> TrainingSignup | None:
    if actor.employee is None:
        return None
    return TrainingSignup.objects.filter(session=session, employee=actor.employee).first()


def my_signups(actor: Actor, *, limit: int = 20) -> list[TrainingSignup]:
    """The person's sign-ups of sessions still to come."""
    if actor.employee is None:
        return []
    return list(TrainingSignup.objects.filter(employee=actor.employee, status=SignupStatus.SIGNED_UP,
                                              session__status=SessionStatus.SCHEDULED,
                                              session__starts_at__gt=timezone.now())
                .select_related("session", "session__content").order_by("session__starts_at")[:limit])


def my_completions(actor: Actor, *, limit: int = 20) -> list[ContentCompletion]:
    if actor.employee is None:
        return []
    return list(ContentCompletion.objects.filter(employee=actor.employee).select_related("content")
                .order_by("-completed_at")[:limit])


def completed_content(employee_ids: list[int]) -> dict[int, set[int]]:
    """Employee id -> completed ContentItem ids, in one query. No access scope: callers pass people they
    already fetched through their own scope."""
    out: dict[int, set[int]] = {e: set() for e in employee_ids}
    if not employee_ids:
        return out
    for emp, content in ContentCompletion.objects.filter(employee_id__in=employee_ids) \
            .values_list("employee_id", "content_id"):
        out.setdefault(emp, set()).add(content)
    return out


def training_this_week(actor: Actor, employee: Employee) -> list[TrainingSession]:
    """Sessions in the coming 7 days the person signed up for, or that are open to them, each with
    ``signed_up``: one query of what the home card shows (the session's time and place, the item's
    title); whether the item is meant for the person is decided on the kept catalogue."""
    if not access.can_view_recommendations(actor, employee):
        return []
    now = timezone.now()
    meant = {e.id for e in access.audience_entries(actor)}
    mine = TrainingSignup.objects.filter(session=OuterRef("pk"), employee_id=employee.pk, status__in=TAKING_PLACE)
    qs = (TrainingSession.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now,
                                         starts_at__lte=now + dt.timedelta(days=7))
          .select_related("content")
          .only("id", "starts_at", "location", "content__id", "content__kind", "content__title", "content__title_en")
          .annotate(signed_up=Exists(mine)).order_by("starts_at", "id"))
    sessions: list[TrainingSession] = [s for s in qs[:WEEK_SESSIONS_READ] if s.content_id in meant]
    return sessions[:20]


def resource_list(actor: Actor, *, limit: int = 5) -> list[ContentItem]:
    """The mentor resource library (kind "resource"): newest first; empty for people who are not
    mentors or HR. From the kept catalogue: no query."""
    if not (access.is_mentor(actor) or actor.is_hr or actor.is_admin):
        return []
    if actor.is_hr or actor.is_admin:
        entries = access.published_catalogue()
    else:  # what visible_content grants a mentor: their audience, and what they wrote
        meant = {e.id for e in access.audience_entries(actor)}
        entries = [e for e in access.published_catalogue() if e.id in meant or e.author_id == actor.user_id]
    return [item for e in entries if e.kind == ContentKind.RESOURCE and (item := e.item) is not None][:limit]


def content_stats(actor: Actor, *, limit: int = 20) -> list[dict]:
    """HR's aggregate view: opens, completions and dismissals per item — never who did what."""
    if not (actor.is_hr or actor.is_admin):
        return []
    since = timezone.now() - dt.timedelta(days=WINDOW_DAYS)
    rows = list(BehaviourEvent.objects.filter(occurred_at__gte=since, content__isnull=False)
                .values("content_id")
                .annotate(opens=Count("id", filter=Q(verb="open")), completions=Count("id", filter=Q(verb="complete")),
                          dismissals=Count("id", filter=Q(verb="dismiss")), people=Count("employee_id", distinct=True))
                .order_by("-people")[:limit])
    titles = {c.pk: c for c in ContentItem.objects.filter(pk__in=[r["content_id"] for r in rows])}
    return [{**r, "content": titles.get(r["content_id"])} for r in rows if r["content_id"] in titles]


# ---------------------------------------------------------------- recommendations


@dataclass
class Recommendation:
    content: ContentItem
    reason: str
    score: float
    signal: str = ""  # behaviour | performance | plan | family | new

    @property
    def pk(self) -> int:
        return self.content.pk


@dataclass
class _TagStats:
    affinity: float = 0.0
    by_verb: dict = field(default_factory=lambda: defaultdict(float))  # verb -> decayed weight
    counts: Counter = field(default_factory=Counter)  # verb -> number of events
    contents: dict = field(default_factory=lambda: defaultdict(set))  # verb -> content ids
    sources: Counter = field(default_factory=Counter)  # sources of submit events


def _decay(age_days: float) -> float:
    return math.pow(0.5, max(age_days, 0.0) / HALF_LIFE_DAYS)


def _behaviour(employee_id: int, now: dt.datetime, kinds: dict[int, str], seen: set[int],
               just_read: set[int] | None = None) -> dict[str, _TagStats]:
    """Tag statistics of the person's recent events; fills ``kinds`` (content id -> kind) for reasons,
    ``seen`` with the items already opened and ``just_read`` with those opened in the last
    ``RECENTLY_OPENED_DAYS`` days."""
    recent = now - dt.timedelta(days=RECENTLY_OPENED_DAYS)
    stats: dict[str, _TagStats] = defaultdict(_TagStats)
    since = now - dt.timedelta(days=WINDOW_DAYS)
    rows = (BehaviourEvent.objects.filter(employee_id=employee_id, occurred_at__gte=since)
            .values_list("verb", "tags", "content_id", "content__kind", "source", "occurred_at"))
    # Read whole (a person's events of the window are a few hundred at most): ``iterator()`` would open
    # a server-side cursor on PostgreSQL, three round trips and a held result for one page.
    for verb, tags, content_id, kind, source, at in rows:
        if content_id and kind:
            kinds[content_id] = kind
        if content_id and verb == "open":
            seen.add(content_id)
            if just_read is not None and at >= recent:
                just_read.add(content_id)
        weight = VERB_WEIGHTS.get(verb, 0.0) * _decay((now - at).total_seconds() / 86400)
        for tag in tags or []:
            if not isinstance(tag, str):
                continue
            s = stats[tag]
            s.affinity += weight
            s.by_verb[verb] += weight
            s.counts[verb] += 1
            if content_id:
                s.contents[verb].add(content_id)
            if verb == "submit":
                s.sources[source] += 1
    return stats


def _weak_performance(actor: Actor, employee: Employee, detail: dict | None = None) -> dict[str, tuple[float, str]]:
    """Tag -> (weight, name) for the metrics and dimensions of the latest score below target (its
    stored explanation ``detail``, read here unless the caller already has it). Names are in the
    reader's language: metrics from their configuration, dimensions as stored (the organisation's
    language) or, for an English reader, from their key."""
    labels = metric_labels()

    def metric_name(key: str, stored: str) -> str:
        info = labels.get(key)
        if info is not None:
            return localized(info, "name") or tag_label(key)
        return stored or tag_label(key)

    out: dict[str, tuple[float, str]] = {}
    if detail is None:
        latest = score_trend(actor, employee, limit=1)
        if not latest:
            return out
        detail = latest[-1].detail or {}
    for dim in detail.get("dimensions", []):
        dim_score = dim.get("score")
        if dim_score is not None and Decimal(str(dim_score)) < 100:
            for tag in normalise_tags([dim.get("key", "")]):
                name = tag_label(tag) if english_active() or not dim.get("name") else dim["name"]
                out.setdefault(tag, (WEAK_DIMENSION_WEIGHT, name))
        for metric in dim.get("metrics", []):
            key, score = metric.get("key", ""), metric.get("score")
            if key == "ratings" or score is None:
                continue
            score = Decimal(str(score))
            if score >= 100:
                continue
            gap = float(min(Decimal(100), 100 - score)) / 50  # up to +2 for a metric far below target
            for tag in normalise_tags([key]):
                weight = WEAK_METRIC_WEIGHT + gap
                if tag not in out or out[tag][0] < weight:
                    out[tag] = (weight, metric_name(key, metric.get("name") or ""))
    return out


def _plan_topics(actor: Actor, employee: Employee) -> dict[str, str]:
    """Tag -> topic title of the person's active mentoring plans."""
    # Recommendations are only ever built for the actor themselves (can_view_recommendations), and a
    # mentee may always read their own plans: no need for the general plan scope here.
    if actor.employee is None or actor.employee.pk != employee.pk:
        return {}
    out: dict[str, str] = {}
    for title in PlanTopic.objects.filter(plan__mentee_id=employee.pk, plan__status=PlanStatus.ACTIVE
                                          ).values_list("title", flat=True):
        for tag in normalise_tags([title]):
            out.setdefault(tag, title)
    return out


def _behaviour_reason(tag: str, stats: _TagStats, kinds: dict[int, str]) -> str:
    verb = max((v for v, w in stats.by_verb.items() if w > 0), key=lambda v: stats.by_verb[v], default="open")
    topic = tag_label(tag)
    if verb == "submit":
        count = stats.counts["submit"]
        source = stats.sources.most_common(1)[0][0] if stats.sources else ""
        if "complaint" in tag or "complaint" in source:
            return ngettext("Because you logged %(count)d customer complaint",
                            "Because you logged %(count)d customer complaints", count) % {"count": count}
        if "feedback" in source:
            return ngettext("Because you logged %(count)d customer feedback record on %(topic)s",
                            "Because you logged %(count)d customer feedback records on %(topic)s",
                            count) % {"count": count, "topic": topic}
        return ngettext("Because you submitted %(count)d work result on %(topic)s",
                        "Because you submitted %(count)d work results on %(topic)s",
                        count) % {"count": count, "topic": topic}
    if verb == "signup":
        return _("Because you signed up for training on %(topic)s") % {"topic": topic}
    ids = stats.contents.get(verb) or set()
    count = len(ids) or stats.counts[verb]
    item_kinds = {kinds.get(i) for i in ids}
    if verb == "complete":
        if item_kinds == {ContentKind.COURSE}:
            return ngettext("Because you completed %(count)d %(topic)s course",
                            "Because you completed %(count)d %(topic)s courses", count) % {"count": count,
                                                                                           "topic": topic}
        return ngettext("Because you completed %(count)d item on %(topic)s",
                        "Because you completed %(count)d items on %(topic)s", count) % {"count": count,
                                                                                      "topic": topic}
    if item_kinds == {ContentKind.COURSE}:
        return ngettext("Because you opened %(count)d %(topic)s course",
                        "Because you opened %(count)d %(topic)s courses", count) % {"count": count, "topic": topic}
    if item_kinds == {ContentKind.ARTICLE}:
        return ngettext("Because you opened %(count)d %(topic)s article",
                        "Because you opened %(count)d %(topic)s articles", count) % {"count": count, "topic": topic}
    return ngettext("Because you opened %(count)d item on %(topic)s",
                    "Because you opened %(count)d items on %(topic)s", count) % {"count": count, "topic": topic}


def recommendation_list(actor: Actor, employee: Employee | None, *, limit: int = 3,
                        latest_score_detail: dict | None = None) -> list[Recommendation]:
    """The person's best items with a reason each, strongest first; empty for anyone but the person
    themselves (recommendations come from their own behaviour). A constant number of queries; a
    caller that already read the person's latest monthly score passes its stored explanation."""
    if employee is None or not access.can_view_recommendations(actor, employee):
        return []
    now = timezone.now()
    # Candidates (and the items shown) come from the kept catalogue (configuration, no query) minus what
    # the person finished or dismissed (one query).
    finished = ContentCompletion.objects.filter(employee_id=employee.pk).order_by().values_list("content_id", flat=True)
    dismissed = Dismissal.objects.filter(employee_id=employee.pk).order_by().values_list("content_id", flat=True)
    done = set(finished.union(dismissed))
    family = employee.job_family_id
    entries = [e for e in access.audience_entries(actor) if e.id not in done][:MAX_CATALOGUE]
    items = {e.id: cast(ContentItem, e.item) for e in entries}  # the catalogue sets every entry's item
    rows = [(e.id, e.tags, e.published_at, e.audience, family is not None and family in e.family_ids)
            for e in entries]
    if not rows:
        return []
    kinds: dict[int, str] = {}
    seen: set[int] = set()
    just_read: set[int] = set()
    behaviour = _behaviour(employee.pk, now, kinds, seen, just_read)
    weak = _weak_performance(actor, employee, latest_score_detail)
    topics = _plan_topics(actor, employee)

    scored: list[tuple[float, dt.datetime | None, int, str, str]] = []  # score, published, id, reason, signal
    for pk, item_tags, published_at, audience, for_family in rows:
        if pk in just_read:
            continue  # the item just read is not its own suggestion; its tags still lead to the next one
        tags = [t for t in item_tags or [] if isinstance(t, str)]
        candidates: list[tuple[float, str, str]] = []  # (contribution, signal, reason)
        total = 0.0
        behaviour_sum = 0.0
        best_tag, best_aff = "", 0.0
        for tag in tags:
            stats = behaviour.get(tag)
            if stats is None:
                continue
            behaviour_sum += stats.affinity
            if stats.affinity > best_aff:
                best_tag, best_aff = tag, stats.affinity
        total += behaviour_sum
        if best_tag and behaviour_sum > 0:
            candidates.append((best_aff, "behaviour", _behaviour_reason(best_tag, behaviour[best_tag], kinds)))
        weak_hits = [weak[t] for t in tags if t in weak]
        if weak_hits:
            weight, name = max(weak_hits, key=lambda h: h[0])
            total += sum(h[0] for h in weak_hits)
            candidates.append((weight, "performance",
                               _("Because your %(name)s is below target") % {"name": name}))
        topic_hits = [topics[t] for t in tags if t in topics]
        if topic_hits:
            total += PLAN_TOPIC_WEIGHT * len(topic_hits)
            candidates.append((PLAN_TOPIC_WEIGHT, "plan",
                               _("Because your mentoring plan covers %(topic)s") % {"topic": topic_hits[0]}))
        age_days = (now - published_at).total_seconds() / 86400 if published_at else NEW_DAYS
        if age_days < NEW_DAYS:
            boost = NEW_BOOST * (1 - age_days / NEW_DAYS)
            total += boost
            candidates.append((boost / 10, "new", _("New in the library")))
        if audience == Audience.JOB_FAMILIES and for_family:
            total += FAMILY_BOOST
            candidates.append((FAMILY_BOOST / 5, "family", _("Because it is meant for your job family")))
        if pk in seen:
            total -= SEEN_PENALTY  # something not yet opened is the better suggestion
        if total <= 0 or not candidates:
            continue
        strength, signal, reason = max(candidates, key=lambda c: c[0])
        scored.append((round(total, 3), published_at, pk, reason, signal))
    scored.sort(key=lambda r: (-r[0], -(r[1] or now).timestamp(), -r[2]))
    return [Recommendation(content=items[pk], reason=reason, score=score, signal=signal)
            for score, _published, pk, reason, signal in scored[:limit]]



def recommended_content(actor: Actor, recommendations: list[Recommendation]) -> dict[int, ContentItem]:
    """The recommended items with their bodies, by id: the catalogue kept for scoring leaves the bodies
    out (the home cards read none), the API answers them in full. One query."""
    return ContentItem.objects.in_bulk([r.pk for r in recommendations])

def my_learning(actor: Actor) -> dict:
    employee = actor.employee
    return {"signups": my_signups(actor), "completions": my_completions(actor),
            "recommendations": recommendation_list(actor, employee, limit=10) if employee else []}


def calendar_signups(actor: Actor, *, start: dt.datetime, end: dt.datetime) -> list[TrainingSignup]:
    """The person's sign-ups of scheduled sessions starting between ``start`` and ``end`` (attended
    ones included): for their calendar feed. One query."""
    if actor.employee is None:
        return []
    return list(TrainingSignup.objects.filter(employee=actor.employee, status__in=TAKING_PLACE,
                                              session__status=SessionStatus.SCHEDULED,
                                              session__starts_at__gte=start, session__starts_at__lt=end)
                .select_related("session", "session__content").order_by("session__starts_at", "id"))
