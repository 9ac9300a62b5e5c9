"""HR's configuration through the API: metrics, scorecards and their versions, periods, rebuilds.

The same services as the web pages; metrics are named by key in request bodies, as integrations do
when they send observations.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.core.errors import DomainError, InvalidInput, PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.organisation.access import visible_job_families, visible_org_units
from talentloop.performance import access, selectors_dashboards
from talentloop.performance.api.scores import MetricOut
from talentloop.performance.services import config as config_services
from talentloop.performance.services.rebuild import scores_rebuild

router = Router(tags=["performance configuration"])

SLUG = r"^[-a-zA-Z0-9_]+$"
PERIOD = r"^(19|2\d)\d{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$"  # years 1900–2999
MONTH = r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$"
ID = {"ge": 1, "le": 2**53}
DirectionLiteral = Literal["higher", "lower"]
AggregationLiteral = Literal["sum", "avg", "count", "last", "ratio"]
ScoringRuleLiteral = Literal["attainment", "linear", "binary"]
SubjectLiteral = Literal["employee", "org_unit"]
API_FIELD_NAMES = {"org_unit": "org_unit_id", "job_family": "job_family_id"}


def _weight(default=None, **kwargs):
    return Field(default, ge=0, le=100, max_digits=7, decimal_places=3, **kwargs)


def _value(default=None, **kwargs):
    return Field(default, ge=-(10**13) + 1, le=10**13 - 1, max_digits=20, decimal_places=6, **kwargs)


# ---------------------------------------------------------------- metrics


class MetricDetailOut(MetricOut):
    numerator: str | None
    denominator: str | None
    ratio_scale: Decimal
    zero_point: Decimal | None
    description: str
    is_active: bool

    @staticmethod
    def resolve_numerator(obj) -> str | None:
        return obj.numerator.key if obj.numerator_id else None

    @staticmethod
    def resolve_denominator(obj) -> str | None:
        return obj.denominator.key if obj.denominator_id else None


class MetricIn(InSchema):
    key: str = Field(min_length=1, max_length=60, pattern=SLUG)
    name: str = Field(min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    unit: str = Field("", max_length=30)
    direction: DirectionLiteral = "higher"
    aggregation: AggregationLiteral = "sum"
    numerator: str | None = Field(None, max_length=60, description="Key of the numerator metric (ratios only)")
    denominator: str | None = Field(None, max_length=60, description="Key of the denominator metric (ratios only)")
    ratio_scale: Decimal = Field(Decimal(1), gt=0, le=10**8, max_digits=12, decimal_places=3,
                                 description="e.g. 1000 for 'bugs per 1,000 lines'")
    scoring_rule: ScoringRuleLiteral = "attainment"
    zero_point: Decimal | None = _value(description="For the linear rule: the value that scores 0")
    subject_kind: SubjectLiteral = "employee"
    description: str = Field("", max_length=2000)
    is_active: bool = True


class MetricPatchIn(InSchema):
    key: str | None = Field(None, min_length=1, max_length=60, pattern=SLUG)
    name: str | None = Field(None, min_length=1, max_length=120)
    name_en: str | None = Field(None, max_length=120)
    unit: str | None = Field(None, max_length=30)
    direction: DirectionLiteral | None = None
    aggregation: AggregationLiteral | None = None
    numerator: str | None = Field(None, max_length=60)
    denominator: str | None = Field(None, max_length=60)
    ratio_scale: Decimal | None = Field(None, gt=0, le=10**8, max_digits=12, decimal_places=3)
    scoring_rule: ScoringRuleLiteral | None = None
    zero_point: Decimal | None = _value()
    subject_kind: SubjectLiteral | None = None
    description: str | None = Field(None, max_length=2000)
    is_active: bool | None = None


NOT_NULL = ("key", "name", "name_en", "unit", "direction", "aggregation", "ratio_scale", "scoring_rule",
            "subject_kind", "description", "is_active")


def _metric_refs(request, data: dict) -> dict:
    """Turn numerator and denominator keys into metrics the actor may see (unknown: a 422)."""
    keys = {data[k] for k in ("numerator", "denominator") if data.get(k)}
    found = {m.key: m for m in access.visible_metrics(request.actor).filter(key__in=keys)} if keys else {}
    errors = {}
    for name in ("numerator", "denominator"):
        if name in data:
            if data[name] in (None, ""):
                data[name] = None
            elif data[name] in found:
                data[name] = found[data[name]]
            else:
                errors[name] = [_("No such metric.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    return data


def _metric_out(request, pk: int):
    return access.visible_metrics(request.actor).select_related("numerator", "denominator").get(pk=pk)


@router.get("/metrics", response={200: list[MetricDetailOut], **ERRORS}, summary="Metrics", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def metric_list(request):
    return selectors_dashboards.metric_list(request.actor)


@router.post("/metrics", response={201: MetricDetailOut, **ERRORS}, summary="Define a metric (HR)")
def metric_create(request, data: MetricIn):
    if not access.can_manage_config(request.actor):
        # Checked before the references, so that the answer does not depend on what is asked.
        raise PermissionDenied(_("Only HR defines metrics."))
    values = _metric_refs(request, data.model_dump())
    metric = config_services.metric_save(actor=request.actor, data=values)
    return Status(201, _metric_out(request, metric.pk))


@router.patch("/metrics/{int:metric_id}", response={200: MetricDetailOut, **ERRORS}, summary="Change a metric (HR)")
def metric_patch(request, metric_id: int, data: MetricPatchIn):
    metric = get_or_404(access.visible_metrics(request.actor), pk=metric_id)
    values = data.model_dump(exclude_unset=True)
    nulls = [k for k in NOT_NULL if k in values and values[k] is None]
    if nulls:
        raise InvalidInput(_("Please correct the errors below."), {k: [_("This field cannot be null.")] for k in nulls})
    if not access.can_manage_config(request.actor):
        raise PermissionDenied(_("Only HR defines metrics."))
    values = _metric_refs(request, values)
    config_services.metric_save(actor=request.actor, metric=metric, data=values)
    return _metric_out(request, metric.pk)


# ---------------------------------------------------------------- scorecards


class DimensionMetricIn(InSchema):
    metric: str = Field(min_length=1, max_length=60, description="The metric's key")
    weight: Decimal = _weight(..., description="Weight inside the dimension, in percent")
    target: Decimal = _value(..., description="Monthly target (sums and counts scale with the period)")
    tolerance: Decimal | None = _value(description="Needed when lower is better and the target is 0")


class DimensionIn(InSchema):
    key: str = Field(min_length=1, max_length=60, pattern=SLUG)
    name: str = Field(min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    weight: Decimal = _weight(..., description="Percent; the dimensions add up to exactly 100")
    ratings_weight: Decimal = _weight(Decimal(0), description="Share of qualitative ratings in the dimension")
    manager_weight: Decimal = _weight(Decimal(100))
    peer_weight: Decimal = _weight(Decimal(0))
    self_weight: Decimal = _weight(Decimal(0))
    metrics: list[DimensionMetricIn] = Field(default_factory=list, max_length=50)


class ScorecardIn(InSchema):
    """A new scorecard, or with ``scorecard_id`` a new version of one (its scope stays as it is)."""

    scorecard_id: int | None = Field(None, **ID)
    name: str = Field("", max_length=120)
    name_en: str = Field("", max_length=120)
    org_unit_id: int | None = Field(None, **ID)
    job_family_id: int | None = Field(None, **ID)
    valid_from: str = Field(pattern=MONTH, description="The first month (YYYY-MM) the version applies to")
    note: str = Field("", max_length=300)
    dimensions: list[DimensionIn] = Field(max_length=20)


class DimensionMetricOut(Schema):
    metric: str
    weight: Decimal
    target: Decimal
    tolerance: Decimal | None


class ScorecardDimensionOut(Schema):
    key: str
    name: str
    name_en: str
    weight: Decimal
    ratings_weight: Decimal
    manager_weight: Decimal
    peer_weight: Decimal
    self_weight: Decimal
    metrics: list[DimensionMetricOut]


class ScorecardVersionOut(Schema):
    id: int
    valid_from: dt.date
    note: str
    created_at: dt.datetime
    dimensions: list[ScorecardDimensionOut]


class ScorecardItemOut(Schema):
    id: int
    name: str
    name_en: str
    org_unit_id: int | None
    job_family_id: int | None
    is_active: bool
    latest_valid_from: dt.date | None
    version_count: int


class ScorecardOut(Schema):
    id: int
    name: str
    name_en: str
    org_unit_id: int | None
    job_family_id: int | None
    is_active: bool
    versions: list[ScorecardVersionOut]


def _scorecard_out(request, pk: int) -> dict:
    data = selectors_dashboards.scorecard_detail(request.actor, pk)
    if data is None:
        return get_or_404(access.visible_scorecards(request.actor), pk=pk)
    card = data["scorecard"]
    return {
        "id": card.pk, "name": card.name, "name_en": card.name_en, "org_unit_id": card.org_unit_id,
        "job_family_id": card.job_family_id, "is_active": card.is_active,
        "versions": [{"id": v.pk, "valid_from": v.valid_from, "note": v.note, "created_at": v.created_at,
                      "dimensions": [{**{k: getattr(d, k) for k in ("key", "name", "name_en", "weight",
                                                                     "ratings_weight", "manager_weight",
                                                                     "peer_weight", "self_weight")},
                                      "metrics": [{"metric": p.metric.key, "weight": p.weight, "target": p.target,
                                                   "tolerance": p.tolerance} for p in d.parts]}
                                     for d in v.dims]}
                     for v in data["versions"]],
    }


@router.get("/scorecards", response={200: list[ScorecardItemOut], **ERRORS}, summary="Scorecards",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def scorecard_list(request):
    return [{"id": c.pk, "name": c.name, "name_en": c.name_en, "org_unit_id": c.org_unit_id,
             "job_family_id": c.job_family_id, "is_active": c.is_active, "latest_valid_from": c.latest,
             "version_count": c.version_count} for c in selectors_dashboards.scorecard_list(request.actor)]


@router.get("/scorecards/{int:scorecard_id}", response={200: ScorecardOut, **ERRORS},
            summary="A scorecard with every version")
def scorecard_detail(request, scorecard_id: int):
    return _scorecard_out(request, scorecard_id)


@router.post("/scorecards", response={201: ScorecardOut, **ERRORS},
             summary="Create a scorecard, or a new version of one from a chosen month (HR)")
def scorecard_create(request, data: ScorecardIn):
    actor = request.actor
    if not access.can_manage_config(actor):
        raise PermissionDenied(_("Only HR defines scorecards."))
    scorecard = None
    errors: dict[str, list[str]] = {}
    if data.scorecard_id is not None:
        scorecard = get_or_404(access.visible_scorecards(actor), pk=data.scorecard_id)
        for name in ("org_unit_id", "job_family_id"):
            if getattr(data, name) is not None:
                errors[name] = [_("The scope of a scorecard is fixed; create another scorecard instead.")]
    elif not data.name.strip():
        errors["name"] = [_("A new scorecard needs a name.")]
    org_unit = job_family = None
    if data.org_unit_id is not None and scorecard is None:
        org_unit = visible_org_units(actor).filter(pk=data.org_unit_id).first()
        if org_unit is None:
            errors["org_unit_id"] = [_("No such record.")]
    if data.job_family_id is not None and scorecard is None:
        job_family = visible_job_families(actor).filter(pk=data.job_family_id).first()
        if job_family is None:
            errors["job_family_id"] = [_("No such record.")]
    keys = {m.metric for dim in data.dimensions for m in dim.metrics}
    metrics = {m.key: m for m in access.visible_metrics(actor).filter(key__in=keys)} if keys else {}
    dimensions = []
    for i, dim in enumerate(data.dimensions):
        row = dim.model_dump(exclude={"metrics"})
        row["metrics"] = []
        for j, part in enumerate(dim.metrics):
            metric = metrics.get(part.metric)
            if metric is None or metric.subject_kind != "employee":
                errors[f"dimensions.{i}.metrics.{j}.metric"] = [_("No such metric about people.")]
                continue
            row["metrics"].append({**part.model_dump(), "metric": metric})
        dimensions.append(row)
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    year, month = (int(x) for x in data.valid_from.split("-"))
    try:
        version = config_services.scorecard_save(
            actor=actor, scorecard=scorecard, name=data.name.strip(), name_en=data.name_en, org_unit=org_unit,
            job_family=job_family, valid_from=dt.date(year, month, 1), note=data.note, dimensions=dimensions)
    except DomainError as exc:
        exc.errors = {API_FIELD_NAMES.get(k, k): v for k, v in exc.errors.items()}
        raise
    return Status(201, _scorecard_out(request, version.scorecard_id))


# ---------------------------------------------------------------- periods and rebuilds


class PeriodOut(Schema):
    key: str
    kind: Literal["month", "quarter", "year"]
    start: dt.date
    end: dt.date
    closed: bool
    changed_at: dt.datetime | None


class PeriodListIn(InSchema):
    kind: Literal["month", "quarter", "year"] | None = None


class RecomputeIn(InSchema):
    period: str = Field(pattern=PERIOD, description="YYYY-MM, YYYY-Qn or YYYY")


class RecomputeOut(Schema):
    period: str
    queued: bool
    closed: bool
    detail: str


@router.get("/periods", response={200: list[PeriodOut], **ERRORS},
            summary="Recent months, quarters and years with their state (closed or open)", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def period_list(request, filters: Query[PeriodListIn]):
    rows = selectors_dashboards.period_rows(request.actor, timezone.localdate())
    return [{"key": r.period.key, "kind": r.period.kind, "start": r.period.start, "end": r.period.end,
             "closed": r.closed, "changed_at": r.changed_at}
            for r in rows if filters.kind is None or r.period.kind == filters.kind]


@router.post("/scores/recompute", response={202: RecomputeOut, **ERRORS},
             summary="Rebuild every score of a period from the observations (HR)")
def scores_recompute(request, query: Query[RecomputeIn]):
    period = scores_rebuild(actor=request.actor, period_key=query.period)
    closed = selectors_dashboards.period_is_closed(period.key)
    detail = (_("The period is closed; its scores stay as they are until it is reopened.") if closed
              else _("The scores are being rebuilt."))
    return Status(202, {"period": period.key, "queued": not closed, "closed": closed, "detail": detail})

