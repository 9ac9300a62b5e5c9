"""Review cycles: HR creates and opens them (self and manager reviews for everyone in scope),
peers are picked by the reviewee or their manager, each reviewer writes and submits their own
form, reminders are recorded daily, and the cycle moves on to calibration and closes.

A submitted review is locked. Its ratings count in nobody's score while the cycle runs: when HR
closes the cycle (after calibration) the ratings of its submitted reviews become ``QualitativeRating``
facts covering the cycle's period, and the scores of its people for every month of that period are
recomputed after commit. Until then only HR covering a person reads the running figures
(``access.can_view_running_ratings``). A reopened cycle keeps the ratings it already published; those
submitted after the reopening count when it closes again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.notifications.services import Item, items_for, notify_after_commit
from talentloop.organisation.models import Employee, EmploymentStatus, OrgUnit
from talentloop.performance import access, signals
from talentloop.performance.models import QualitativeRating, RaterKind, Review, ReviewCycle, ReviewReminder
from talentloop.performance.selectors_reviews import DUE_SOON_DAYS, rated_dimensions
from talentloop.performance.services.decisions import clean_text, parse_period, parse_rating
from talentloop.performance.services.recompute import recompute_marks_add_period

MAX_PEERS = 6
BATCH = 1000
Status = ReviewCycle.Status

# Moves HR may make, besides opening a draft (which generates the reviews).
TRANSITIONS = {
    (Status.OPEN, Status.CALIBRATION),
    (Status.CALIBRATION, Status.OPEN),
    (Status.CALIBRATION, Status.CLOSED),
    (Status.CLOSED, Status.CALIBRATION),  # a reopening, audited like every move
}


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput(_("Please correct the errors below."), errors)


# ---------------------------------------------------------------- cycles


@transaction.atomic
def review_cycle_create(
    *, actor: Actor, name: str, period_key: str, org_unit: OrgUnit | None = None, self_due: dt.date,
    manager_due: dt.date, peer_due: dt.date,
) -> ReviewCycle:
    """A draft cycle; nothing is generated until it is opened."""
    if not access.can_create_review_cycle(actor):
        raise PermissionDenied(_("Only HR runs review cycles."))
    cycle = ReviewCycle(name=(name or "").strip(), period_key=period_key, org_unit=org_unit, self_due=self_due,
                        manager_due=manager_due, peer_due=peer_due, created_by=actor.user)
    if not access.can_manage_review_cycle(actor, cycle):
        raise PermissionDenied(_("This cycle would review people outside your HR scope."))
    errors: dict[str, list[str]] = {}
    if not cycle.name:
        errors["name"] = [_("This field is required.")]
    elif len(cycle.name) > 120:
        errors["name"] = [_("Keep it under %(limit)s characters.") % {"limit": 120}]
    try:
        parse_period(period_key, "period_key")
    except InvalidInput as exc:
        errors.update(exc.errors)
    if self_due > manager_due:
        errors["manager_due"] = [_("Manager reviews are due on or after self reviews.")]
    if peer_due > manager_due:
        errors.setdefault("manager_due", []).append(_("Manager reviews are due on or after peer reviews."))
    if errors:
        raise _invalid(errors)
    cycle.save()
    audit_record(actor=actor, action="create", obj=cycle,
                 changes={"period": period_key, "org_unit": org_unit.pk if org_unit else None,
                          "self_due": str(self_due), "manager_due": str(manager_due), "peer_due": str(peer_due)})
    return cycle


def _people_in_scope(cycle: ReviewCycle) -> QuerySet[Employee]:
    period = parse_period(cycle.period_key)
    qs = (Employee.objects.exclude(status=EmploymentStatus.TERMINATED)
          .filter(hire_date__lt=period.end))
    if cycle.org_unit is not None:
        qs = qs.filter(org_unit__path__startswith=cycle.org_unit.path)
    return qs


def _enqueue_recompute(period_key: str, employee_ids: list[int] | None) -> None:
    """Mark the cycle's period itself and (for a quarter or year) every month in it stale, in this
    transaction; the worker is woken after commit and the minute sweep catches what a crash left."""
    # the tasks module imports this one: looked up when enqueueing
    from talentloop.performance.tasks import drain_recompute_marks

    period = parse_period(period_key)
    periods = list(period.months_in())
    if period.key not in {m.key for m in periods}:
        periods.append(period)
    for each in periods:
        recompute_marks_add_period(each, employee_ids)
    transaction.on_commit(drain_recompute_marks)


@transaction.atomic
def review_cycle_open(*, actor: Actor, cycle: ReviewCycle) -> ReviewCycle:
    """Open a draft: a self review for everyone in scope and a manager review by their manager,
    written in bulk. The cycle's period is then scored for them (after commit) so that calibration
    has the computed figures."""
    cycle = ReviewCycle.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=cycle.pk)
    if not access.can_manage_review_cycle(actor, cycle):
        raise PermissionDenied(_("Only HR covering the cycle's people opens it."))
    if cycle.status != Status.DRAFT:
        raise Conflict(_("This cycle is already open."))
    people = list(_people_in_scope(cycle).values_list("pk", "manager_id"))
    if not people:
        raise _invalid({"org_unit": [_("Nobody is in the scope of this cycle.")]})
    reviews = []
    for pk, manager_id in people:
        reviews.append(Review(cycle=cycle, reviewee_id=pk, reviewer_id=pk, kind=RaterKind.SELF, due=cycle.self_due))
        if manager_id is not None:
            reviews.append(Review(cycle=cycle, reviewee_id=pk, reviewer_id=manager_id, kind=RaterKind.MANAGER,
                                  due=cycle.manager_due))
    Review.objects.bulk_create(reviews, batch_size=BATCH, ignore_conflicts=True)
    cycle.status = Status.OPEN
    cycle.opened_at = timezone.now()
    cycle.save(update_fields=["status", "opened_at"])
    audit_record(actor=actor, action="update", obj=cycle,
                 changes={"status": {"before": Status.DRAFT, "after": Status.OPEN}, "people": len(people),
                          "reviews": len(reviews)})
    # The whole organisation: one rebuild of everybody rather than a list of every id in the job.
    _enqueue_recompute(cycle.period_key, None if cycle.org_unit_id is None else [pk for pk, _m in people])

    notify_after_commit(kind="review_cycle_open", items=items_for(
        sorted({pk for pk, _m in people} | {m for _p, m in people if m is not None}),
        {"cycle": cycle.name, "self_due": cycle.self_due.isoformat()}, reverse("performance:review-list"),
        f"review-cycle:{cycle.pk}"))
    return cycle


@transaction.atomic
def review_cycle_set_status(*, actor: Actor, cycle: ReviewCycle, status: str) -> ReviewCycle:
    if status == Status.OPEN and cycle.status == Status.DRAFT:
        return review_cycle_open(actor=actor, cycle=cycle)
    cycle = ReviewCycle.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=cycle.pk)
    if not access.can_manage_review_cycle(actor, cycle):
        raise PermissionDenied(_("Only HR covering the cycle's people moves it on."))
    if status not in Status.values:
        raise _invalid({"status": [_("Not a cycle status.")]})
    if (cycle.status, status) not in TRANSITIONS:
        raise Conflict(_("A cycle cannot move from %(before)s to %(after)s.")
                       % {"before": Status(cycle.status).label, "after": Status(status).label})
    before = cycle.status
    cycle.status = status
    cycle.closed_at = timezone.now() if status == Status.CLOSED else None
    cycle.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, action="update", obj=cycle, changes={"status": {"before": before, "after": status}})
    if status == Status.CLOSED:
        # The cycle's ratings count from now on: published as facts, the scores of its people rebuilt.
        reviewees = _publish_ratings(cycle)
        ids = None if cycle.org_unit_id is None else reviewees
        if ids is None or ids:
            _enqueue_recompute(cycle.period_key, ids)
        cycle_id = cycle.pk
        transaction.on_commit(lambda: signals.review_cycle_closed.send(sender=ReviewCycle, cycle_id=cycle_id),
                              robust=True)
    elif status == Status.CALIBRATION and before == Status.OPEN:
        # Fresh computed figures for the calibration page.
        ids = None if cycle.org_unit_id is None else list(
            Review.objects.filter(cycle=cycle, kind=RaterKind.SELF).values_list("reviewee_id", flat=True))
        _enqueue_recompute(cycle.period_key, ids)
    return cycle


def _publish_ratings(cycle: ReviewCycle) -> list[int]:
    """Write the dimension ratings of the cycle's submitted reviews that are not facts yet as
    ``QualitativeRating`` rows covering the cycle's period (one read and a bulk insert); the people
    reviewed in the cycle are returned."""
    period = parse_period(cycle.period_key)
    rows = []
    for review in (Review.objects.filter(cycle=cycle, status=Review.Status.SUBMITTED)
                   .exclude(pk__in=QualitativeRating.objects.filter(review__cycle=cycle).values("review_id"))
                   .only("pk", "reviewee_id", "reviewer_id", "kind", "dimension_ratings")):
        for key, value in (review.dimension_ratings or {}).items():
            rows.append(QualitativeRating(employee_id=review.reviewee_id, rater_id=review.reviewer_id,
                                          rater_kind=review.kind, dimension_key=key, rating=Decimal(str(value)),
                                          covers_start=period.start, covers_end=period.end, review_id=review.pk))
    QualitativeRating.objects.bulk_create(rows, batch_size=BATCH)
    return sorted(set(Review.objects.filter(cycle=cycle).values_list("reviewee_id", flat=True)))


# ---------------------------------------------------------------- peers


@transaction.atomic
def review_peers_add(*, actor: Actor, cycle: ReviewCycle, reviewee: Employee, peers: list[Employee]) -> list[Review]:
    """The reviewee or their manager picks colleagues to review them (at most six)."""
    if not access.can_pick_peers(actor, cycle, reviewee):
        if cycle.status != Status.OPEN:
            raise Conflict(_("Peers are picked while the cycle is open."))
        raise PermissionDenied(_("The person or their manager picks peers."))
    if not Review.objects.filter(cycle=cycle, reviewee=reviewee, kind=RaterKind.SELF).exists():
        raise _invalid({"reviewee": [_("This person is not reviewed in this cycle.")]})
    unique = {p.pk: p for p in peers}
    errors: list[str] = []
    if not unique:
        errors.append(_("Pick at least one colleague."))
    if reviewee.pk in unique:
        errors.append(_("A person is not their own peer."))
    inactive = [p for p in unique.values() if p.status == EmploymentStatus.TERMINATED]
    if inactive:
        errors.append(_("%(name)s has left.") % {"name": inactive[0].display_name})
    existing = set(Review.objects.filter(cycle=cycle, reviewee=reviewee, kind=RaterKind.PEER)
                   .values_list("reviewer_id", flat=True))
    new = [p for pk, p in unique.items() if pk not in existing]
    if len(existing) + len(new) > MAX_PEERS:
        errors.append(_("At most %(n)s peers review a person.") % {"n": MAX_PEERS})
    if errors:
        raise _invalid({"peers": errors})
    reviews = [Review(cycle=cycle, reviewee=reviewee, reviewer=p, kind=RaterKind.PEER, due=cycle.peer_due,
                      nominated_by=actor.user) for p in new]
    Review.objects.bulk_create(reviews, ignore_conflicts=True)
    if new:
        audit_record(actor=actor, action="create", entity_type="performance.review", entity_id=str(cycle.pk),
                     entity_label=f"{cycle.name}: {reviewee.display_name}",
                     changes={"peers_added": [p.pk for p in new]}, summary=_("Peers picked"))
    return list(Review.objects.filter(cycle=cycle, reviewee=reviewee, kind=RaterKind.PEER))


@transaction.atomic
def review_peer_remove(*, actor: Actor, review: Review) -> None:
    """Take back a peer who has not submitted yet."""
    review = (Review.objects.select_for_update(of=("self",))
              .select_related("cycle", "reviewee", "reviewee__org_unit").get(pk=review.pk))
    if review.kind != RaterKind.PEER:
        raise _invalid({"review": [_("Only peer reviewers can be taken off.")]})
    if not access.can_pick_peers(actor, review.cycle, review.reviewee):
        raise PermissionDenied(_("The person or their manager picks peers."))
    if review.status == Review.Status.SUBMITTED:
        raise Conflict(_("This peer has already submitted their review."))
    audit_record(actor=actor, action="delete", obj=review, changes={"reviewer": review.reviewer_id},
                 summary=_("Peer taken off"))
    review.delete()


# ---------------------------------------------------------------- writing a review


@transaction.atomic
def review_save(
    *, actor: Actor, review: Review, rating: Any = None, dimension_ratings: dict[str, object] | None = None,
    comment: str = "", improvements: str = "", submit: bool = False,
) -> Review:
    """Save the reviewer's own form as a draft, or submit it (then it is locked).

    On submit every rated dimension and the overall rating are required; the ratings count in the
    person's scores once the cycle is closed (``review_cycle_set_status``), not before.
    """
    review = (Review.objects.select_for_update(of=("self",))
              .select_related("cycle", "reviewee", "reviewer").get(pk=review.pk))
    if not access.is_self(actor, review.reviewer):
        raise PermissionDenied(_("Only the reviewer writes this review."))
    if review.status == Review.Status.SUBMITTED:
        raise Conflict(_("This review is submitted and locked."))
    if review.cycle.status != Status.OPEN:
        raise Conflict(_("Reviews are written while the cycle is open."))
    dims = dict(rated_dimensions(review.reviewee, review.cycle.period_key, review.kind))
    errors: dict[str, list[str]] = {}
    given = {k: v for k, v in (dimension_ratings or {}).items() if v not in (None, "")}
    ratings: dict[str, Decimal] = {}
    for key, value in given.items():
        if key not in dims:
            errors[f"dimension_ratings.{key}"] = [_("This dimension is not rated in this review.")]
            continue
        try:
            ratings[key] = parse_rating(value, f"dimension_ratings.{key}")
        except InvalidInput as exc:
            errors.update(exc.errors)
    overall = None
    if rating not in (None, ""):
        try:
            overall = parse_rating(rating)
        except InvalidInput as exc:
            errors.update(exc.errors)
    for fname, value in (("comment", comment), ("improvements", improvements)):
        try:
            clean_text(value, fname, required=False)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if submit:
        if overall is None and "rating" not in errors:
            errors["rating"] = [_("Give an overall rating before submitting.")]
        for key in dims:
            if key not in ratings and f"dimension_ratings.{key}" not in errors:
                errors[f"dimension_ratings.{key}"] = [_("Rate this before submitting.")]
    if errors:
        raise _invalid(errors)
    review.rating = overall
    review.dimension_ratings = {k: str(v) for k, v in ratings.items()}
    review.comment = (comment or "").strip()
    review.improvements = (improvements or "").strip()
    if submit:
        review.status = Review.Status.SUBMITTED
        review.submitted_at = timezone.now()
    review.save()
    # The audit keeps that the form was saved or submitted, not what it says.
    audit_record(actor=actor, action="update", obj=review, entity_label=f"{review.cycle.name}: {review.kind}",
                 changes={"status": review.status, "rated": sorted(ratings)},
                 summary=_("Review submitted") if submit else _("Review draft saved"))
    return review


# ---------------------------------------------------------------- reminders


# ReviewReminder.Kind → notification kind (registered in performance.notification_kinds).
REVIEW_KINDS: dict[str, str] = {ReviewReminder.Kind.DUE_SOON: "review_due_soon",
                                 ReviewReminder.Kind.OVERDUE: "review_overdue"}


def review_reminders_record(*, actor: Actor | None = None, today: dt.date | None = None) -> int:
    """The daily job: a "due soon" reminder for pending reviews due within three days and an "overdue"
    one after the due date, each at most once per review. The reminder is recorded (HR's cycle page
    shows the last one) and the reviewer is told through the notifications (inbox, and e-mail / push /
    chat as they choose) after commit. A few queries and one bulk insert whatever the number of reviews;
    running the job twice for a day tells nobody twice.
    """
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    pending = Review.objects.filter(status=Review.Status.PENDING, cycle__status=Status.OPEN, due__isnull=False)
    overdue = list(pending.filter(due__lt=today).exclude(reminders__kind=ReviewReminder.Kind.OVERDUE)
                   .values_list("pk", flat=True))
    due_soon = list(pending.filter(due__gte=today, due__lte=soon)
                    .exclude(Q(reminders__kind=ReviewReminder.Kind.DUE_SOON))
                    .values_list("pk", flat=True))
    rows = ([ReviewReminder(review_id=pk, kind=ReviewReminder.Kind.OVERDUE, sent_on=today) for pk in overdue]
            + [ReviewReminder(review_id=pk, kind=ReviewReminder.Kind.DUE_SOON, sent_on=today) for pk in due_soon])
    with transaction.atomic():
        ReviewReminder.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        _review_reminders_notify(overdue, ReviewReminder.Kind.OVERDUE)
        _review_reminders_notify(due_soon, ReviewReminder.Kind.DUE_SOON)
    return len(rows)


def _review_reminders_notify(review_ids: list[int], kind: str) -> None:
    if not review_ids:
        return
    items = []
    for start in range(0, len(review_ids), BATCH):
        for r in (Review.objects.filter(pk__in=review_ids[start:start + BATCH])
                  .values("pk", "reviewer_id", "kind", "due", "cycle__name", "reviewee__name", "reviewee__name_en")):
            # ``due`` is set: only reviews with a due date are reminded.
            data = {"cycle": r["cycle__name"], "due": str(r["due"]), "self": r["kind"] == RaterKind.SELF,
                    "person": r["reviewee__name"], "person_en": r["reviewee__name_en"]}
            items.append(Item(r["reviewer_id"], data, reverse("performance:review-edit", args=[r["pk"]]),
                              f"review:{r['pk']}:{kind}"))
    notify_after_commit(kind=REVIEW_KINDS[kind], items=items)

