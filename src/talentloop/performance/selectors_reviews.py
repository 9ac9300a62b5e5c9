"""Reads of reviews, feedback and decisions; every one starts from an access scope and runs a
fixed number of queries whatever the number of people."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from talentloop.core.access import Actor
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Appeal,
    CheckIn,
    Feedback,
    FeedbackRequest,
    FinalRating,
    FinalRatingChange,
    ImprovementPlan,
    PlanGoal,
    Potential,
    PotentialLevel,
    Review,
    ReviewCycle,
    Score,
)
from talentloop.performance.services.scores import _load_cards, resolve_scorecard

PAGE = 50
DUE_SOON_DAYS = 3


# ---------------------------------------------------------------- review cycles


def review_cycle_list(actor: Actor) -> list[ReviewCycle]:
    return list(access.visible_review_cycles(actor).select_related("org_unit")
                .annotate(review_count=Count("reviews"),
                          submitted_count=Count("reviews", filter=Q(reviews__status=Review.Status.SUBMITTED)),
                          people_count=Count("reviews__reviewee", distinct=True))
                .order_by("-created_at", "-id"))


def review_cycle_get(actor: Actor, pk: int) -> ReviewCycle | None:
    return access.visible_review_cycles(actor).select_related("org_unit").filter(pk=pk).first()


def review_cycle_for_peers(actor: Actor, pk: int) -> ReviewCycle | None:
    """A cycle the actor sees as HR or manager, or one in which they are reviewed themselves."""
    me = actor.employee.pk if actor.employee is not None else -1
    own = ReviewCycle.objects.filter(pk__in=Review.objects.filter(reviewee_id=me, kind="self").values("cycle_id"))
    return (access.visible_review_cycles(actor) | own).select_related("org_unit").filter(pk=pk).first()


@dataclass
class ProgressRow:
    employee: Employee
    self_done: bool | None = None  # None: no such review
    manager_done: bool | None = None
    peers_done: int = 0
    peers_total: int = 0


def cycle_progress(actor: Actor, cycle: ReviewCycle, *, page: int = 1) -> tuple[list[ProgressRow], int]:
    """One page of the people reviewed in a cycle whom the actor manages, with the state of their
    reviews (never their content). Three queries."""
    people = (access.managed_employees(actor)
              .filter(pk__in=Review.objects.filter(cycle=cycle).values("reviewee_id")))
    count = people.count()
    start = (max(1, page) - 1) * PAGE
    employees = list(people.select_related("org_unit", "manager").order_by("employee_number")[start:start + PAGE])
    rows = {e.pk: ProgressRow(employee=e) for e in employees}
    counts = (Review.objects.filter(cycle=cycle, reviewee_id__in=list(rows)).order_by()
              .values("reviewee_id", "kind")
              .annotate(total=Count("id"), done=Count("id", filter=Q(status=Review.Status.SUBMITTED))))
    for c in counts:
        row = rows[c["reviewee_id"]]
        if c["kind"] == "self":
            row.self_done = c["done"] > 0
        elif c["kind"] == "manager":
            row.manager_done = c["done"] == c["total"]
        else:
            row.peers_done, row.peers_total = c["done"], c["total"]
    return list(rows.values()), count


# ---------------------------------------------------------------- reviews


def rated_dimensions(reviewee: Employee, period_key: str, kind: str) -> list[tuple[str, str]]:
    """The dimensions of the reviewee's scorecard that this kind of rater rates: ``(key, name)``.

    The scorecard is the one that scores the person in the cycle's period (its version valid at the
    period's start); a dimension counts when it has a ratings weight and this rater kind a weight in it.
    """
    period = P.parse(period_key)
    cards, versions = _load_cards(period)
    unit_path = OrgUnit.objects.filter(pk=reviewee.org_unit_id).values_list("path", flat=True).first() or "/"
    card = resolve_scorecard(cards, unit_path, reviewee.job_family_id)
    if card is None:
        return []
    cv = versions[card.pk]
    return [(d.key, cv.labels[f"d{d.pk}"]) for d in cv.dimensions
            if d.ratings_weight > 0 and getattr(d, f"{kind}_weight", 0) > 0]


def review_queryset(actor: Actor, *, mine: bool = True) -> QuerySet[Review]:
    """The reviews the actor writes (``mine``), or every review they may read, in opened cycles; the
    API narrows it with its filters and pages it."""
    qs = access.visible_reviews(actor).exclude(cycle__status=ReviewCycle.Status.DRAFT)
    if mine:
        qs = qs.filter(reviewer_id=actor.employee.pk if actor.employee is not None else -1)
    return qs.select_related("reviewee", "reviewer").order_by("status", "due", "id")


def review_get(actor: Actor, pk: int) -> Review | None:
    return (access.visible_reviews(actor).select_related("cycle", "reviewee", "reviewee__org_unit", "reviewer")
            .filter(pk=pk).first())


def due_state(due: dt.date | None, today: dt.date | None = None) -> str:
    if due is None:
        return ""
    today = today or timezone.localdate()
    if due < today:
        return "overdue"
    if (due - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return ""


@dataclass
class MyReviews:
    to_write: list[Review]
    done: list[Review]
    peer_picks: list[Review] = field(default_factory=list)  # my self reviews in open cycles: pick peers


MY_REVIEW_SHOWS = ("to_write", "done", "all")


@dataclass
class MyReviewFilters:
    show: str = "to_write"  # to_write: pending in open cycles; done: submitted or closed; all
    cycle: int | None = None
    kind: str = ""
    search: str = ""  # the reviewee's name, its pinyin or number


def my_review_queryset(actor: Actor, filters: MyReviewFilters | None = None) -> QuerySet[Review]:
    """The review forms the actor writes. Those to write come most urgent first (by due date); those
    done, and the whole list, newest first. The caller pages it (a count and one page)."""
    filters = filters or MyReviewFilters()
    if actor.employee is None:
        return Review.objects.none()
    qs = (access.visible_reviews(actor).filter(reviewer_id=actor.employee.pk)
          .exclude(cycle__status=ReviewCycle.Status.DRAFT))
    writable = Q(status=Review.Status.PENDING, cycle__status=ReviewCycle.Status.OPEN)
    if filters.show == "to_write":
        qs = qs.filter(writable).order_by(F("due").asc(nulls_last=True), "id")
    elif filters.show == "done":
        qs = qs.exclude(writable).order_by(F("submitted_at").desc(nulls_last=True), "-cycle_id", "-id")
    else:
        qs = qs.order_by("-cycle_id", F("due").desc(nulls_last=True), "-id")
    if filters.cycle:
        qs = qs.filter(cycle_id=filters.cycle)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    term = " ".join(filters.search.split()).lower()[:100]
    if term:
        qs = qs.filter(Q(reviewee__search_key__contains=term) | Q(reviewee__search_key__contains=term.replace(" ", "")))
    return qs.select_related("cycle", "reviewee").annotate(last_reminder=Max("reminders__sent_on"))


def my_review_cycles(actor: Actor) -> list[ReviewCycle]:
    """The cycles in which the actor writes reviews (the list's filter), newest first. One query."""
    if actor.employee is None:
        return []
    return list(ReviewCycle.objects.filter(reviews__reviewer_id=actor.employee.pk)
                .exclude(status=ReviewCycle.Status.DRAFT).distinct().only("pk", "name", "period_key")
                .order_by("-pk"))


def my_reviews(actor: Actor, reviews: list[Review] | None = None, filters: MyReviewFilters | None = None
               ) -> MyReviews:
    """One page of the forms the actor writes (``reviews``, from ``my_review_queryset``), split into
    those to write and those done, and the open cycles in which they are reviewed (to pick their
    peers): one query besides the page."""
    if actor.employee is None:
        return MyReviews([], [])
    me = actor.employee.pk
    today = timezone.localdate()
    if reviews is None:
        reviews = list(my_review_queryset(actor, filters or MyReviewFilters(show="all"))[:200])
    to_write: list[Review] = []
    done: list[Review] = []
    for r in reviews:
        r.due_state = due_state(r.due, today) if r.status == Review.Status.PENDING else ""
        writable = r.status == Review.Status.PENDING and r.cycle.status == ReviewCycle.Status.OPEN
        (to_write if writable else done).append(r)
    peers = (Review.objects.filter(cycle_id=OuterRef("cycle_id"), reviewee_id=me, kind="peer").order_by()
             .values("cycle_id").annotate(n=Count("id")).values("n"))
    picks: list[Review] = list(Review.objects.filter(reviewer_id=me, reviewee_id=me, kind="self",
                                       cycle__status=ReviewCycle.Status.OPEN)
                 .select_related("cycle").annotate(peer_count=Coalesce(Subquery(peers), 0)))
    return MyReviews(to_write=to_write, done=done, peer_picks=picks)


def peer_reviews(actor: Actor, cycle: ReviewCycle, reviewee: Employee) -> list[Review]:
    """The peer reviewers picked for a person (who, and whether they are done; not what they wrote)."""
    return list(peer_reviews_qs(actor, cycle, reviewee).select_related("reviewer").order_by("reviewer__name"))


def peer_reviews_qs(actor: Actor, cycle: ReviewCycle, reviewee: Employee) -> QuerySet[Review]:
    """The peer reviews of one person in a cycle, as nominations the actor may see."""
    return access.visible_peer_nominations(actor).filter(cycle=cycle, reviewee=reviewee)


def reviews_of(actor: Actor, cycle: ReviewCycle, reviewee: Employee) -> list[Review]:
    """The reviews of one person in a cycle that the actor may read."""
    return list(access.visible_reviews(actor).filter(cycle=cycle, reviewee=reviewee)
                .select_related("reviewer").order_by("kind", "id"))


# ---------------------------------------------------------------- calibration


PERFORMANCE_BANDS = ("low", "medium", "high")


def performance_band(rating: Decimal | None) -> str | None:
    """The performance axis of the 9-box: below 3.0 low, 3.0 to 3.9 medium, 4.0 and above high
    (3.0 is "partly meets", 4.0 "meets target" on the rating scale)."""
    if rating is None:
        return None
    if rating >= Decimal(4):
        return "high"
    if rating >= Decimal(3):
        return "medium"
    return "low"


def rating_bucket(rating: Decimal) -> int:
    """The whole-number bucket of the distribution: 1 … 5, rounded half up."""
    return int(rating.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class CalibrationRow:
    employee: Employee
    computed: Decimal | None = None
    self_rating: Decimal | None = None
    manager_rating: Decimal | None = None
    peer_rating: Decimal | None = None
    peer_count: int = 0
    final: FinalRating | None = None
    potential: Potential | None = None
    can_decide: bool = False

    @property
    def effective(self) -> Decimal | None:
        return self.final.rating if self.final is not None else self.computed

    @property
    def band(self) -> str | None:
        return performance_band(self.effective)


@dataclass
class TeamDistribution:
    unit: OrgUnit
    counts: list[int]  # people with an effective rating of 1, 2, 3, 4, 5
    unrated: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def bars(self) -> list[dict]:
        total = self.total or 1
        return [{"rating": i + 1, "count": n, "percent": round(100 * n / total)} for i, n in enumerate(self.counts)]


@dataclass
class Calibration:
    cycle: ReviewCycle
    rows: list[CalibrationRow]
    teams: list[TeamDistribution]
    grid: list[dict]  # 9-box cells, top row first: {potential, performance, people}
    unplaced: list[CalibrationRow]


def calibration(actor: Actor, cycle: ReviewCycle, *, org_unit: OrgUnit | None = None,
                closed: bool = False) -> Calibration:
    """The people of a cycle the actor manages, with computed, reviewed and final ratings and
    potentials; the distribution per team (org unit) and the 9-box. Five queries."""
    people = (access.managed_employees(actor)
              .filter(pk__in=Review.objects.filter(cycle=cycle).values("reviewee_id")))
    if org_unit is not None:
        people = people.filter(org_unit__path__startswith=org_unit.path)
    employees = list(people.select_related("org_unit").order_by("org_unit__path", "name"))
    ids = [e.pk for e in employees]
    rows = {e.pk: CalibrationRow(employee=e) for e in employees}
    for emp, rating in Score.objects.filter(employee_id__in=ids, period_key=cycle.period_key).values_list(
            "employee_id", "rating"):
        rows[emp].computed = rating
    sums: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for r in (Review.objects.filter(cycle=cycle, reviewee_id__in=ids, status=Review.Status.SUBMITTED,
                                    rating__isnull=False).values_list("reviewee_id", "kind", "rating")):
        sums[(r[0], r[1])].append(cast(Decimal, r[2]))  # rating__isnull=False
    for (emp, kind), values in sums.items():
        mean = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        row = rows[emp]
        if kind == "self":
            row.self_rating = mean
        elif kind == "manager":
            row.manager_rating = mean
        else:
            row.peer_rating, row.peer_count = mean, len(values)
    for final in FinalRating.objects.filter(employee_id__in=ids, period_key=cycle.period_key):
        rows[final.employee_id].final = final
    for pot in Potential.objects.filter(employee_id__in=ids, period_key=cycle.period_key):
        rows[pot.employee_id].potential = pot
    open_cycle = cycle.status in (ReviewCycle.Status.OPEN, ReviewCycle.Status.CALIBRATION)
    for row in rows.values():
        row.can_decide = (open_cycle or actor.is_hr) and access.can_decide_final_rating(
            actor, row.employee, period_closed=closed)
    # Distribution per team: the org unit each person belongs to.
    teams: dict[int, TeamDistribution] = {}
    for row in rows.values():
        unit = row.employee.org_unit
        team = teams.setdefault(unit.pk, TeamDistribution(unit=unit, counts=[0, 0, 0, 0, 0]))
        if row.effective is None:
            team.unrated += 1
        else:
            team.counts[rating_bucket(row.effective) - 1] += 1
    # The 9-box: potential from high (top) to low, performance from low (left) to high.
    cells: dict[tuple[str, str], list[CalibrationRow]] = {
        (p, b): [] for p in PotentialLevel.values for b in PERFORMANCE_BANDS}
    unplaced = []
    for row in rows.values():
        if row.band is None or row.potential is None:
            unplaced.append(row)
        else:
            cells[(row.potential.level, row.band)].append(row)
    grid = [{"potential": p, "performance": b, "people": cells[(p, b)]}
            for p in ("high", "medium", "low") for b in PERFORMANCE_BANDS]
    return Calibration(cycle=cycle, rows=list(rows.values()), teams=sorted(teams.values(), key=lambda t: t.unit.path),
                       grid=grid, unplaced=unplaced)


# ---------------------------------------------------------------- final ratings and appeals


@dataclass
class MyRatings:
    finals: list[FinalRating]
    open_appeals: dict[str, Appeal]
    reviewable: list[Score]  # recent computed results without a final rating: a human review may be asked


def my_final_ratings(actor: Actor) -> MyRatings:
    """The actor's final ratings with their history and computed rating, their open appeals, and
    recent computed results they may ask a human to review. Five queries."""
    if actor.employee is None:
        return MyRatings([], {}, [])
    me = actor.employee.pk
    finals = list(access.visible_final_ratings(actor).filter(employee_id=me).order_by("-period_key")[:40])
    changes: dict[int, list[FinalRatingChange]] = defaultdict(list)
    for ch in (FinalRatingChange.objects.filter(final_rating__in=[f.pk for f in finals])
               .select_related("changed_by").order_by("changed_at", "id")):
        changes[ch.final_rating_id].append(ch)
    computed = dict(Score.objects.filter(employee_id=me, period_key__in=[f.period_key for f in finals])
                    .values_list("period_key", "rating"))
    for f in finals:
        f.history = changes.get(f.pk, [])
        f.computed = computed.get(f.period_key)
    appeals = {a.period_key: a for a in access.visible_appeals(actor).filter(employee_id=me,
                                                                             status=Appeal.Status.OPEN)}
    decided = {f.period_key for f in finals}
    recent = [s for s in (Score.objects.filter(employee_id=me, rating__isnull=False)
                          .order_by("-period_start", "-period_key")[:8]) if s.period_key not in decided]
    return MyRatings(finals=finals, open_appeals=appeals, reviewable=recent[:6])


@dataclass
class AppealTarget:
    period_key: str
    final: FinalRating | None
    computed: Decimal | None
    open_appeal: Appeal | None

    @property
    def rating(self) -> Decimal | None:
        return self.final.rating if self.final is not None else self.computed


def appeal_target(actor: Actor, period_key: str) -> AppealTarget:
    """What the actor would appeal for a period: their final rating, else their computed one."""
    me = actor.employee.pk if actor.employee is not None else -1
    final = access.visible_final_ratings(actor).filter(employee_id=me, period_key=period_key).first()
    computed = (access.visible_scores(actor).filter(employee_id=me, period_key=period_key)
                .values_list("rating", flat=True).first())
    open_appeal = access.visible_appeals(actor).filter(employee_id=me, period_key=period_key,
                                                       status=Appeal.Status.OPEN).first()
    return AppealTarget(period_key=period_key, final=final, computed=computed, open_appeal=open_appeal)


def final_rating_get(actor: Actor, pk: int) -> FinalRating | None:
    return access.visible_final_ratings(actor).select_related("employee").filter(pk=pk).first()


def final_rating_explain(final: FinalRating) -> FinalRating:
    """Attach why the final rating is what it is: the computed rating of its period and every
    decision that led to it (two queries). The caller fetched ``final`` through its scope."""
    final.computed_rating = (Score.objects.filter(employee_id=final.employee_id, period_key=final.period_key)
                             .values_list("rating", flat=True).first())
    final.history = list(FinalRatingChange.objects.filter(final_rating=final).order_by("changed_at", "id"))
    return final


def final_rating_queryset(actor: Actor) -> QuerySet[FinalRating]:
    """The final ratings the actor may see, the latest period first; the API narrows and pages it."""
    return access.visible_final_ratings(actor).select_related("employee").order_by(
        "-period_key", "employee__employee_number")


def appeal_list(actor: Actor, *, box: str = "inbox", status: str = "", limit: int = PAGE,
                offset: int = 0) -> list[Appeal]:
    """``inbox``: appeals of the people the actor manages, open first; ``mine``: the actor's own."""
    return list(appeal_queryset(actor, box=box, status=status)[offset:offset + limit])


def appeal_queryset(actor: Actor, *, box: str = "inbox", status: str = "") -> QuerySet[Appeal]:
    """Appeals in a box, open first and then the newest (the page pages it)."""
    qs = access.visible_appeals(actor).select_related("employee", "answered_by")
    if box == "mine":
        qs = qs.filter(employee_id=actor.employee.pk if actor.employee else -1)
    else:
        qs = qs.filter(access._managed_q(actor, "employee__"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-status", "-created_at", "-id")


def appeal_get(actor: Actor, pk: int) -> Appeal | None:
    return (access.visible_appeals(actor).select_related("employee", "employee__org_unit", "final_rating",
                                                         "answered_by").filter(pk=pk).first())


# ---------------------------------------------------------------- feedback


@dataclass
class FeedbackBoxes:
    received: list[Feedback]
    given: list[Feedback]
    asked_of_me: list[FeedbackRequest]
    my_requests: list[FeedbackRequest]
    team: list[Feedback]


def feedback_boxes(actor: Actor) -> FeedbackBoxes:
    """Five queries: feedback received, given, about the actor's team; requests to and from them."""
    if actor.employee is None:
        return FeedbackBoxes([], [], [], [], [])
    me = actor.employee.pk
    visible = access.visible_feedback(actor).select_related("giver", "recipient")
    received = list(visible.filter(recipient_id=me).order_by("-created_at", "-id")[:PAGE])
    given = list(visible.filter(giver_id=me).order_by("-created_at", "-id")[:PAGE])
    team: list[Feedback] = []
    if actor.has_reports:
        team = list(visible.filter(recipient__manager_path__startswith=actor.reports_prefix)
                    .exclude(giver_id=me).order_by("-created_at", "-id")[:PAGE])
    requests = access.visible_feedback_requests(actor).select_related("requester", "subject", "responder")
    asked = list(requests.filter(responder_id=me, status=FeedbackRequest.Status.OPEN)
                 .order_by("-created_at", "-id")[:PAGE])
    mine = list(requests.filter(requester_id=me).order_by("-created_at", "-id")[:PAGE])
    return FeedbackBoxes(received=received, given=given, asked_of_me=asked, my_requests=mine, team=team)


FEEDBACK_BOXES = ("received", "given", "team")


def feedback_queryset(actor: Actor, box: str) -> QuerySet[Feedback]:
    """One box of feedback, newest first (the page pages it): received, given or about one's team."""
    if actor.employee is None or box not in FEEDBACK_BOXES:
        return Feedback.objects.none()
    me = actor.employee.pk
    qs = access.visible_feedback(actor).select_related("giver", "recipient")
    if box == "received":
        qs = qs.filter(recipient_id=me)
    elif box == "given":
        qs = qs.filter(giver_id=me)
    elif actor.has_reports:
        qs = qs.filter(recipient__manager_path__startswith=actor.reports_prefix).exclude(giver_id=me)
    else:
        qs = qs.none()
    return qs.order_by("-created_at", "-id")


def feedback_list(actor: Actor, *, box: str = "received", limit: int = PAGE, offset: int = 0) -> list[Feedback]:
    return list(feedback_box(actor, box=box)[offset:offset + limit])


def feedback_box(actor: Actor, *, box: str = "received") -> QuerySet[Feedback]:
    """A box of feedback as the API reads it, newest first: received, given, or (``team``) what the
    actor may see between others."""
    qs = access.visible_feedback(actor).select_related("giver", "recipient")
    me = actor.employee.pk if actor.employee else -1
    if box == "received":
        qs = qs.filter(recipient_id=me)
    elif box == "given":
        qs = qs.filter(giver_id=me)
    else:  # team
        qs = qs.exclude(recipient_id=me).exclude(giver_id=me)
    return qs.order_by("-created_at", "-id")


def feedback_latest(actor: Actor, *, limit: int = 3) -> list[Feedback]:
    """The latest feedback the actor received, with only what a summary card shows (the text, when,
    and the giver's name — not the people's whole records)."""
    me = actor.employee.pk if actor.employee else -1
    return list(access.visible_feedback(actor).filter(recipient_id=me).select_related("giver")
                .only("id", "text", "created_at", "giver__id", "giver__name", "giver__name_en")
                .order_by("-created_at", "-id")[:limit])


FEEDBACK_REQUEST_BOXES = ("asked", "requests")


def feedback_request_queryset(actor: Actor, box: str) -> QuerySet[FeedbackRequest]:
    """Requests in full, newest first (the page pages it): ``asked`` those still open that colleagues
    sent the actor, ``requests`` those the actor sent."""
    if actor.employee is None or box not in FEEDBACK_REQUEST_BOXES:
        return FeedbackRequest.objects.none()
    me = actor.employee.pk
    qs = access.visible_feedback_requests(actor).select_related("requester", "subject", "responder")
    if box == "asked":
        qs = qs.filter(responder_id=me, status=FeedbackRequest.Status.OPEN)
    else:
        qs = qs.filter(requester_id=me)
    return qs.order_by("-created_at", "-id")


def feedback_request_box(actor: Actor, *, box: str = "asked") -> QuerySet[FeedbackRequest]:
    """Every request of a box, answered or not, newest first (the API's pages count and slice it):
    ``asked`` those colleagues sent the actor, ``requests`` those the actor sent."""
    qs = access.visible_feedback_requests(actor).select_related("requester", "subject", "responder")
    me = actor.employee.pk if actor.employee else -1
    qs = qs.filter(responder_id=me) if box == "asked" else qs.filter(requester_id=me)
    return qs.order_by("-created_at", "-id")


# ---------------------------------------------------------------- improvement plans


def plan_queryset(actor: Actor, *, status: str = "", search: str = "") -> QuerySet[ImprovementPlan]:
    """Improvement plans the actor may see: active ones first, then the newest; the caller pages it."""
    qs = (access.visible_improvement_plans(actor).select_related("employee", "owner")
          .annotate(goal_count=Count("goals", distinct=True),
                    goals_met=Count("goals", filter=Q(goals__status=PlanGoal.Status.MET), distinct=True),
                    last_check_in=Max("check_ins__created_at")))
    if status:
        qs = qs.filter(status=status)
    term = " ".join(search.split()).lower()[:100]
    if term:
        qs = qs.filter(Q(employee__search_key__contains=term) | Q(employee__search_key__contains=term.replace(" ", ""))
                       | Q(title__icontains=term))
    return qs.order_by("status", "-starts_on", "-id")


def plan_get(actor: Actor, pk: int) -> ImprovementPlan | None:
    return (access.visible_improvement_plans(actor).select_related("employee", "employee__org_unit", "owner")
            .filter(pk=pk).first())


def plan_detail(actor: Actor, plan: ImprovementPlan) -> tuple[list[PlanGoal], list[CheckIn]]:
    goals = list(PlanGoal.objects.filter(plan=plan).order_by("order", "id"))
    check_ins = list(CheckIn.objects.filter(plan=plan).select_related("author").order_by("-created_at", "-id"))
    return goals, check_ins


def plan_goal_get(actor: Actor, plan: ImprovementPlan, pk: int) -> PlanGoal | None:
    """A goal of a plan the caller fetched through ``visible_improvement_plans``."""
    return PlanGoal.objects.filter(plan=plan, pk=pk).select_related("plan").first()


def review_cycle_with_unit(cycle_id: int) -> ReviewCycle | None:
    """A review cycle with its org unit (one query), for an outbound event; None when gone."""
    return ReviewCycle.objects.select_related("org_unit").filter(pk=cycle_id).first()
