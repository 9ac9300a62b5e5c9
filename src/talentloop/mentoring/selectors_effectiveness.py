"""Reads of effectiveness: mentee growth, mentor contribution, the composite score and ranking,
survey aggregates, programme results, and the inputs of matching.

Everything here is a computation rebuilt from facts (plans, 1:1 records, skill assessments,
period ratings, employment events, survey answers) in a fixed number of set-based queries, for
any number of mentors. Percentile ranks and "top 10 % of the department" are organisation-wide
facts, so the engine (``effectiveness_all``) always computes over every mentor; the selectors then
cut the result down to what the actor may see (``mentoring.access``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from talentloop.core.access import Actor
from talentloop.core.smallgroups import counted_prefix, suppress_small_groups
from talentloop.mentoring import access
from talentloop.mentoring import scoring as S
from talentloop.mentoring.growth import Growth, add_months, rating_growths, skill_growths
from talentloop.mentoring.models import (
    EffectivenessConfig,
    MenteeSurvey,
    Mentor,
    MentoringPlan,
    PlanItem,
    PlanStatus,
    ProgrammeTemplate,
    SessionRecord,
    SurveyAnswer,
)
from talentloop.organisation.models import Employee, EmploymentEvent, EventKind
from talentloop.performance import periods as P
from talentloop.performance.selectors import period_ratings

# Plans that ran (or run): they count for growth, hours, promotions and surveys.
RAN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.COMPLETED)
# Someone with a plan in one of these states was mentored (for the comparison group).
MENTORED_STATUSES = (PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.CANCELLED, PlanStatus.APPROVED)
# The comparison group of one mentee: at most this many similar people, the closest by hire date.
PEERS_PER_MENTEE = 10
PEER_HIRE_WINDOW = dt.timedelta(days=365)
CHUNK = 10_000


def current_config() -> EffectivenessConfig:
    """The settings in force: the highest version, or the defaults (an unsaved version 0)."""
    return EffectivenessConfig.objects.order_by("-version").first() or EffectivenessConfig(version=0)


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _ratings(employee_ids: Iterable[int], period_keys: list[str]) -> dict[tuple[int, str], Decimal]:
    """``performance.selectors.period_ratings`` in chunks (database parameter limits)."""
    out: dict[tuple[int, str], Decimal] = {}
    ids = sorted(set(employee_ids))
    for chunk in _chunks(ids):
        out.update(period_ratings(chunk, period_keys))
    return out


def last_complete_quarter(as_of: dt.date) -> P.Period:
    return P.containing(as_of, P.QUARTER).previous()


# ---------------------------------------------------------------- the engine


@dataclass
class PlanOutcome:
    plan_id: int
    mentor_id: int
    mentee_id: int
    template_id: int
    starts_on: dt.date
    rating: Growth | None = None
    skill: Growth | None = None


@dataclass
class SurveyStats:
    answers: int = 0  # answers received
    counted: int = 0  # answers the rates are over: whole steps of ``min_answers`` distinct mentees, else 0
    respondents: int = 0  # distinct mentees behind the counted answers
    on_time: Decimal | None = None
    fit: Decimal | None = None
    solved: Decimal | None = None

    @property
    def shown(self) -> bool:
        return self.counted > 0


@dataclass
class MentorStats:
    mentor_id: int
    employee_id: int
    mentees: int = 0
    plans: int = 0
    hours: Decimal = Decimal(0)
    rating_growth_pct: Decimal | None = None  # average growth of the mentees, in percent
    rating_measured: int = 0
    skill_growth_pct: Decimal | None = None
    skill_measured: int = 0
    rating_points: Decimal | None = None  # the composite's growth inputs, 0–100
    rating_counted: int = 0
    rating_at_ceiling: int = 0
    skill_points: Decimal | None = None
    skill_counted: int = 0
    skill_at_ceiling: int = 0
    promoted: int = 0
    promoted_of: int = 0
    promoted_share: Decimal | None = None
    top: int = 0
    top_of: int = 0
    top_share: Decimal | None = None
    survey: SurveyStats = field(default_factory=SurveyStats)
    mentees_rank: Decimal | None = None
    hours_rank: Decimal | None = None
    composite: S.Composite | None = None
    ranked: bool = False
    rank: int | None = None
    outcomes: list[PlanOutcome] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        return self.composite.score if self.composite else None


@dataclass
class Effectiveness:
    as_of: dt.date
    config: EffectivenessConfig
    quarter: str  # the quarter of the "top 10 %" input
    mentors: dict[int, MentorStats]


# One answer as the survey figures read it: (mentee, programme, on time, content fits, problems solved).
SurveyRow = tuple[int, int, bool, bool, bool]


def _survey_stats(rows: list[SurveyRow], minimum: int) -> SurveyStats:
    """Rates over the answers of whole steps of at least ``minimum`` distinct mentees, in the order
    they came (``core.smallgroups.counted_prefix``): one mentee's several answers are one person's,
    and the figure changes only when answers of ``minimum`` more people have arrived, so comparing
    two views never isolates one person's answers."""
    minimum = max(minimum, S.MIN_ANSWERS)
    n = len(rows)
    counted = counted_prefix([r[0] for r in rows], minimum)
    stats = SurveyStats(answers=n, counted=counted)
    if counted:
        use = rows[:counted]
        stats.respondents = len({r[0] for r in use})
        stats.on_time = S.rate(sum(1 for r in use if r[2]), counted, minimum)
        stats.fit = S.rate(sum(1 for r in use if r[3]), counted, minimum)
        stats.solved = S.rate(sum(1 for r in use if r[4]), counted, minimum)
    return stats


def survey_rows_by_mentor(mentor_ids: Iterable[int] | None = None) -> dict[int, list[SurveyRow]]:
    """Answers per mentor in the order they came. One query; no comment."""
    qs = SurveyAnswer.objects.all()
    if mentor_ids is not None:
        qs = qs.filter(survey__plan__mentor_id__in=list(mentor_ids))
    out: dict[int, list[SurveyRow]] = defaultdict(list)
    for mentor_id, mentee_id, template_id, on_time, fits, solved in (
            qs.order_by("answered_at", "id")
            .values_list("survey__plan__mentor_id", "survey__plan__mentee_id", "survey__plan__template_id",
                         "on_time", "content_fits", "problems_solved")):
        out[mentor_id].append((mentee_id, template_id, on_time, fits, solved))
    return out


def _top_members(unit_ratings: dict[int, list[Decimal]], share_pct: Decimal) -> dict[int, Decimal]:
    """Per unit, the lowest rating still inside the top ``share_pct`` %: someone is in the top when
    fewer than ceil(n × share) people of the unit rate strictly higher (ties are all in)."""
    out = {}
    for unit, values in unit_ratings.items():
        ordered = sorted(values, reverse=True)
        k = max(1, math.ceil(len(ordered) * share_pct / S.HUNDRED))
        out[unit] = ordered[k - 1]
    return out


def effectiveness_all(*, as_of: dt.date | None = None, config: EffectivenessConfig | None = None,
                      with_outcomes: bool = False) -> Effectiveness:
    """Growth, contribution, surveys and the composite score of every mentor, as of a date.

    About a dozen queries, whatever the number of mentors and plans."""
    as_of = as_of or dt.date.today()
    config = config or current_config()
    quarter = last_complete_quarter(as_of)
    mentors: dict[int, MentorStats] = {
        pk: MentorStats(pk, emp) for pk, emp in Mentor.objects.values_list("pk", "employee_id")}

    plans = list(MentoringPlan.objects.filter(status__in=RAN_STATUSES, starts_on__lte=as_of)
                 .values_list("pk", "mentor_id", "mentee_id", "template_id", "starts_on"))
    outcomes = [PlanOutcome(*row) for row in plans]
    by_mentor: dict[int, list[PlanOutcome]] = defaultdict(list)
    for o in outcomes:
        by_mentor[o.mentor_id].append(o)

    # Hours of 1:1s held up to the date.
    hours = dict(SessionRecord.objects.filter(plan__status__in=RAN_STATUSES, held_on__lte=as_of)
                 .values_list("plan__mentor_id").annotate(minutes=Sum("duration_minutes"))
                 .values_list("plan__mentor_id", "minutes"))

    # Growth: the shared definitions in mentoring.growth.
    rating = rating_growths([(o.mentee_id, o.starts_on) for o in outcomes], months_after=config.growth_months,
                            as_of=as_of)
    skill = skill_growths([o.plan_id for o in outcomes])
    for o in outcomes:
        o.rating = rating.get((o.mentee_id, o.starts_on))
        o.skill = skill.get(o.plan_id)

    # Promotions: employment events of kind "promotion" within the window after each start.
    promotions: dict[int, list[dt.date]] = defaultdict(list)
    ran = MentoringPlan.objects.filter(status__in=RAN_STATUSES, starts_on__lte=as_of).values("mentee_id")
    for emp, day in (EmploymentEvent.objects.filter(kind=EventKind.PROMOTION, effective_date__lte=as_of,
                                                    employee_id__in=ran)
                     .values_list("employee_id", "effective_date")):
        promotions[emp].append(day)

    # Top share of the department (the mentee's org unit) in the last complete quarter.
    unit_of = dict(Employee.objects.filter(pk__in=ran).values_list("pk", "org_unit_id"))
    members = list(Employee.objects.filter(org_unit_id__in=Employee.objects.filter(pk__in=ran).values("org_unit_id"))
                   .values_list("pk", "org_unit_id"))
    q_ratings = _ratings([pk for pk, _u in members], [quarter.key])
    unit_ratings: dict[int, list[Decimal]] = defaultdict(list)
    for pk, unit in members:
        r = q_ratings.get((pk, quarter.key))
        if r is not None:
            unit_ratings[unit].append(r)
    top_floor = _top_members(unit_ratings, config.top_share_pct)

    surveys = survey_rows_by_mentor()

    for mentor_id, stats in mentors.items():
        own = by_mentor.get(mentor_id, [])
        stats.plans = len(own)
        pair_ids = sorted({o.mentee_id for o in own})
        stats.mentees = len(pair_ids)
        stats.hours = S.round1(Decimal(hours.get(mentor_id) or 0) / 60)
        rated = [o.rating for o in own if o.rating is not None and o.rating.pct is not None]
        stats.rating_measured = len(rated)
        avg = S.mean(g.pct for g in rated)  # type: ignore[misc]
        stats.rating_growth_pct = None if avg is None else S.round1(avg)
        skilled = [o.skill for o in own if o.skill is not None and o.skill.pct is not None]
        stats.skill_measured = len(skilled)
        avg = S.mean(g.pct for g in skilled)  # type: ignore[misc]
        stats.skill_growth_pct = None if avg is None else S.round1(avg)
        stats.rating_points, stats.rating_counted, stats.rating_at_ceiling = S.growth_input(
            [(o.rating.before, o.rating.after) for o in own if o.rating is not None], S.RATING_CEILING)
        stats.skill_points, stats.skill_counted, stats.skill_at_ceiling = S.growth_input(
            [(o.skill.before, o.skill.after) for o in own if o.skill is not None], S.SKILL_CEILING)
        # Promoted: per mentee, any plan with this mentor whose window holds a promotion; a mentee
        # whose windows are all still open and who was not promoted yet is not counted either way.
        promoted = decided = 0
        for mentee_id in pair_ids:
            windows = [(o.starts_on, add_months(o.starts_on, config.promotion_months))
                       for o in own if o.mentee_id == mentee_id]
            days = promotions.get(mentee_id, [])
            if any(start <= day < end for start, end in windows for day in days):
                promoted += 1
                decided += 1
            elif any(end <= as_of for _start, end in windows):
                decided += 1
        stats.promoted, stats.promoted_of = promoted, decided
        stats.promoted_share = S.share_pct(promoted, decided)
        top = rated_mentees = 0
        for mentee_id in pair_ids:
            r = q_ratings.get((mentee_id, quarter.key))
            unit = unit_of.get(mentee_id)
            if r is None or unit not in top_floor:
                continue
            rated_mentees += 1
            if r >= top_floor[unit]:
                top += 1
        stats.top, stats.top_of = top, rated_mentees
        stats.top_share = S.share_pct(top, rated_mentees)
        stats.survey = _survey_stats(surveys.get(mentor_id, []), config.min_answers)
        if with_outcomes:
            stats.outcomes = own

    mentees_rank = S.percentile_ranks({pk: s.mentees for pk, s in mentors.items()})
    hours_rank = S.percentile_ranks({pk: s.hours for pk, s in mentors.items()})
    weights = config.composite_weights
    for pk, stats in mentors.items():
        stats.mentees_rank = mentees_rank.get(pk)
        stats.hours_rank = hours_rank.get(pk)
        values = {
            S.GROWTH_RATING: stats.rating_points, S.GROWTH_SKILL: stats.skill_points,
            S.MENTEES: stats.mentees_rank, S.HOURS: stats.hours_rank,
            S.PROMOTED: stats.promoted_share, S.TOP_DECILE: stats.top_share,
            S.SURVEY_ON_TIME: stats.survey.on_time, S.SURVEY_FIT: stats.survey.fit,
            S.SURVEY_SOLVED: stats.survey.solved,
        }
        stats.composite = S.composite(values, weights)
        stats.ranked = stats.mentees >= config.min_mentees and stats.composite.score is not None
    ranked = sorted((s for s in mentors.values() if s.ranked), key=lambda s: (-s.score, s.mentor_id))  # type: ignore[operator]
    previous: tuple | None = None
    for i, s in enumerate(ranked, start=1):
        s.rank = previous[1] if previous and previous[0] == s.score else i
        previous = (s.score, s.rank)
    return Effectiveness(as_of, config, quarter.key, mentors)


# ---------------------------------------------------------------- scoped reads


def mentor_effectiveness_get(actor: Actor, mentor: Mentor, *, as_of: dt.date | None = None) -> dict:
    """One mentor's inputs and composite; the per-mentee breakdown only for HR covering the mentor
    and administrators (a mentor never sees their mentees' ratings)."""
    detail = access.can_view_mentee_growth(actor, mentor)
    result = effectiveness_all(as_of=as_of, with_outcomes=detail)
    stats = result.mentors[mentor.pk]
    return {"stats": stats, "config": result.config, "as_of": result.as_of, "quarter": result.quarter,
            "ranked_count": sum(1 for s in result.mentors.values() if s.ranked), "detail": detail,
            "outcomes": _outcome_rows(actor, stats.outcomes) if detail else []}


def _outcome_rows(actor: Actor, outcomes: list[PlanOutcome]) -> list[dict]:
    """The per-plan breakdown, limited to plans the actor may open (HR's scope)."""
    plans = {p.pk: p for p in access.visible_plans(actor).filter(pk__in=[o.plan_id for o in outcomes])
             .select_related("mentee").only("pk", "mentee__name", "mentee__name_en", "mentee__employee_number")}
    rows = []
    for o in sorted(outcomes, key=lambda o: (o.starts_on, o.plan_id)):
        if o.plan_id in plans:
            rows.append({"plan_id": o.plan_id, "mentee": plans[o.plan_id].mentee, "starts_on": o.starts_on,
                         "rating": o.rating, "skill": o.skill})
    return rows


def mentor_ranking(actor: Actor, *, as_of: dt.date | None = None) -> dict:
    """Every mentor the actor may rank, with every input: ranked mentors first by rank, then the
    small samples (fewer than ``min_mentees`` mentees), which are marked and not ranked."""
    result = effectiveness_all(as_of=as_of)
    visible = list(access.rankable_mentors(actor).select_related("employee", "employee__org_unit"))
    rows: list[dict[str, Any]] = []
    for mentor in visible:
        stats = result.mentors[mentor.pk]
        rows.append({"mentor": mentor, "stats": stats})
    rows.sort(key=lambda r: (not r["stats"].ranked, r["stats"].rank or 0, -(r["stats"].score or 0),
                             r["mentor"].employee.employee_number))
    return {"rows": rows, "config": result.config, "as_of": result.as_of, "quarter": result.quarter}


def survey_floor() -> int:
    """Distinct mentees needed before any survey figure is shown (the settings, never below 3)."""
    return max(current_config().min_answers, S.MIN_ANSWERS)


def survey_aggregate_get(actor: Actor, mentor: Mentor) -> dict:
    """The mentor's survey rates over whole steps of answers of at least ``min_answers`` distinct
    mentees, and the same per programme where a programme's answers come from that many mentees and
    the programmes not shown hold that many too (or none), so that the total minus the shown
    programmes gives no one away (``core.smallgroups``).

    Comments of the counted answers are HR's alone (``access.can_read_survey_comments``; never the
    mentor's, not the administrators'), unattributed in alphabetical order unless the settings name
    the mentee."""
    config = current_config()
    floor = max(config.min_answers, S.MIN_ANSWERS)
    rows = survey_rows_by_mentor([mentor.pk]).get(mentor.pk, [])
    stats = _survey_stats(rows, floor)
    counted = rows[:stats.counted]
    by_template: dict[int, list[SurveyRow]] = defaultdict(list)
    for row in counted:
        by_template[row[1]].append(row)
    decision = suppress_small_groups({t: [r[0] for r in rs] for t, rs in by_template.items()}, floor=floor)
    programmes = []
    if stats.shown and len(by_template) > 1:
        names = {t.pk: t for t in ProgrammeTemplate.objects.filter(pk__in=list(by_template))}
        for template_id, rs in sorted(by_template.items(), key=lambda kv: str(names[kv[0]].label)):
            shown = decision.is_shown(template_id)
            programmes.append({"template": names[template_id], "shown": shown,
                               "stats": _rates(rs, floor) if shown else SurveyStats()})
    comments: list[str] = []
    named = bool(config.survey_comments_named)
    if stats.counted and access.can_read_survey_comments(actor, mentor):
        answers = list(SurveyAnswer.objects.filter(survey__plan__mentor=mentor).order_by("answered_at", "id")
                       .select_related("survey__plan__mentee")
                       .only("comment", "answered_at", "survey__plan__mentee__name",
                             "survey__plan__mentee__name_en")[:stats.counted])
        if named:
            comments = sorted(f"{a.survey.plan.mentee.display_name}: {a.comment}" for a in answers if a.comment)
        else:
            comments = sorted(a.comment for a in answers if a.comment)
    return {"mentor": mentor, "stats": stats, "min_answers": floor, "comments": comments,
            "comments_named": named, "programmes": programmes,
            "reads_comments": access.can_read_survey_comments(actor, mentor)}


def _rates(rows: list[SurveyRow], floor: int) -> SurveyStats:
    """Rates over all of ``rows`` (a group already judged big enough)."""
    n = len(rows)
    return SurveyStats(answers=n, counted=n, respondents=len({r[0] for r in rows}),
                       on_time=S.rate(sum(1 for r in rows if r[2]), n, floor),
                       fit=S.rate(sum(1 for r in rows if r[3]), n, floor),
                       solved=S.rate(sum(1 for r in rows if r[4]), n, floor))


# ---------------------------------------------------------------- programme results


@dataclass
class ProgrammeResult:
    template: ProgrammeTemplate
    plans: int = 0
    ended: int = 0
    completed: int = 0
    completion_rate: Decimal | None = None
    items_due: int = 0
    items_on_time: int = 0
    on_time_rate: Decimal | None = None
    rating_growth_pct: Decimal | None = None
    rating_measured: int = 0
    skill_growth_pct: Decimal | None = None
    skill_measured: int = 0
    peers_growth_pct: Decimal | None = None
    peers_measured: int = 0
    difference_pct: Decimal | None = None


def programme_results(actor: Actor, *, as_of: dt.date | None = None) -> dict:
    """Per programme: completion rate, on-time rate of items, average mentee growth, and the growth
    of similar employees who were not mentored (same job family and level, hired within a year of
    the mentee; at most ``PEERS_PER_MENTEE``, the closest by hire date) over the same quarters.
    Over the plans of mentees in the actor's scope; a fixed number of queries."""
    as_of = as_of or dt.date.today()
    config = current_config()
    scope = access.visible_plans(actor)
    templates = {t.pk: ProgrammeResult(t) for t in access.visible_templates(actor)}
    started = list(scope.filter(status__in=(*RAN_STATUSES, PlanStatus.CANCELLED), starts_on__lte=as_of)
                   .values_list("pk", "template_id", "status", "ends_on", "mentee_id", "starts_on",
                                "mentee__job_family_id", "mentee__level", "mentee__hire_date"))
    for _pk, template_id, status, ends_on, *_rest in started:
        res = templates.get(template_id)
        if res is None:
            continue
        res.plans += 1
        if status in (PlanStatus.COMPLETED, PlanStatus.CANCELLED) or ends_on < as_of:
            res.ended += 1
            res.completed += status == PlanStatus.COMPLETED
    items = (PlanItem.objects.filter(plan__in=scope.filter(status__in=(*RAN_STATUSES, PlanStatus.CANCELLED)),
                                     due_on__lt=as_of)
             .values_list("plan__template_id")
             .annotate(due=Count("pk"), on_time=Count("pk", filter=Q(completed_on__lte=F("due_on"))))
             .values_list("plan__template_id", "due", "on_time"))
    for template_id, due, on_time in items:
        if template_id in templates:
            templates[template_id].items_due, templates[template_id].items_on_time = due, on_time

    ran = [row for row in started if row[2] in RAN_STATUSES]
    growth = rating_growths([(row[4], row[5]) for row in ran], months_after=config.growth_months, as_of=as_of)
    skills = skill_growths([row[0] for row in ran])
    # The comparison group: people never mentored, same family and level, hired within a year.
    families = {row[6] for row in ran}
    levels = {row[7] for row in ran}
    candidates: dict[tuple[int, int], list[tuple[dt.date, int]]] = defaultdict(list)
    if ran:
        mentored = MentoringPlan.objects.filter(status__in=MENTORED_STATUSES).values("mentee_id")
        for pk, family, level, hired in (Employee.objects.filter(job_family_id__in=families, level__in=levels)
                                         .exclude(pk__in=mentored)
                                         .values_list("pk", "job_family_id", "level", "hire_date")):
            candidates[(family, level)].append((hired, pk))
        for group in candidates.values():
            group.sort()
    peer_pairs: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)  # template → (peer, start)
    for _pk, template_id, _status, _ends, mentee_id, start, family, level, hired in ran:
        if (mentee_id, start) not in growth:
            continue
        group = candidates.get((family, level), [])
        lo = bisect.bisect_left(group, (hired - PEER_HIRE_WINDOW, 0))
        hi = bisect.bisect_right(group, (hired + PEER_HIRE_WINDOW, 2**63))
        near = sorted(group[lo:hi], key=lambda t: (abs((t[0] - hired).days), t[1]))[:PEERS_PER_MENTEE]
        peer_pairs[template_id].extend((pk, start) for _h, pk in near)
    peer_growth = rating_growths({p for pairs in peer_pairs.values() for p in pairs},
                                 months_after=config.growth_months, as_of=as_of)

    per_template_growth: dict[int, list[Decimal]] = defaultdict(list)
    per_template_skill: dict[int, list[Decimal]] = defaultdict(list)
    for pk, template_id, _status, _ends, mentee_id, start, *_rest in ran:
        g = growth.get((mentee_id, start))
        if g is not None and g.pct is not None:
            per_template_growth[template_id].append(g.pct)
        s = skills.get(pk)
        if s is not None and s.pct is not None:
            per_template_skill[template_id].append(s.pct)
    for template_id, res in templates.items():
        res.completion_rate = S.share_pct(res.completed, res.ended)
        res.on_time_rate = S.share_pct(res.items_on_time, res.items_due)
        values = per_template_growth.get(template_id, [])
        res.rating_measured = len(values)
        avg = S.mean(values)
        res.rating_growth_pct = None if avg is None else S.round1(avg)
        values = per_template_skill.get(template_id, [])
        res.skill_measured = len(values)
        avg = S.mean(values)
        res.skill_growth_pct = None if avg is None else S.round1(avg)
        peers = [peer_growth[p].pct for p in dict.fromkeys(peer_pairs.get(template_id, []))
                 if p in peer_growth and peer_growth[p].pct is not None]
        res.peers_measured = len(peers)
        avg = S.mean(peers)  # type: ignore[arg-type]
        res.peers_growth_pct = None if avg is None else S.round1(avg)
        if res.rating_growth_pct is not None and res.peers_growth_pct is not None:
            res.difference_pct = res.rating_growth_pct - res.peers_growth_pct
    rows = sorted(templates.values(), key=lambda r: (-r.plans, r.template.mentee_type, r.template.name))
    return {"rows": rows, "as_of": as_of, "config": config}


def own_mentor(actor: Actor) -> Mentor | None:
    """The actor's own mentor record, if they are (or were) a mentor."""
    if not actor.is_authenticated or actor.employee is None:
        return None
    return Mentor.objects.select_related("employee", "employee__org_unit").filter(employee=actor.employee).first()


# ---------------------------------------------------------------- surveys (the mentee's side)


def survey_list(actor: Actor, today: dt.date) -> list:
    """The mentee's own surveys, newest first, each with ``state``: open, answered or closed."""
    rows = list(access.visible_surveys(actor)
                .select_related("plan__mentor__employee", "plan__template")
                .annotate(answered=Exists(SurveyAnswer.objects.filter(survey=OuterRef("pk"))))
                .order_by("-sent_on", "-id"))
    for s in rows:
        s.state = (  # type: ignore[attr-defined]  # read by the page; not a field
            "answered" if s.answered else ("open" if s.sent_on <= today <= s.closes_on else "closed"))
    return rows


def survey_get(actor: Actor, pk: int) -> MenteeSurvey | None:
    return (access.visible_surveys(actor).select_related("plan__mentor__employee", "plan__template", "plan")
            .filter(pk=pk).first())
