from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, SkipValidation, field_validator
from pydantic_core import PydanticCustomError

from talentloop.core.access import Actor
from talentloop.core.errors import InvalidInput
from talentloop.core.http import get_or_404
from talentloop.core.schemas import ERRORS, ErrorOut, InItem, InSchema, has_null_character
from talentloop.core.validation import item_errors
from talentloop.performance import access, selectors
from talentloop.performance import periods as P
from talentloop.performance.services import config as config_services
from talentloop.performance.services import observations as obs_services
from talentloop.performance.services.observations import MAX_ITEMS
from talentloop.performance.services.webhooks import webhook_receive

router = Router(tags=["performance"])


class ObservationIn(InItem):
    """One observation. Exactly one subject: employee_id, employee_number or org_unit_id."""

    metric: str = Field(max_length=60, description="The metric's key")
    value: Decimal = Field(description="A finite number (JSON number or numeric string), below 10^13 in size")
    occurred_at: dt.datetime = Field(description="ISO 8601; naive times are the organisation's time zone; "
                                     "not in the future, not before 2000")
    source: str = Field(max_length=60, description="The sending system")
    external_id: str = Field(max_length=120, description="The sender's id: the same (source, external_id) "
                             "again is a duplicate, or a correction when the value differs")
    employee_id: int | None = Field(None, ge=1, lt=2**53)
    employee_number: str | None = Field(None, max_length=32)
    org_unit_id: int | None = Field(None, ge=1, lt=2**53)

    # What observations_ingest (shared with the webhook and the uploads) accepts, this accepts too:
    # ids sent as numbers, text measured without the spaces around it.
    model_config = ConfigDict(coerce_numbers_to_str=True, str_strip_whitespace=True)

    @field_validator("metric", "source", "external_id", "employee_number", mode="after")
    @classmethod
    def _no_null_characters(cls, value: str | None) -> str | None:
        """InItem's rule, checked on the text fields only: a number or a time cannot hold a NUL, and
        the check runs for every item of a batch of thousands."""
        if value is not None and "\x00" in value:
            raise PydanticCustomError("null_characters", str(ProhibitNullCharactersValidator.message))
        return value

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _same_times_as_the_other_channels(cls, value: object) -> object:
        """Read a time with Django's parser, as the ingestion does, so a time the webhook takes
        (``2026-3-2 9:30``) is not refused here; anything it cannot read is left to pydantic."""
        if isinstance(value, str) and len(value) <= 64:
            try:
                return parse_datetime(value) or value
            except (ValueError, OverflowError):
                return value
        return value


class ObservationBatchIn(InSchema):
    # SkipValidation: the body is not refused whole for one bad item. The endpoint validates each item
    # with ObservationIn on its own and reports a bad one by its index; observations_ingest then
    # checks the rest as a set (unknown metrics and people, the one subject rule).
    items: list[SkipValidation[ObservationIn]] = Field(
        ...,
        description=f"Up to {MAX_ITEMS:,} observations. Each item is validated on its own so that a bad one is "
        "reported by its index in `rejected`; with `partial` the good ones are kept, without it nothing is written.")
    partial: bool = False

    @field_validator("*", mode="after")
    @classmethod
    def _no_null_characters(cls, value: object) -> object:
        """InSchema's rule (a NUL anywhere in the body refuses it), without a recursive call for every
        key and value of thousands of items: plain text and numbers are looked at in place."""
        if _items_hold_null_character(value):
            raise PydanticCustomError("null_characters", str(ProhibitNullCharactersValidator.message))
        return value


_SCALARS = (int, float, bool, type(None))


def _items_hold_null_character(value: object) -> bool:
    """``has_null_character`` for a list of JSON objects, with the common case (text and numbers)
    handled in place rather than by a call for every key and value."""
    if not isinstance(value, list):
        return has_null_character(value)
    for item in value:
        if type(item) is not dict:
            if has_null_character(item):
                return True
            continue
        for key, field in item.items():
            if type(key) is str:
                if "\x00" in key:
                    return True
            elif has_null_character(key):
                return True
            if type(field) is str:
                if "\x00" in field:
                    return True
            elif type(field) not in _SCALARS and has_null_character(field):
                return True
    return False


class RejectedOut(Schema):
    index: int
    errors: dict[str, list[str]]


class IngestOut(Schema):
    accepted: int
    duplicates: int
    corrections: int
    rejected: list[RejectedOut]


class IngestErrorOut(ErrorOut):
    rejected: list[RejectedOut] = []


class MetricScoreOut(Schema):
    key: str
    actual: Decimal | None
    target: Decimal | None
    score: Decimal | None
    observation_count: int
    weight: Decimal
    effective_weight: Decimal
    missing: bool
    pending: bool = Field(False, description="The ratings part only: a review cycle covering the period is under "
                          "way; its ratings count once the cycle is closed.")
    running_ratings: dict[str, Decimal] | None = Field(
        None, description="The ratings part only, for HR covering the person: the running mean per kind of rater "
        "of the ratings submitted in a cycle not closed yet (not counted in the score).")


class DimensionScoreOut(Schema):
    key: str
    name: str
    weight: Decimal
    effective_weight: Decimal
    score: Decimal | None
    missing: bool
    metrics: list[MetricScoreOut]


class ScoreOut(Schema):
    employee_id: int
    period: str
    scorecard: str
    total: Decimal | None
    rating: Decimal | None
    final_rating: Decimal | None = Field(description="Null when none was decided or the reader may not see it "
                                         "(the person, their managers and HR do).")
    status: Literal["open", "closed"]
    partial: bool
    qualitative_pending: bool = Field(False, description="A review cycle covering the period is under way: its "
                                      "ratings are not in the total until the cycle is closed.")
    dimensions: list[DimensionScoreOut]


class PeriodQuery(InSchema):
    period: str = Field(..., pattern=r"^(19|2\d)\d{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$",
                        description="YYYY-MM, YYYY-Qn or YYYY")


class MetricOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    unit: str
    direction: str
    aggregation: str
    scoring_rule: str
    subject_kind: str


class PeriodStateOut(Schema):
    key: str
    closed: bool


@router.post("/observations", response={200: IngestOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                        413: ErrorOut, 422: IngestErrorOut}, summary="Send observations in bulk")
def observations_post(request, data: ObservationBatchIn):
    return observations_ingest_checked(actor=request.actor, items=data.items, partial=data.partial)


def observations_ingest_checked(*, actor: Actor, items: list, partial: bool) -> dict:
    """Each item through ObservationIn, the ones it passes through ``observations_ingest``.

    ``partial`` keeps its meaning over both checks: without it, one rejection anywhere writes nothing
    and the 422 lists every rejection; with it, the items both checks pass are written. An item the
    schema refuses is reported once, with the schema's messages for the fields it names and the
    ingestion's (read in a dry run) for the others, e.g. an unknown field beside a malformed value.
    """
    # An oversized batch is refused by the ingestion (after the permission check) before any item is read.
    if len(items) > MAX_ITEMS:
        return obs_services.observations_ingest(actor=actor, items=items, partial=partial).as_dict()
    # A plain item (nearly all of a batch) is read once, the short way, which accepts only what the
    # schema accepts too; the others are read by the schema, for its messages, and by the ingestion.
    shaped = obs_services.observations_shape(items)
    odd = [index for index, data in enumerate(shaped) if data is None]
    refused = {odd[k]: errors for k, errors in item_errors(ObservationIn, [items[i] for i in odd]).items()}
    if not refused:
        return obs_services.observations_ingest(actor=actor, items=items, partial=partial, shaped=shaped).as_dict()
    if not partial:
        checked = obs_services.observations_ingest(actor=actor, items=items, dry_run=True)
        rejected = _rejections(refused, checked.rejected)
        raise InvalidInput(
            _("%(n)d item(s) were rejected; nothing was written.") % {"n": len(rejected)},
            {"items": [_("Item %(i)d is invalid.") % {"i": r["index"]} for r in rejected[:50]]},
            rejected=rejected,
        )
    kept = [index for index in range(len(items)) if index not in refused]
    result = obs_services.observations_ingest(actor=actor, items=[items[i] for i in kept], partial=True,
                                              refused_before=len(refused))
    positions = sorted(refused)
    others = obs_services.observations_ingest(actor=actor, items=[items[i] for i in positions], dry_run=True)
    # The ingestion numbers the items it was given; the client numbers the items it sent.
    found = [{"index": kept[r["index"]], "errors": r["errors"]} for r in result.rejected]
    found += [{"index": positions[r["index"]], "errors": r["errors"]} for r in others.rejected]
    return {**result.as_dict(), "rejected": _rejections(refused, found)}


def _rejections(refused: dict[int, dict[str, list[str]]], found: list[dict]) -> list[dict]:
    """One rejection per item, by index: the schema's errors, then the ingestion's for the fields the
    schema did not name (two wordings of the same fault on one field would only confuse)."""
    by_index = {index: dict(errors) for index, errors in refused.items()}
    for rejection in found:
        errors = by_index.setdefault(rejection["index"], {})
        for name, messages in rejection["errors"].items():
            errors.setdefault(name, list(messages))
    return [{"index": index, "errors": by_index[index]} for index in sorted(by_index)]


@router.get("/employees/{int:employee_id}/scores", response={200: ScoreOut, **ERRORS},
            summary="A person's explained score for a period")
def employee_scores(request, employee_id: int, query: Query[PeriodQuery]):
    employee = get_or_404(access.score_subjects(request.actor), pk=employee_id)
    try:
        period = P.parse(query.period)
    except ValueError as exc:
        raise InvalidInput(str(exc), {"period": [str(exc)]}) from exc
    out = selectors.score_get(request.actor, employee, period)
    if out is None:
        return Status(404, {"detail": _("No score for this period."), "errors": {}})
    return out


@router.post("/periods/{key}/close", response={200: PeriodStateOut, **ERRORS}, summary="Close a period")
def period_close(request, key: str):
    return config_services.period_set_closed(actor=request.actor, key=key, closed=True)


@router.post("/periods/{key}/reopen", response={200: PeriodStateOut, **ERRORS}, summary="Reopen a period")
def period_reopen(request, key: str):
    return config_services.period_set_closed(actor=request.actor, key=key, closed=False)


@router.post("/webhooks/observations/{source_key}", auth=None,
             response={200: IngestOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut, 422: IngestErrorOut},
             summary="Signed generic webhook for observations",
             description="Headers: `X-Talentloop-Timestamp` (Unix seconds) and `X-Talentloop-Signature: "
             "sha256=<hex>`, the HMAC-SHA256 of `timestamp + \".\" + body` with the source's secret. "
             "Requests that are unsigned, older than 5 minutes or replayed are refused with 401.")
def webhook_observations(request, source_key: str):
    result = webhook_receive(source_key=source_key, timestamp=request.headers.get("X-Talentloop-Timestamp"),
                             signature=request.headers.get("X-Talentloop-Signature"), body=request.body)
    return result.as_dict()
