"""Decisions made by people: final ratings (set and changed in review cycles and calibration),
acknowledgement, appeals and their answers, and the potential axis of the 9-box.

A final rating is stored apart from the computed score and a recomputation never touches it.
Every change is kept twice: as a ``FinalRatingChange`` row the employee sees next to the rating,
and in the audit log.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee
from talentloop.performance import access, signals
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Appeal,
    FinalRating,
    FinalRatingChange,
    Potential,
    PotentialLevel,
    ReviewCycle,
    Score,
)
from talentloop.performance.services.scores import period_is_closed

ONE = Decimal(1)
FIVE = Decimal(5)
MAX_TEXT = 4000


def parse_period(key: str, field: str = "period") -> P.Period:
    try:
        return P.parse(key)
    except ValueError as exc:
        raise InvalidInput(_("Please correct the errors below."),
                           {field: [_("Use YYYY-MM, YYYY-Qn or YYYY.")]}) from exc


def parse_rating(value: object, field: str = "rating") -> Decimal:
    """A rating on the 1–5 scale with at most one decimal."""
    try:
        rating = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(_("Please correct the errors below."), {field: [_("Enter a number.")]}) from exc
    if not rating.is_finite() or rating < ONE or rating > FIVE:
        raise InvalidInput(_("Please correct the errors below."),
                           {field: [_("A rating is between 1 and 5.")]})
    if rating != rating.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP):
        raise InvalidInput(_("Please correct the errors below."),
                           {field: [_("A rating has at most one decimal.")]})
    return rating.quantize(Decimal("0.1"))


def clean_text(value: str, field: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("Please correct the errors below."), {field: [_("This field is required.")]})
    if len(value) > limit:
        raise InvalidInput(_("Please correct the errors below."),
                           {field: [_("Keep it under %(limit)s characters.") % {"limit": limit}]})
    return value


def computed_rating(employee: Employee, period_key: str) -> Decimal | None:
    return Score.objects.filter(employee=employee, period_key=period_key).values_list("rating", flat=True).first()


# ---------------------------------------------------------------- final ratings


@transaction.atomic
def final_rating_set(
    *, actor: Actor, employee: Employee, period_key: str, rating: object, note: str = "",
    cycle: ReviewCycle | None = None, source: str = FinalRatingChange.Source.CALIBRATION,
) -> FinalRating:
    """Decide (or change) the final rating of a person for a period.

    HR covering the person may decide at any time; a manager above them while the period is open.
    Changing the rating asks the employee to acknowledge it again.
    """
    period = parse_period(period_key)
    closed = period_is_closed(period.key)
    if not access.can_decide_final_rating(actor, employee, period_closed=closed):
        if closed and access.manages(actor, employee):
            raise PermissionDenied(_("The period is closed: only HR changes its final ratings now."))
        raise PermissionDenied(_("You may not decide this person's rating."))
    rating = parse_rating(rating)
    note = clean_text(note, "note", required=False, limit=500)
    if cycle is not None:
        if cycle.period_key != period.key:
            raise InvalidInput(_("Please correct the errors below."),
                               {"period": [_("The review cycle covers another period.")]})
        if cycle.status in (ReviewCycle.Status.DRAFT, ReviewCycle.Status.CLOSED) and not actor.is_hr:
            raise Conflict(_("Final ratings are set while the review cycle is open or in calibration."))
    final = FinalRating.objects.select_for_update().filter(employee=employee, period_key=period.key).first()
    before = final.rating if final is not None else None
    if final is not None and final.rating == rating and final.note == note:
        return final
    created = final is None
    if final is None:
        final = FinalRating(employee=employee, period_key=period.key)
    final.rating = rating
    final.note = note
    final.decided_by = actor.user
    if before != rating:
        final.acknowledged_at = None
    final.save()
    computed = computed_rating(employee, period.key)
    FinalRatingChange.objects.create(final_rating=final, rating_before=before, rating_after=rating,
                                     computed_rating=computed, source=source, cycle=cycle, note=note,
                                     changed_by=actor.user)
    audit_record(actor=actor, action="create" if created else "update", obj=final,
                 entity_label=f"{employee.display_name} {period.key}",
                 changes={"rating": {"before": None if before is None else str(before), "after": str(rating)},
                          "computed_rating": None if computed is None else str(computed),
                          "source": str(source), "cycle": cycle.pk if cycle else None},
                 summary=_("Final rating"))
    employee_id, period_key, final_id = employee.pk, period.key, final.pk
    transaction.on_commit(lambda: signals.final_rating_decided.send(
        sender=FinalRating, employee_id=employee_id, period_key=period_key, rating=rating,
        final_rating_id=final_id), robust=True)
    return final


@transaction.atomic
def final_rating_acknowledge(*, actor: Actor, final_rating: FinalRating) -> FinalRating:
    """The employee has seen the final rating (agreeing is not implied: they may still appeal)."""
    if not access.can_acknowledge_final_rating(actor, final_rating):
        raise PermissionDenied(_("Only the person rated acknowledges a final rating."))
    if final_rating.acknowledged_at is not None:
        return final_rating
    final_rating.acknowledged_at = timezone.now()
    FinalRating.objects.filter(pk=final_rating.pk).update(acknowledged_at=final_rating.acknowledged_at)
    cache.bump_people([final_rating.employee_id])
    audit_record(actor=actor, action="update", obj=final_rating,
                 entity_label=f"{final_rating.employee.display_name} {final_rating.period_key}",
                 changes={"acknowledged": True}, summary=_("Final rating acknowledged"))
    return final_rating


# ---------------------------------------------------------------- potential (the 9-box)


@transaction.atomic
def potential_set(*, actor: Actor, employee: Employee, period_key: str, level: str, note: str = "") -> Potential:
    if not access.can_set_potential(actor, employee):
        raise PermissionDenied(_("The manager or HR sets a person's potential."))
    period = parse_period(period_key)
    if level not in PotentialLevel.values:
        raise InvalidInput(_("Please correct the errors below."), {"level": [_("Choose low, medium or high.")]})
    note = clean_text(note, "note", required=False, limit=500)
    current = Potential.objects.select_for_update().filter(employee=employee, period_key=period.key).first()
    before = current.level if current else None
    if current is not None and current.level == level and current.note == note:
        return current
    potential = current or Potential(employee=employee, period_key=period.key)
    potential.level = level
    potential.note = note
    potential.set_by = actor.user
    potential.save()
    audit_record(actor=actor, action="create" if current is None else "update", obj=potential,
                 entity_label=f"{employee.display_name} {period.key}",
                 changes={"level": {"before": before, "after": level}}, summary=_("Potential"))
    return potential


# ---------------------------------------------------------------- appeals


@transaction.atomic
def appeal_create(*, actor: Actor, employee: Employee, period_key: str, reason: str) -> Appeal:
    """Appeal the final rating of a period, or, before there is one, ask for a human review of the
    computed result. One open appeal per person and period."""
    if not access.can_appeal(actor, employee):
        raise PermissionDenied(_("Only the person rated appeals a rating."))
    period = parse_period(period_key)
    reason = clean_text(reason, "reason", required=True)
    final = FinalRating.objects.filter(employee=employee, period_key=period.key).first()
    appealed = final.rating if final is not None else computed_rating(employee, period.key)
    if appealed is None:
        raise InvalidInput(_("There is no rating for this period yet."),
                           {"period": [_("There is no rating for this period yet.")]})
    if Appeal.objects.filter(employee=employee, period_key=period.key, status=Appeal.Status.OPEN).exists():
        raise Conflict(_("You already have an open appeal for this period."))
    appeal = Appeal.objects.create(employee=employee, period_key=period.key, final_rating=final,
                                   rating_appealed=appealed, reason=reason)
    audit_record(actor=actor, action="create", obj=appeal, entity_label=f"{employee.display_name} {period.key}",
                 changes={"rating_appealed": str(appealed), "of": "final" if final else "computed"},
                 summary=_("Appeal"))
    return appeal


@transaction.atomic
def appeal_answer(*, actor: Actor, appeal: Appeal, outcome: str, answer: str, rating: object = None) -> Appeal:
    """The manager or HR answers. "changed" sets the final rating (as a decision of its own, with
    the same rules as calibration); "kept" leaves every rating as it is. The outcome is kept."""
    appeal = (Appeal.objects.select_for_update(of=("self",))
              .select_related("employee", "employee__org_unit").get(pk=appeal.pk))
    if not access.can_answer_appeal(actor, appeal):
        raise PermissionDenied(_("The person's manager or HR answers an appeal."))
    if appeal.status != Appeal.Status.OPEN:
        raise Conflict(_("This appeal has already been answered."))
    answer = clean_text(answer, "answer", required=True)
    if outcome not in Appeal.Outcome.values:
        raise InvalidInput(_("Please correct the errors below."), {"outcome": [_("Choose an outcome.")]})
    final = FinalRating.objects.filter(employee=appeal.employee, period_key=appeal.period_key).first()
    current = final.rating if final is not None else appeal.rating_appealed
    if outcome == Appeal.Outcome.CHANGED:
        if rating in (None, ""):
            raise InvalidInput(_("Please correct the errors below."), {"rating": [_("Enter the new rating.")]})
        new = parse_rating(rating)
        if final is not None and new == final.rating:
            raise InvalidInput(_("Please correct the errors below."),
                               {"rating": [_("That is the current rating; choose \"Rating kept\" instead.")]})
        final = final_rating_set(actor=actor, employee=appeal.employee, period_key=appeal.period_key, rating=new,
                                 note=answer[:500], source=FinalRatingChange.Source.APPEAL)
        appeal.final_rating = final
        appeal.rating_after = new
    else:
        if rating not in (None, ""):
            raise InvalidInput(_("Please correct the errors below."),
                               {"rating": [_("Leave the rating empty when it is kept.")]})
        appeal.rating_after = current
    appeal.status = Appeal.Status.ANSWERED
    appeal.outcome = outcome
    appeal.answer = answer
    appeal.answered_by = actor.user
    appeal.answered_at = timezone.now()
    appeal.save()
    audit_record(actor=actor, action="update", obj=appeal,
                 entity_label=f"{appeal.employee.display_name} {appeal.period_key}",
                 changes={"status": {"before": "open", "after": "answered"}, "outcome": outcome,
                          "rating_after": None if appeal.rating_after is None else str(appeal.rating_after)},
                 summary=_("Appeal answered"))
    return appeal


@transaction.atomic
def calibration_record(
    *, actor: Actor, cycle: ReviewCycle, employee: Employee, rating: object = None, note: str = "", potential: str = "",
    potential_note: str = "",
) -> tuple[FinalRating | None, Potential | None]:
    """One person's line on the calibration page: their final rating and their potential, decided
    together (each audited on its own). An empty rating or potential leaves that part as it is."""
    if not access.can_calibrate(actor, cycle):
        raise PermissionDenied(_("Calibration is for HR and managers once the cycle is open."))
    final = None
    pot = None
    if rating not in (None, ""):
        final = final_rating_set(actor=actor, employee=employee, period_key=cycle.period_key, rating=rating,
                                 note=note, cycle=cycle, source=FinalRatingChange.Source.CALIBRATION)
    if potential:
        pot = potential_set(actor=actor, employee=employee, period_key=cycle.period_key, level=potential,
                            note=potential_note)
    if final is None and pot is None:
        raise InvalidInput(_("Please correct the errors below."),
                           {"rating": [_("Enter a final rating or a potential.")]})
    return final, pot
