"""HR's configuration: metrics, scorecards and their versions, periods."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.cache import cache_bump
from talentloop.core.errors import InvalidInput, PermissionDenied, errors_from_validation
from talentloop.organisation.models import JobFamily, OrgUnit
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance.models import (
    Aggregation,
    Dimension,
    DimensionMetric,
    Direction,
    Metric,
    PeriodState,
    Score,
    Scorecard,
    ScorecardVersion,
)

HUNDRED = Decimal(100)


def _clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc


@transaction.atomic
def metric_save(*, actor: Actor, metric: Metric | None = None, data: dict[str, Any]) -> Metric:
    if not access.can_manage_config(actor):
        raise PermissionDenied(_("Only HR defines metrics."))
    fields = ["key", "name", "name_en", "unit", "direction", "aggregation", "numerator", "denominator",
              "ratio_scale", "scoring_rule", "zero_point", "subject_kind", "description", "is_active"]
    obj = metric or Metric()
    for key in fields:
        if key in data:
            setattr(obj, key, data[key])
    errors: dict[str, list[str]] = {}
    if obj.aggregation == Aggregation.RATIO:
        if obj.numerator is None or obj.denominator is None:
            errors["numerator"] = [_("A ratio names a numerator and a denominator metric.")]
        elif obj.pk and obj.pk in (obj.numerator_id, obj.denominator_id):
            errors["numerator"] = [_("A ratio cannot refer to itself.")]
    elif obj.numerator_id or obj.denominator_id:
        errors["aggregation"] = [_("Only a ratio has a numerator and a denominator.")]
    if obj.scoring_rule == "linear" and obj.zero_point is None:
        errors["zero_point"] = [_("The linear rule needs a zero point.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    _clean(obj)
    created = obj.pk is None
    obj.save()
    audit_record(actor=actor, action="create" if created else "update", obj=obj,
                 changes={k: str(getattr(obj, k)) for k in ("key", "direction", "aggregation", "scoring_rule")})
    return obj


def _validate_dimensions(dimensions: list[dict]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not dimensions:
        return {"dimensions": [_("A scorecard needs at least one dimension.")]}
    total = sum((Decimal(str(dim.get("weight", 0))) for dim in dimensions), Decimal(0))
    if total != HUNDRED:
        errors["dimensions"] = [_("The dimension weights add up to %(total)s; they must add up to exactly 100.")
                                % {"total": f"{total.normalize():f}"}]
    keys = [dim.get("key") for dim in dimensions]
    if len(set(keys)) != len(keys):
        errors.setdefault("dimensions", []).append(_("Dimension keys must be unique."))
    for i, dim in enumerate(dimensions):
        prefix = f"dimensions.{i}"
        metrics = dim.get("metrics") or []
        ratings_weight = Decimal(str(dim.get("ratings_weight", 0)))
        if not metrics and ratings_weight <= 0:
            errors[prefix] = [_("A dimension needs metrics, ratings or both.")]
            continue
        inner = sum((Decimal(str(m.get("weight", 0))) for m in metrics), Decimal(0)) + ratings_weight
        if inner != HUNDRED:
            errors[prefix] = [
                _("Inside dimension '%(key)s' the weights of metrics and ratings add up to %(total)s; "
                  "they must add up to 100.") % {"key": dim.get("key"), "total": f"{inner.normalize():f}"}]
        if ratings_weight > 0:
            raters = sum((Decimal(str(dim.get(f"{k}_weight", 0))) for k in ("manager", "peer", "self")), Decimal(0))
            if raters != HUNDRED:
                errors.setdefault(prefix, []).append(
                    _("The manager, peer and self rating weights of '%(key)s' must add up to 100.")
                    % {"key": dim.get("key")})
        for j, m in enumerate(metrics):
            metric: Metric = m["metric"]
            target = Decimal(str(m.get("target")))
            if metric.direction == Direction.HIGHER and target <= 0:
                errors[f"{prefix}.metrics.{j}.target"] = [_("A higher-is-better target must be above 0.")]
            if metric.direction == Direction.LOWER and target == 0 and not m.get("tolerance"):
                errors[f"{prefix}.metrics.{j}.tolerance"] = [
                    _("A lower-is-better metric with target 0 needs a tolerance.")]
            if target < 0:
                errors[f"{prefix}.metrics.{j}.target"] = [_("A target cannot be negative.")]
    return errors


@transaction.atomic
def scorecard_save(
    *, actor: Actor, name: str, name_en: str = "", org_unit: OrgUnit | None = None,
    job_family: JobFamily | None = None, valid_from: dt.date, dimensions: list[dict], note: str = "",
    scorecard: Scorecard | None = None,
) -> ScorecardVersion:
    """Create a scorecard, or a new version of one that applies from ``valid_from``'s month on.

    ``dimensions``: [{key, name, name_en, weight, ratings_weight, manager_weight, peer_weight, self_weight,
    metrics: [{metric, weight, target, tolerance}]}]. Weights are percentages and must add up to 100.
    """
    if not access.can_manage_config(actor):
        raise PermissionDenied(_("Only HR defines scorecards."))
    errors = _validate_dimensions(dimensions)
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    valid_from = P.containing(valid_from).start
    if scorecard is None:
        scorecard = Scorecard(name=name, name_en=name_en, org_unit=org_unit, job_family=job_family)
        _clean(scorecard, exclude=["org_unit", "job_family"])
        if Scorecard.objects.filter(org_unit=org_unit, job_family=job_family).exists():
            raise InvalidInput(_("A scorecard for this org unit and job family already exists; add a version."),
                               {"org_unit": [_("Already has a scorecard.")]})
        scorecard.save()
    else:
        scorecard.name, scorecard.name_en = name or scorecard.name, name_en or scorecard.name_en
        scorecard.save(update_fields=["name", "name_en"])
    if _version_used(scorecard, valid_from):
        _refuse_used()
    # Redefining the version of the same month replaces it (its open-period scores are recomputed).
    ScorecardVersion.objects.filter(scorecard=scorecard, valid_from=valid_from).delete()
    version = ScorecardVersion.objects.create(scorecard=scorecard, valid_from=valid_from, note=note,
                                              created_by=actor.user)
    for order, dim in enumerate(dimensions):
        d = Dimension(version=version, key=dim["key"], name=dim["name"], name_en=dim.get("name_en", ""),
                      weight=Decimal(str(dim["weight"])), order=order,
                      ratings_weight=Decimal(str(dim.get("ratings_weight", 0))),
                      manager_weight=Decimal(str(dim.get("manager_weight", 100))),
                      peer_weight=Decimal(str(dim.get("peer_weight", 0))),
                      self_weight=Decimal(str(dim.get("self_weight", 0))))
        _clean(d, exclude=["version"])
        d.save()
        DimensionMetric.objects.bulk_create([
            DimensionMetric(dimension=d, metric=m["metric"], weight=Decimal(str(m["weight"])),
                            target=Decimal(str(m["target"])),
                            tolerance=None if m.get("tolerance") in (None, "") else Decimal(str(m["tolerance"])))
            for m in dim.get("metrics") or []
        ])
    cache_bump("performance")  # bulk_create sends no post_save: the kept scorecard is rebuilt
    audit_record(actor=actor, action="create", obj=version, entity_label=str(scorecard),
                 changes={"valid_from": str(valid_from),
                          "dimensions": {dim["key"]: str(dim["weight"]) for dim in dimensions}})
    return version


def _version_used(scorecard: Scorecard, valid_from: dt.date) -> bool:
    return Score.objects.filter(version__scorecard=scorecard, version__valid_from=valid_from,
                                period_key__in=list(PeriodState.objects.filter(closed=True)
                                                    .values_list("key", flat=True))).exists()


def _refuse_used() -> NoReturn:
    raise InvalidInput(_("That version already scored a closed period; start the new version a month later."),
                       {"valid_from": [_("Already used by a closed period.")]})


@transaction.atomic
def period_set_closed(*, actor: Actor, key: str, closed: bool) -> PeriodState:
    if not access.can_close_period(actor):
        raise PermissionDenied(_("Only HR for the whole organisation closes and reopens periods."))
    try:
        P.parse(key)
    except ValueError as exc:
        raise InvalidInput(str(exc), {"period": [str(exc)]}) from exc
    state, _created = PeriodState.objects.update_or_create(key=key, defaults={"closed": closed,
                                                                              "changed_by": actor.user})
    audit_record(actor=actor, action="update", entity_type="performance.period", entity_id=key,
                 entity_label=key, changes={"closed": closed})
    if not closed:
        # the tasks module imports this one: looked up when enqueueing
        from talentloop.performance.tasks import recompute_scores

        transaction.on_commit(lambda: recompute_scores(key, None))
    return state
