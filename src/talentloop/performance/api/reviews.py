"""Review cycles, reviews, calibration, final ratings, potentials and appeals — the same services
as the web pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.filter_schema import FilterLookup

from talentloop.core.errors import InvalidInput, NotFound, PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, FiltersIn, InSchema
from talentloop.organisation.access import visible_employees, visible_org_units
from talentloop.performance import access
from talentloop.performance import selectors_reviews as sel
from talentloop.performance.services import decisions, reviews
from talentloop.performance.services.scores import period_is_closed

router = Router(tags=["reviews and ratings"])

PERIOD = r"^(19|2\d)\d{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$"
ID = {"ge": 1, "le": 2**53}
RatingDecimal = Decimal
CycleStatus = Literal["draft", "open", "calibration", "closed"]


def ref(qs, pk: int | None, field: str):
    """A record named in a request body, fetched through a scope: unknown or invisible is a 422."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise InvalidInput(_("Please correct the errors below."), {field: [_("No such record.")]})
    return obj


class PersonOut(Schema):
    id: int
    employee_number: str
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


# ---------------------------------------------------------------- review cycles


class ReviewCycleIn(InSchema):
    name: str = Field(min_length=1, max_length=120)
    period: str = Field(pattern=PERIOD, description="YYYY-MM, YYYY-Qn or YYYY")
    org_unit_id: int | None = Field(None, **ID, description="Everyone in this unit and below; none: everybody")
    self_due: dt.date
    manager_due: dt.date
    peer_due: dt.date


class ReviewCycleOut(Schema):
    id: int
    name: str
    period: str = Field(alias="period_key")
    org_unit_id: int | None
    status: CycleStatus
    self_due: dt.date
    manager_due: dt.date
    peer_due: dt.date
    created_at: dt.datetime
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    review_count: int | None = None
    submitted_count: int | None = None
    people_count: int | None = None


class CycleStatusIn(InSchema):
    status: Literal["open", "calibration", "closed"]


class PeerIn(InSchema):
    reviewee_id: int = Field(**ID, description="The person reviewed")
    peer_id: int = Field(**ID, description="The colleague who will review them")


class ReviewRefOut(Schema):
    id: int
    reviewer: PersonOut
    status: str
    due: dt.date | None


@router.get("/review-cycles", response={200: list[ReviewCycleOut], **ERRORS}, summary="Review cycles",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def review_cycle_list(request):
    return sel.review_cycle_list(request.actor)


@router.post("/review-cycles", response={201: ReviewCycleOut, **ERRORS}, summary="Create a review cycle (draft)")
def review_cycle_create(request, data: ReviewCycleIn):
    unit = ref(visible_org_units(request.actor), data.org_unit_id, "org_unit_id")
    cycle = reviews.review_cycle_create(actor=request.actor, name=data.name, period_key=data.period, org_unit=unit,
                                        self_due=data.self_due, manager_due=data.manager_due,
                                        peer_due=data.peer_due)
    return Status(201, cycle)


@router.get("/review-cycles/{int:cycle_id}", response={200: ReviewCycleOut, **ERRORS}, summary="A review cycle")
def review_cycle_detail(request, cycle_id: int):
    return get_or_404(access.visible_review_cycles(request.actor), pk=cycle_id)


@router.post("/review-cycles/{int:cycle_id}/status", response={200: ReviewCycleOut, **ERRORS},
             summary="Open a cycle, move it to calibration, close or reopen it",
             description="Opening a draft writes a self review for everyone in scope and a manager review by "
             "their manager.")
def review_cycle_status(request, cycle_id: int, data: CycleStatusIn):
    cycle = get_or_404(access.visible_review_cycles(request.actor), pk=cycle_id)
    return reviews.review_cycle_set_status(actor=request.actor, cycle=cycle, status=data.status)


@router.post("/review-cycles/{int:cycle_id}/peers", response={200: list[ReviewRefOut], **ERRORS},
             summary="Add a peer to review a person (the person or their manager picks; at most six)",
             description="Answers the person's peer reviewers: who, and whether they are done (never what they "
             "wrote).")
def review_cycle_peer_add(request, cycle_id: int, data: PeerIn):
    actor = request.actor
    cycle = sel.review_cycle_for_peers(actor, cycle_id)
    if cycle is None:
        raise Http404
    reviewee = ref(visible_employees(actor).select_related("org_unit"), data.reviewee_id, "reviewee_id")
    colleagues = access.feedback_colleagues(actor) if actor.employee is not None else visible_employees(actor)
    peer = ref(colleagues, data.peer_id, "peer_id")
    reviews.review_peers_add(actor=actor, cycle=cycle, reviewee=reviewee, peers=[peer])
    return sel.peer_reviews(actor, cycle, reviewee)


# ---------------------------------------------------------------- reviews


class ReviewOut(Schema):
    id: int
    cycle_id: int
    kind: Literal["self", "manager", "peer"]
    status: Literal["pending", "submitted"]
    due: dt.date | None
    reviewee: PersonOut
    reviewer: PersonOut
    rating: Decimal | None
    dimension_ratings: dict[str, Decimal]
    comment: str
    improvements: str
    submitted_at: dt.datetime | None


class ReviewDimensionOut(Schema):
    key: str
    name: str


class ReviewDetailOut(ReviewOut):
    dimensions: list[ReviewDimensionOut]
    period: str
    editable: bool


class ReviewBoxIn(InSchema):
    mine: bool = Field(True, description="Only the reviews you write (default); false adds the submitted "
                       "reviews of the people you manage")


class ReviewFiltersIn(FiltersIn):
    cycle_id: int | None = Field(None, **ID)
    reviewee_id: int | None = Field(None, **ID)
    status: Literal["pending", "submitted"] | None = None


class ReviewIn(InSchema):
    rating: Decimal | None = Field(None, ge=1, le=5, max_digits=2, decimal_places=1)
    dimension_ratings: dict[str, Decimal] = Field(default_factory=dict, max_length=30)
    comment: str = Field("", max_length=4000)
    improvements: str = Field("", max_length=4000)


def _detail(request, review):
    """The review with what its form needs: the dimensions this reviewer rates, and whether the
    reader may still change it."""
    review.editable = access.can_write_review(request.actor, review)
    dims = sel.rated_dimensions(review.reviewee, review.cycle.period_key, review.kind) if review.editable else \
        [(k, k) for k in review.dimension_ratings]
    review.dimensions = [{"key": k, "name": n} for k, n in dims]
    review.period = review.cycle.period_key
    return review


@router.get("/reviews", response={200: list[ReviewOut], **ERRORS}, summary="Reviews you write or may read",
            description=PAGED_WAS_ARRAY)
@paginated(default=50, max_limit=200)
def review_list(request, query: Query[ReviewBoxIn], filters: Query[ReviewFiltersIn]):
    return filters.filter(sel.review_queryset(request.actor, mine=query.mine))


@router.get("/reviews/{int:review_id}", response={200: ReviewDetailOut, **ERRORS},
            summary="One review: the reviewer's own form, or a submitted review of someone you manage")
def review_detail(request, review_id: int):
    review = sel.review_get(request.actor, review_id)
    if review is None:
        return get_or_404(access.visible_reviews(request.actor), pk=review_id)
    return _detail(request, review)


def _save(request, review_id: int, data: ReviewIn, submit: bool):
    review = sel.review_get(request.actor, review_id)
    if review is None:
        get_or_404(access.visible_reviews(request.actor), pk=review_id)
    reviews.review_save(actor=request.actor, review=review, rating=data.rating,
                        dimension_ratings=dict(data.dimension_ratings), comment=data.comment,
                        improvements=data.improvements, submit=submit)
    return _detail(request, sel.review_get(request.actor, review_id))


@router.delete("/reviews/{int:review_id}", response={204: None, **ERRORS},
               summary="Take back a peer who has not submitted yet (the person or their manager)")
def review_peer_remove(request, review_id: int):
    review = get_or_404(access.visible_peer_nominations(request.actor), pk=review_id)
    reviews.review_peer_remove(actor=request.actor, review=review)
    return Status(204, None)


@router.patch("/reviews/{int:review_id}", response={200: ReviewDetailOut, **ERRORS},
              summary="Save your review as a draft")
def review_update(request, review_id: int, data: ReviewIn):
    return _save(request, review_id, data, submit=False)


@router.post("/reviews/{int:review_id}/submit", response={200: ReviewDetailOut, **ERRORS},
             summary="Submit your review (it is then locked)",
             description="Every rated dimension and the overall rating are required. The ratings feed the "
             "person's scores for every month of the cycle's period.")
def review_submit(request, review_id: int, data: ReviewIn):
    return _save(request, review_id, data, submit=True)


# ---------------------------------------------------------------- calibration


class CalibrationPersonOut(Schema):
    employee: PersonOut
    org_unit_id: int
    computed_rating: Decimal | None
    self_rating: Decimal | None
    manager_rating: Decimal | None
    peer_rating: Decimal | None
    final_rating: Decimal | None
    effective_rating: Decimal | None
    performance: Literal["low", "medium", "high"] | None
    potential: Literal["low", "medium", "high"] | None
    can_decide: bool


class TeamDistributionOut(Schema):
    org_unit_id: int
    org_unit: str
    counts: list[int] = Field(description="People whose rating rounds to 1, 2, 3, 4 and 5")
    unrated: int


class NineBoxCellOut(Schema):
    potential: Literal["low", "medium", "high"]
    performance: Literal["low", "medium", "high"]
    employee_ids: list[int]


class CalibrationOut(Schema):
    cycle: ReviewCycleOut
    people: list[CalibrationPersonOut]
    distribution: list[TeamDistributionOut]
    nine_box: list[NineBoxCellOut]


@router.get("/review-cycles/{int:cycle_id}/calibration", response={200: CalibrationOut, **ERRORS},
            summary="Calibration: ratings of the people you manage, distribution per team, 9-box")
def review_cycle_calibration(request, cycle_id: int):

    actor = request.actor
    cycle = get_or_404(access.visible_review_cycles(actor), pk=cycle_id)
    if not access.can_calibrate(actor, cycle):
        raise NotFound(_("Not found."))
    cal = sel.calibration(actor, cycle, closed=period_is_closed(cycle.period_key))
    return {
        "cycle": cycle,
        "people": [{"employee": r.employee, "org_unit_id": r.employee.org_unit_id, "computed_rating": r.computed,
                    "self_rating": r.self_rating, "manager_rating": r.manager_rating, "peer_rating": r.peer_rating,
                    "final_rating": r.final.rating if r.final else None, "effective_rating": r.effective,
                    "performance": r.band, "potential": r.potential.level if r.potential else None,
                    "can_decide": r.can_decide} for r in cal.rows],
        "distribution": [{"org_unit_id": t.unit.pk, "org_unit": t.unit.label, "counts": t.counts,
                          "unrated": t.unrated} for t in cal.teams],
        "nine_box": [{"potential": c["potential"], "performance": c["performance"],
                      "employee_ids": [r.employee.pk for r in c["people"]]} for c in cal.grid],
    }


# ---------------------------------------------------------------- final ratings


class RatingChangeOut(Schema):
    rating_before: Decimal | None
    rating_after: Decimal
    computed_rating: Decimal | None
    source: Literal["review", "calibration", "appeal"]
    note: str
    changed_at: dt.datetime


class FinalRatingOut(Schema):
    id: int
    employee: PersonOut
    period: str = Field(alias="period_key")
    rating: Decimal
    note: str
    decided_at: dt.datetime
    acknowledged_at: dt.datetime | None


class FinalRatingDetailOut(FinalRatingOut):
    computed_rating: Decimal | None
    history: list[RatingChangeOut]


class FinalRatingIn(InSchema):
    employee_id: int = Field(**ID)
    period: str = Field(pattern=PERIOD)
    rating: Decimal = Field(ge=1, le=5, max_digits=2, decimal_places=1)
    note: str = Field("", max_length=500)
    cycle_id: int | None = Field(None, **ID)


class FinalRatingFiltersIn(FiltersIn):
    employee_id: int | None = Field(None, **ID)
    period: Annotated[str | None, FilterLookup("period_key")] = Field(None, pattern=PERIOD)


class PotentialIn(InSchema):
    employee_id: int = Field(**ID)
    period: str = Field(pattern=PERIOD)
    level: Literal["low", "medium", "high"]
    note: str = Field("", max_length=500)


class PotentialOut(Schema):
    employee_id: int
    period: str = Field(alias="period_key")
    level: Literal["low", "medium", "high"]
    note: str


def _final_detail(final):
    return sel.final_rating_explain(final)


@router.get("/final-ratings", response={200: list[FinalRatingOut], **ERRORS},
            summary="Final ratings: your own and those of the people you manage", description=PAGED_WAS_ARRAY)
@paginated(default=50, max_limit=200)
def final_rating_list(request, filters: Query[FinalRatingFiltersIn]):
    return filters.filter(sel.final_rating_queryset(request.actor))


@router.post("/final-ratings", response={200: FinalRatingDetailOut, **ERRORS},
             summary="Set or change a final rating (manager or HR; audited)",
             description="A recomputation never overwrites it. Changing it asks the employee to acknowledge "
             "it again.")
def final_rating_set(request, data: FinalRatingIn):
    actor = request.actor
    employee = ref(visible_employees(actor).select_related("org_unit"), data.employee_id, "employee_id")
    cycle = ref(access.visible_review_cycles(actor), data.cycle_id, "cycle_id")
    final = decisions.final_rating_set(actor=actor, employee=employee, period_key=data.period, rating=data.rating,
                                       note=data.note, cycle=cycle)
    return _final_detail(final)


@router.get("/final-ratings/{int:rating_id}", response={200: FinalRatingDetailOut, **ERRORS},
            summary="A final rating with its history")
def final_rating_detail(request, rating_id: int):
    final = sel.final_rating_get(request.actor, rating_id)
    if final is None:
        return get_or_404(access.visible_final_ratings(request.actor), pk=rating_id)
    return _final_detail(final)


@router.post("/final-ratings/{int:rating_id}/acknowledge", response={200: FinalRatingDetailOut, **ERRORS},
             summary="Acknowledge your final rating (you may still appeal it)")
def final_rating_acknowledge(request, rating_id: int):
    final = get_or_404(access.visible_final_ratings(request.actor).select_related("employee"), pk=rating_id)
    decisions.final_rating_acknowledge(actor=request.actor, final_rating=final)
    return _final_detail(final)


@router.post("/potentials", response={200: PotentialOut, **ERRORS},
             summary="Set a person's potential for the 9-box (manager or HR; audited)")
def potential_set(request, data: PotentialIn):
    actor = request.actor
    employee = ref(visible_employees(actor).select_related("org_unit"), data.employee_id, "employee_id")
    return decisions.potential_set(actor=actor, employee=employee, period_key=data.period, level=data.level,
                                   note=data.note)


# ---------------------------------------------------------------- appeals


class AppealOut(Schema):
    id: int
    employee: PersonOut
    period: str = Field(alias="period_key")
    final_rating_id: int | None
    rating_appealed: Decimal | None
    reason: str
    status: Literal["open", "answered"]
    outcome: Literal["kept", "changed", ""]
    rating_after: Decimal | None
    answer: str
    created_at: dt.datetime
    answered_at: dt.datetime | None


class AppealIn(InSchema):
    period: str = Field(pattern=PERIOD)
    reason: str = Field(min_length=1, max_length=4000)


class AppealAnswerIn(InSchema):
    outcome: Literal["kept", "changed"]
    answer: str = Field(min_length=1, max_length=4000)
    rating: Decimal | None = Field(None, ge=1, le=5, max_digits=2, decimal_places=1)


class AppealFiltersIn(InSchema):
    box: Literal["inbox", "mine"] = "inbox"
    status: Literal["open", "answered"] | None = None


@router.get("/appeals", response={200: list[AppealOut], **ERRORS},
            summary="Appeals: the inbox of the people you manage, or your own", description=PAGED_WAS_ARRAY)
@paginated(default=50, max_limit=200)
def appeal_list(request, filters: Query[AppealFiltersIn]):
    return sel.appeal_queryset(request.actor, box=filters.box, status=filters.status or "")


@router.post("/appeals", response={201: AppealOut, **ERRORS},
             summary="Appeal your final rating, or ask for a human review of your computed result")
def appeal_create(request, data: AppealIn):
    actor = request.actor
    if actor.employee is None:
        raise PermissionDenied(_("Only the person rated appeals a rating."))
    appeal = decisions.appeal_create(actor=actor, employee=actor.employee, period_key=data.period,
                                     reason=data.reason)
    return Status(201, appeal)


@router.get("/appeals/{int:appeal_id}", response={200: AppealOut, **ERRORS}, summary="An appeal")
def appeal_detail(request, appeal_id: int):
    appeal = sel.appeal_get(request.actor, appeal_id)
    if appeal is None:
        return get_or_404(access.visible_appeals(request.actor), pk=appeal_id)
    return appeal


@router.post("/appeals/{int:appeal_id}/answer", response={200: AppealOut, **ERRORS},
             summary="Answer an appeal (the manager or HR): keep the rating or change it")
def appeal_answer(request, appeal_id: int, data: AppealAnswerIn):
    appeal = get_or_404(access.visible_appeals(request.actor), pk=appeal_id)
    return decisions.appeal_answer(actor=request.actor, appeal=appeal, outcome=data.outcome, answer=data.answer,
                                   rating=data.rating)
