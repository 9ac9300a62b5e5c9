"""Effectiveness API: a mentor's inputs and composite, the ranking, programme results, settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from talentloop.core.errors import PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.mentoring import access
from talentloop.mentoring import scoring as S
from talentloop.mentoring import selectors_effectiveness as selectors
from talentloop.mentoring.services import effectiveness as services

router = Router(tags=["mentoring"])


class InputOut(Schema):
    key: str = Field(description="growth_rating, growth_skill, mentees, hours, promoted, top_decile, "
                                 "survey_on_time, survey_fit or survey_solved")
    value: Decimal | None = Field(description="0–100; null when there is no data (its weight is spread)")
    weight: Decimal
    effective_weight: Decimal


class SurveyRatesOut(Schema):
    shown: bool = Field(description="false below the minimum number of answers: no rate is given")
    counted: int = Field(description="answers the rates are over (whole steps of the minimum)")
    on_time: Decimal | None
    content_fits: Decimal | None
    problems_solved: Decimal | None


class GrowthOut(Schema):
    before_key: str
    before: Decimal
    after_key: str
    after: Decimal
    pct: Decimal | None


class MenteeGrowthOut(Schema):
    plan_id: int
    mentee_id: int
    starts_on: dt.date
    rating: GrowthOut | None
    skill: GrowthOut | None


class EffectivenessOut(Schema):
    mentor_id: int
    as_of: dt.date
    settings_version: int
    score: Decimal | None
    ranked: bool
    rank: int | None
    ranked_mentors: int
    min_mentees: int
    mentees: int
    plans: int
    hours: Decimal
    rating_growth_pct: Decimal | None
    rating_measured: int
    skill_growth_pct: Decimal | None
    skill_measured: int
    promoted: int
    promoted_of: int
    promoted_share: Decimal | None
    top: int
    top_of: int
    top_share: Decimal | None
    top_quarter: str
    surveys: SurveyRatesOut
    inputs: list[InputOut]
    per_mentee: list[MenteeGrowthOut] = Field(description="HR covering the mentor only")


class RankingRowOut(Schema):
    mentor_id: int
    employee_id: int
    name: str
    rank: int | None
    ranked: bool = Field(description="false: a small sample (fewer mentees than the minimum), marked, not ranked")
    score: Decimal | None
    mentees: int
    hours: Decimal
    inputs: list[InputOut]


class ProgrammeResultOut(Schema):
    template_id: int
    name: str
    plans: int
    ended: int
    completed: int
    completion_rate: Decimal | None
    items_due: int
    items_on_time: int
    on_time_rate: Decimal | None
    rating_growth_pct: Decimal | None
    rating_measured: int
    skill_growth_pct: Decimal | None
    skill_measured: int
    peers_growth_pct: Decimal | None = Field(description="similar employees who were not mentored")
    peers_measured: int
    difference_pct: Decimal | None


class SettingsOut(Schema):
    version: int
    w_growth_rating: Decimal
    w_growth_skill: Decimal
    w_mentees: Decimal
    w_hours: Decimal
    w_promoted: Decimal
    w_top_decile: Decimal
    w_survey_on_time: Decimal
    w_survey_fit: Decimal
    w_survey_solved: Decimal
    min_mentees: int
    min_answers: int
    growth_months: int
    promotion_months: int
    top_share_pct: Decimal
    survey_every_months: int
    survey_open_days: int
    survey_comments_named: bool = Field(description="HR reads survey comments with the mentee's name")
    w_match_needs: Decimal
    w_match_effectiveness: Decimal
    w_match_capacity: Decimal
    match_other_department: bool
    low_dimension_below: Decimal
    low_skill_below: Decimal
    strong_dimension_from: Decimal
    strong_skill_from: Decimal
    note: str


_W = {"ge": 0, "le": 100, "max_digits": 5, "decimal_places": 2}


class EffectivenessSettingsIn(InSchema):
    """Only the settings sent change; the result is a new version."""

    w_growth_rating: Decimal | None = Field(None, **_W)
    w_growth_skill: Decimal | None = Field(None, **_W)
    w_mentees: Decimal | None = Field(None, **_W)
    w_hours: Decimal | None = Field(None, **_W)
    w_promoted: Decimal | None = Field(None, **_W)
    w_top_decile: Decimal | None = Field(None, **_W)
    w_survey_on_time: Decimal | None = Field(None, **_W)
    w_survey_fit: Decimal | None = Field(None, **_W)
    w_survey_solved: Decimal | None = Field(None, **_W)
    min_mentees: int | None = Field(None, ge=1, le=50)
    min_answers: int | None = Field(None, ge=3, le=50)
    growth_months: int | None = Field(None, ge=1, le=36)
    promotion_months: int | None = Field(None, ge=1, le=60)
    top_share_pct: Decimal | None = Field(None, **_W)
    survey_every_months: int | None = Field(None, ge=1, le=24)
    survey_open_days: int | None = Field(None, ge=1, le=120)
    survey_comments_named: bool | None = None
    w_match_needs: Decimal | None = Field(None, **_W)
    w_match_effectiveness: Decimal | None = Field(None, **_W)
    w_match_capacity: Decimal | None = Field(None, **_W)
    match_other_department: bool | None = None
    low_dimension_below: Decimal | None = Field(None, ge=0, le=120, max_digits=6, decimal_places=2)
    low_skill_below: Decimal | None = Field(None, **_W)
    strong_dimension_from: Decimal | None = Field(None, ge=0, le=120, max_digits=6, decimal_places=2)
    strong_skill_from: Decimal | None = Field(None, **_W)
    note: str = Field("", max_length=300)


def _inputs(stats) -> list[dict]:
    return [{"key": i.key, "value": None if i.value is None else S.round1(i.value), "weight": i.weight,
             "effective_weight": i.effective_weight} for i in stats.composite.inputs]


def _growth(g) -> dict | None:
    if g is None:
        return None
    return {"before_key": g.before_key, "before": g.before, "after_key": g.after_key, "after": g.after, "pct": g.pct}


def _dec(value: Decimal | None) -> Decimal | None:
    return None if value is None else S.round1(value)


@router.get("/mentors/{int:mentor_id}/effectiveness", response={200: EffectivenessOut, **ERRORS},
            summary="A mentor's effectiveness: every input of the composite score and the score")
def mentor_effectiveness(request, mentor_id: int):
    actor = request.actor
    mentor = get_or_404(access.visible_mentors(actor).select_related("employee", "employee__org_unit"), pk=mentor_id)
    if not access.can_view_mentor_effectiveness(actor, mentor):
        raise Http404
    data = selectors.mentor_effectiveness_get(actor, mentor, as_of=timezone.localdate())
    s, config = data["stats"], data["config"]
    return {
        "mentor_id": mentor.pk, "as_of": data["as_of"], "settings_version": config.version, "score": s.score,
        "ranked": s.ranked, "rank": s.rank, "ranked_mentors": data["ranked_count"], "min_mentees": config.min_mentees,
        "mentees": s.mentees, "plans": s.plans, "hours": s.hours, "rating_growth_pct": s.rating_growth_pct,
        "rating_measured": s.rating_measured, "skill_growth_pct": s.skill_growth_pct,
        "skill_measured": s.skill_measured, "promoted": s.promoted, "promoted_of": s.promoted_of,
        "promoted_share": _dec(s.promoted_share), "top": s.top, "top_of": s.top_of, "top_share": _dec(s.top_share),
        "top_quarter": data["quarter"],
        "surveys": {"shown": s.survey.shown, "counted": s.survey.counted, "on_time": _dec(s.survey.on_time),
                    "content_fits": _dec(s.survey.fit), "problems_solved": _dec(s.survey.solved)},
        "inputs": _inputs(s),
        "per_mentee": [{"plan_id": r["plan_id"], "mentee_id": r["mentee"].pk, "starts_on": r["starts_on"],
                        "rating": _growth(r["rating"]), "skill": _growth(r["skill"])} for r in data["outcomes"]],
    }


@router.get("/effectiveness/ranking", response={200: list[RankingRowOut], **ERRORS},
            summary="Mentors ranked by composite score (HR's scope); small samples are marked, not ranked",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def mentor_ranking(request):
    actor = request.actor
    if not access.can_view_mentor_ranking(actor):
        raise PermissionDenied(_("Only HR ranks mentors."))
    data = selectors.mentor_ranking(actor, as_of=timezone.localdate())
    return [{"mentor_id": r["mentor"].pk, "employee_id": r["mentor"].employee_id,
             "name": r["mentor"].employee.display_name, "rank": r["stats"].rank, "ranked": r["stats"].ranked,
             "score": r["stats"].score, "mentees": r["stats"].mentees, "hours": r["stats"].hours,
             "inputs": _inputs(r["stats"])} for r in data["rows"]]


@router.get("/effectiveness/programmes", response={200: list[ProgrammeResultOut], **ERRORS},
            summary="Programme results against similar employees who were not mentored", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def programme_results(request):
    actor = request.actor
    if not access.can_view_programme_results(actor):
        raise PermissionDenied(_("Only HR reads programme results."))
    rows = selectors.programme_results(actor, as_of=timezone.localdate())["rows"]
    return [{"template_id": r.template.pk, "name": r.template.label, "plans": r.plans, "ended": r.ended,
             "completed": r.completed, "completion_rate": _dec(r.completion_rate), "items_due": r.items_due,
             "items_on_time": r.items_on_time, "on_time_rate": _dec(r.on_time_rate),
             "rating_growth_pct": r.rating_growth_pct, "rating_measured": r.rating_measured,
             "skill_growth_pct": r.skill_growth_pct, "skill_measured": r.skill_measured,
             "peers_growth_pct": r.peers_growth_pct, "peers_measured": r.peers_measured,
             "difference_pct": r.difference_pct} for r in rows]


@router.get("/effectiveness/settings", response={200: SettingsOut, **ERRORS},
            summary="The effectiveness and matching settings in force")
def settings_get(request):
    if not access.can_manage_effectiveness_config(request.actor):
        raise PermissionDenied(_("Only HR changes how mentors are measured."))
    return selectors.current_config()


@router.patch("/effectiveness/settings", response={200: SettingsOut, **ERRORS},
              summary="Change settings: saved as a new, audited version")
def settings_patch(request, data: EffectivenessSettingsIn):
    changes = data.model_dump(exclude_unset=True)
    note = changes.pop("note", "")
    changes = {k: v for k, v in changes.items() if v is not None}
    return services.effectiveness_config_save(actor=request.actor, data=changes, note=note)
