"""The inputs of matching and the ranked suggestions for one mentee.

A pair's score (``scoring.pair_points``) weighs three things, with HR's weights
(``EffectivenessConfig``):

- **needs covered**: the mentee's development needs — the programme template's topics, the
  performance dimensions of their latest score below ``low_dimension_below`` and their skills
  assessed below ``low_skill_below`` — against the mentor's strengths: the areas of expertise
  the mentor declared, their own dimensions scoring from ``strong_dimension_from`` and skills from
  ``strong_skill_from``;
- **the mentor's effectiveness**: the composite score, for mentors ranked (enough mentees);
- **spare capacity**: free places over capacity.

A pair is not allowed when ``rules.pair_violations`` says so (the same rule as plans: the mentor
in the mentee's management chain, an inactive mentor, …) or, when HR asked for it, when both
work in the same department (org unit). A mentee already in the programme, or outside a job
family programme's family, is not matched at all. Every read is set-based: a cohort of 500
mentees against 300 mentors costs the same dozen queries as one mentee.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.mentoring import access
from talentloop.mentoring import scoring as S
from talentloop.mentoring.models import (
    CAPACITY_PLAN_STATUSES,
    EffectivenessConfig,
    MatchProposal,
    MatchRun,
    MatchRunStatus,
    MenteeType,
    Mentor,
    MentoringPlan,
    MentorPolicy,
    PlanStatus,
    ProgrammeTemplate,
    SkillAssessment,
    UnplacedReason,
)
from talentloop.mentoring.rules import pair_violations
from talentloop.mentoring.selectors_effectiveness import current_config, effectiveness_all
from talentloop.mentoring.services.qualification import current_policy
from talentloop.organisation.access import hr_covers_unit
from talentloop.organisation.models import Employee, JobFamily, OrgUnit
from talentloop.performance.models import Score

# Scores of the last few months are looked at for dimensions (the latest one of each person counts).
SCORE_LOOKBACK_DAYS = 200
CHUNK = 5000
SUGGESTIONS = 25


@dataclass(frozen=True)
class Need:
    label: str
    source: str  # "template", "dimension" or "skill"
    aliases: tuple[str, ...]


@dataclass
class Candidate:
    mentor: Mentor
    capacity: int
    taken: int
    strengths: set[str]
    strength_labels: list[str]
    effectiveness: Decimal | None
    ranked: bool
    side: S.MentorSide

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


@dataclass
class MatchContext:
    as_of: dt.date
    template: ProgrammeTemplate
    config: EffectivenessConfig
    policy: MentorPolicy | None
    candidates: list[Candidate]
    weights: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class PairResult:
    candidate: Candidate
    score: Decimal | None  # None: not allowed
    coverage: Decimal | None
    covered: list[str]
    problems: list[str]


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i:i + size]


def places_taken() -> dict[int, int]:
    """Places each mentor has taken: plans waiting for HR, approved or active, plus the draft plans
    a published matching run created (not yet submitted, but promised). One query."""
    from_runs = MatchProposal.objects.filter(run__status=MatchRunStatus.PUBLISHED, plan__isnull=False).values("plan_id")
    q = Q(status__in=CAPACITY_PLAN_STATUSES) | Q(status__in=(PlanStatus.DRAFT, PlanStatus.RETURNED), pk__in=from_runs)
    return dict(MentoringPlan.objects.filter(q).values_list("mentor_id").annotate(n=Count("pk"))
                .values_list("mentor_id", "n"))


def _latest_dimensions(employee_ids: list[int], as_of: dt.date) -> dict[int, list[dict]]:
    """The dimensions of each person's latest score in the last months (``Score.detail``)."""
    since = as_of - dt.timedelta(days=SCORE_LOOKBACK_DAYS)
    out: dict[int, tuple[dt.date, list[dict]]] = {}
    for chunk in _chunks(sorted(set(employee_ids))):
        for emp, start, detail in (Score.objects.filter(employee_id__in=chunk, period_start__gte=since,
                                                        period_start__lte=as_of, total__isnull=False)
                                   .values_list("employee_id", "period_start", "detail")):
            if emp not in out or start > out[emp][0]:
                out[emp] = (start, (detail or {}).get("dimensions", []))
    return {emp: dims for emp, (_start, dims) in out.items()}


def _latest_skills(employee_ids: list[int], as_of: dt.date) -> dict[int, dict[str, Decimal]]:
    """Each person's latest score per named skill."""
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for chunk in _chunks(sorted(set(employee_ids))):
        for emp, skill, score in (SkillAssessment.objects.filter(employee_id__in=chunk, assessed_on__lte=as_of)
                                  .exclude(skill="").order_by("assessed_on", "id")
                                  .values_list("employee_id", "skill", "score")):
            out[emp][skill] = score
    return out


def _dim_score(dim: dict) -> Decimal | None:
    value = dim.get("score")
    return None if value in (None, "") else Decimal(str(value))


def mentee_needs(mentee_ids: list[int], template: ProgrammeTemplate, config: EffectivenessConfig,
                 as_of: dt.date) -> dict[int, list[Need]]:
    topics = [Need(t.title, "template", (t.title,)) for t in template.topics.all()]
    dims = _latest_dimensions(mentee_ids, as_of)
    skills = _latest_skills(mentee_ids, as_of)
    out: dict[int, list[Need]] = {}
    for pk in mentee_ids:
        needs = list(topics)
        for dim in dims.get(pk, []):
            score = _dim_score(dim)
            if score is not None and score < config.low_dimension_below:
                needs.append(Need(dim.get("name") or dim.get("key", ""), "dimension",
                                  (dim.get("key", ""), dim.get("name", ""))))
        for skill, score in sorted(skills.get(pk, {}).items()):
            if score < config.low_skill_below:
                needs.append(Need(skill, "skill", (skill,)))
        out[pk] = needs
    return out


def match_context(template: ProgrammeTemplate, *, as_of: dt.date | None = None) -> MatchContext:
    """Every active mentor with capacity, strengths and effectiveness, computed once for a run."""
    as_of = as_of or dt.date.today()
    config = current_config()
    weights = config.match_weights
    mentors = list(Mentor.objects.filter(active=True).select_related("employee", "employee__org_unit")
                   .order_by("employee__employee_number"))
    taken = places_taken()
    effect = effectiveness_all(as_of=as_of, config=config).mentors
    emp_ids = [m.employee_id for m in mentors]
    dims = _latest_dimensions(emp_ids, as_of)
    skills = _latest_skills(emp_ids, as_of)
    candidates = []
    for m in mentors:
        labels = [str(t) for t in (m.expertise or [])]
        for dim in dims.get(m.employee_id, []):
            score = _dim_score(dim)
            if score is not None and score >= config.strong_dimension_from:
                labels.append(dim.get("name") or dim.get("key", ""))
                labels.append(dim.get("key", ""))
        labels += [skill for skill, score in skills.get(m.employee_id, {}).items()
                   if score >= config.strong_skill_from]
        stats = effect.get(m.pk)
        ranked = bool(stats and stats.ranked)
        effectiveness = stats.score if ranked else None  # type: ignore[union-attr]
        free = max(0, m.capacity - taken.get(m.pk, 0))
        side = S.mentor_side(effectiveness=effectiveness, free=free, capacity=m.capacity, weights=weights)
        candidates.append(Candidate(m, m.capacity, taken.get(m.pk, 0), {S.normalise_tag(x) for x in labels if x},
                                    list(dict.fromkeys(x for x in labels if x)), effectiveness, ranked, side))
    return MatchContext(as_of, template, config, current_policy(), candidates, weights)


def mentee_blockers(mentees: list[Employee], template: ProgrammeTemplate) -> dict[int, str]:
    """Mentees who are not matched for this programme at all, with the reason."""
    out: dict[int, str] = {}
    ids = [m.pk for m in mentees]
    for chunk in _chunks(ids):
        for pk in (MentoringPlan.objects.filter(mentee_id__in=chunk, template=template,
                                                status__in=CAPACITY_PLAN_STATUSES).values_list("mentee_id", flat=True)):
            out[pk] = UnplacedReason.ALREADY_IN_PROGRAMME
    if template.mentee_type == MenteeType.JOB_FAMILY:
        for m in mentees:
            if m.job_family_id != template.job_family_id:
                out.setdefault(m.pk, UnplacedReason.OUTSIDE_PROGRAMME)
    return out


def pair_problems(ctx: MatchContext, candidate: Candidate, mentee: Employee) -> list[str]:
    problems = pair_violations(candidate.mentor, mentee, ctx.policy)
    if ctx.config.match_other_department and candidate.mentor.employee.org_unit_id == mentee.org_unit_id:
        problems.append(_("The mentor works in the mentee's department."))
    return problems


def evaluate(ctx: MatchContext, mentee: Employee, needs: list[Need], candidate: Candidate) -> PairResult:
    problems = pair_problems(ctx, candidate, mentee)
    coverage, covered = S.prepared_coverage(S.prepare_needs([(n.label, n.aliases) for n in needs]),
                                            candidate.strengths)
    if problems:
        return PairResult(candidate, None, coverage, covered, problems)
    return PairResult(candidate, S.pair_points(coverage, candidate.side, ctx.weights), coverage, covered, [])


def score_matrix(ctx: MatchContext, mentees: list[Employee], needs: dict[int, list[Need]],
                 columns: list[Candidate]) -> list[list[Decimal | None]]:
    """The pair score of every mentee (row) with every candidate (column), None where the pair is
    not allowed — the same numbers as ``evaluate``, computed for a cohort.

    Mentees with the same needs share their coverage: it is worked out once per distinct set of
    needs and mentor, and the pair score once per mentor and coverage, so a cohort of 500 × 300
    costs ``pair_problems`` and two dictionary lookups per pair."""
    signatures: dict[tuple, int] = {}
    prepared: list[list[tuple[str, frozenset[str]]]] = []
    row_signature: list[int] = []
    for mentee in mentees:
        keys = tuple(sorted((n.label, n.aliases) for n in needs[mentee.pk]))
        if keys not in signatures:
            signatures[keys] = len(prepared)
            prepared.append(S.prepare_needs([(label, aliases) for label, aliases in keys]))
        row_signature.append(signatures[keys])
    coverage: dict[tuple[int, int], Decimal | None] = {}
    points: dict[tuple[int, Decimal | None], Decimal] = {}
    out: list[list[Decimal | None]] = []
    for mentee, sig in zip(mentees, row_signature, strict=True):
        row: list[Decimal | None] = []
        for j, c in enumerate(columns):
            if pair_problems(ctx, c, mentee):
                row.append(None)
                continue
            cov_key = (sig, j)
            if cov_key not in coverage:
                coverage[cov_key] = S.prepared_coverage(prepared[sig], c.strengths)[0]
            cov = coverage[cov_key]
            pts_key = (j, cov)
            if pts_key not in points:
                points[pts_key] = S.pair_points(cov, c.side, ctx.weights)
            row.append(points[pts_key])
        out.append(row)
    return out


def explain(ctx: MatchContext, result: PairResult, needs: list[Need], mentee: Employee) -> dict:
    """What a page or the API shows for a pair (JSON-able; a run stores it with the proposal)."""
    c = result.candidate
    inputs = S.pair_inputs(result.coverage, c.side)
    comp = S.composite(inputs, ctx.weights, S.MATCH_KEYS)
    return {
        "score": None if result.score is None else str(result.score),
        "inputs": [{"key": i.key, "value": None if i.value is None else str(S.round1(i.value)),
                    "weight": str(i.weight), "effective_weight": str(i.effective_weight)} for i in comp.inputs],
        "needs": [{"label": n.label, "source": n.source} for n in needs],
        "covered": result.covered,
        "strengths": c.strength_labels[:20],
        "effectiveness": None if c.effectiveness is None else str(c.effectiveness),
        "ranked": c.ranked,
        "free": c.free,
        "capacity": c.capacity,
        "same_department": c.mentor.employee.org_unit_id == mentee.org_unit_id,
        "problems": result.problems,
    }


def match_suggestions(actor: Actor, mentee: Employee, template: ProgrammeTemplate, *,
                      as_of: dt.date | None = None, limit: int = SUGGESTIONS) -> dict:
    """Available mentors for one mentee, best pair first, with the score of each pair and why;
    mentors who may not take this mentee are listed apart with the reason. The caller has checked
    ``access.can_view_match_suggestions``; a mentee choosing for themselves does not see the
    mentors' effectiveness figures."""
    ctx = match_context(template, as_of=as_of)
    needs = mentee_needs([mentee.pk], template, ctx.config, ctx.as_of)[mentee.pk]
    blocker = mentee_blockers([mentee], template).get(mentee.pk, "")
    available, unavailable = [], []
    for c in ctx.candidates:
        result = evaluate(ctx, mentee, needs, c)
        row: dict[str, Any] = {"mentor": c.mentor, "result": result,
                               "explanation": explain(ctx, result, needs, mentee)}
        if result.score is None:
            unavailable.append(row)
        elif c.free <= 0:
            result.problems = [_("No free place (%(taken)s of %(capacity)s taken).")
                               % {"taken": c.taken, "capacity": c.capacity}]
            row["explanation"]["problems"] = result.problems
            unavailable.append(row)
        else:
            available.append(row)
    available.sort(key=lambda r: (-r["result"].score, r["mentor"].employee.employee_number))
    show_effectiveness = hr_covers_unit(actor, mentee.org_unit) or actor.is_admin
    if not show_effectiveness:
        for row in available + unavailable:
            row["explanation"]["effectiveness"] = None
            for i in row["explanation"]["inputs"]:
                if i["key"] == S.MATCH_EFFECTIVENESS:
                    i["value"] = None
    return {"mentee": mentee, "template": template, "needs": needs, "blocker": blocker,
            "available": available[:limit], "available_count": len(available),
            "unavailable": unavailable[:limit], "unavailable_count": len(unavailable),
            "config": ctx.config, "show_effectiveness": show_effectiveness}


# ---------------------------------------------------------------- pages: who, which programme, runs


def suggestion_templates(actor: Actor, *, for_self: bool) -> QuerySet[ProgrammeTemplate]:
    """Programmes offered on the suggestions page: every active one for HR; for a mentee choosing
    their own mentor, only those that let mentees choose."""
    qs = access.visible_templates(actor).filter(is_active=True).order_by("mentee_type", "name")
    return qs.filter(allow_mentee_choice=True) if for_self else qs


def cohort_mentees(actor: Actor, *, org_unit: OrgUnit | None = None, job_family: JobFamily | None = None,
                   hired_from: dt.date | None = None,
                   hired_until: dt.date | None = None, numbers: list[str] | None = None,
                   limit: int = 2001) -> list[Employee]:
    """The people of a cohort: HR's scope filtered by unit (and below), family, hire dates and/or a
    list of employee numbers. ``limit`` keeps one more than a run accepts, so the service can say so."""
    qs = access.match_mentees(actor).select_related("org_unit", "job_family")
    if org_unit is not None:
        qs = qs.filter(org_unit__path__startswith=org_unit.path)
    if job_family is not None:
        qs = qs.filter(job_family=job_family)
    if hired_from is not None:
        qs = qs.filter(hire_date__gte=hired_from)
    if hired_until is not None:
        qs = qs.filter(hire_date__lte=hired_until)
    if numbers:
        qs = qs.filter(employee_number__in=numbers[:limit])
    return list(qs.order_by("employee_number")[:limit])


def match_run_list(actor: Actor) -> list:
    return list(access.visible_match_runs(actor).select_related("template", "created_by")
                .order_by("-created_at", "-id")[:100])


def match_run_get(actor: Actor, pk: int) -> MatchRun | None:
    return access.visible_match_runs(actor).select_related("template", "created_by", "published_by").filter(
        pk=pk).first()


def match_run_proposals(actor: Actor, run: MatchRun, *, placed: bool | None = None, limit: int = 50,
                        offset: int = 0) -> tuple[list, int]:
    """A page of a run's proposals (placed ones best first, then the unplaced) and their count."""
    qs = run.proposals.all()
    if placed is True:
        qs = qs.filter(mentor__isnull=False)
    elif placed is False:
        qs = qs.filter(mentor__isnull=True)
    count = qs.count()
    rows = list(qs.select_related("mentee", "mentee__org_unit", "mentor__employee", "mentor__employee__org_unit",
                                  "plan")
                .order_by(F("score").desc(nulls_last=True), "mentee__employee_number")[offset:offset + limit])
    return rows, count


def match_proposal_get(actor: Actor, run: MatchRun, pk: int) -> MatchProposal | None:
    return run.proposals.select_related("mentee", "mentee__org_unit", "mentor__employee").filter(pk=pk).first()
