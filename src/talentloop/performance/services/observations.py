"""Ingesting observations in bulk: validated as a set, idempotent, corrections kept as new rows."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Context as DecimalContext
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from talentloop.core import db
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import DomainError, InvalidInput, PermissionDenied
from talentloop.organisation.access import visible_employees, visible_org_units
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance.models import IngestBatch, Metric, Observation, PeriodState, SubjectKind
from talentloop.performance.services.recompute import recompute_marks_add

MAX_ITEMS = 5000
PROGRESS_EVERY = 250
MAX_VALUE = Decimal("1e13")


class TooLarge(DomainError):
    status = 413


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    corrections: int = 0
    rejected: list[dict] = field(default_factory=list)
    affected: set[tuple[int, str]] = field(default_factory=set)  # (employee id, month key)
    batch_id: int | None = None
    # Filled by a dry run only: index -> "accepted" | "duplicate" | "correction" | "rejected", and the
    # indexes of items that would land in a closed period (kept, flagged "after close").
    outcomes: dict[int, str] = field(default_factory=dict)
    after_close: set[int] = field(default_factory=set)
    # Items of the same request refused before they reached the ingestion (the API's schema check):
    # counted in the batch record and its audit entry, listed by the caller.
    refused_before: int = 0

    @property
    def rejected_count(self) -> int:
        return len(self.rejected) + self.refused_before

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "corrections": self.corrections,
                "rejected": self.rejected}


@dataclass(slots=True)
class _Item:
    index: int
    metric: Metric
    employee_id: int | None
    org_unit_id: int | None
    value: Decimal
    occurred_at: dt.datetime
    occurred_on: dt.date
    source: str
    external_id: str


def _text(raw: dict, key: str, errors: dict, max_len: int, required: bool = True) -> str:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            errors.setdefault(key, []).append(_("This field is required."))
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        errors.setdefault(key, []).append(_("Must be a string."))
        return ""
    value = str(value).strip()
    if "\x00" in value:
        errors.setdefault(key, []).append(str(ProhibitNullCharactersValidator.message))
        return ""
    if len(value) > max_len:
        errors.setdefault(key, []).append(_("At most %(n)d characters.") % {"n": max_len})
    return value


_FIELDS = frozenset({"metric", "value", "occurred_at", "source", "external_id", "employee_id", "employee_number",
                     "org_unit_id"})
_TEXTS = (("metric", 60), ("source", 60), ("external_id", 120))
_SUBJECTS = ("employee_id", "employee_number", "org_unit_id")
_SIX_PLACES = Decimal("0.000001")


def _parse_shape(index: int, raw: Any, latest: dt.datetime | None = None) -> tuple[dict, dict[str, list[str]]]:
    """Schema check of one item, without touching the database. ``latest``: the latest acceptable
    moment (a day from now), worked out once per batch.

    It runs for every item of a batch of thousands, so the common case (plain strings, a number, an
    ISO time) takes the short way; anything else goes through the same checks as before."""
    errors: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        return {}, {"__all__": [_("Each item must be an object.")]}
    out: dict[str, Any] = {}
    for key, max_len in _TEXTS:
        value = raw.get(key)
        if type(value) is str and value:
            value = value.strip()
            if len(value) <= max_len and "\x00" not in value:
                out[key] = value
                continue
        out[key] = _text(raw, key, errors, max_len)
    subjects = [k for k in _SUBJECTS if raw.get(k) not in (None, "")]
    if len(subjects) != 1:
        errors.setdefault("employee_id", []).append(
            _("Give exactly one subject: employee_id, employee_number or org_unit_id."))
    else:
        key = subjects[0]
        value = raw[key]
        if key == "employee_number":
            out[key] = _text(raw, key, errors, 32)
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**53:
            errors.setdefault(key, []).append(_("Must be a positive integer."))
        else:
            out[key] = value
    value = raw.get("value")
    try:
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            raise InvalidOperation
        number = Decimal(str(value))
        if not number.is_finite() or abs(number) >= MAX_VALUE:
            raise InvalidOperation
        out["value"] = number.quantize(_SIX_PLACES)
    except (InvalidOperation, ValueError):
        errors.setdefault("value", []).append(_("Must be a finite number."))
    occurred = raw.get("occurred_at")
    moment: dt.datetime | None = None
    try:
        # Well-formed but impossible values (month 13, hour 25, an offset of 25 hours) raise.
        # parse_datetime tries fromisoformat first; most senders send ISO 8601, so try it here.
        if isinstance(occurred, str) and len(occurred) <= 64:
            try:
                moment = dt.datetime.fromisoformat(occurred)
            except ValueError:
                moment = parse_datetime(occurred)
    except (ValueError, OverflowError):
        moment = None
        errors.setdefault("occurred_at", []).append(
            _("Not a valid date and time (check the month, day, hour, minute and time zone offset)."))
    if moment is None:
        if "occurred_at" not in errors:
            errors.setdefault("occurred_at", []).append(_("Must be an ISO 8601 date and time."))
    else:
        try:
            if moment.tzinfo is None or moment.utcoffset() is None:
                moment = timezone.make_aware(moment)
            if moment > (latest or timezone.now() + dt.timedelta(days=1)):
                errors.setdefault("occurred_at", []).append(_("Cannot be in the future."))
            if moment.year < 2000:
                errors.setdefault("occurred_at", []).append(_("Too far in the past."))
        except (ValueError, OverflowError):
            errors.setdefault("occurred_at", []).append(_("Too far in the past."))
        out["occurred_at"] = moment
    if not _FIELDS.issuperset(raw):
        unknown = set(raw) - _FIELDS
        errors.setdefault("__all__", []).append(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    return out, errors


def _plain(raw: Any, latest: dt.datetime) -> dict | None:
    """The short way for a plain item — text fields as strings, one subject (an integer id or a
    number), a JSON number as the value, an ISO 8601 time, no unknown field: what ``_parse_shape``
    reads from it (with no fault), or None when the item needs the full checks.

    An item read here passes ``ObservationIn`` (the API's schema) and ``_parse_shape`` alike, so
    the API checks such an item once instead of three times; every other item (a fault, a numeric
    string, an id sent as text) goes the long ways and gets their messages."""
    if type(raw) is not dict or not _FIELDS.issuperset(raw):
        return None
    get = raw.get
    metric, source, external_id = get("metric"), get("source"), get("external_id")
    if type(metric) is not str or type(source) is not str or type(external_id) is not str:
        return None
    metric, source, external_id = metric.strip(), source.strip(), external_id.strip()
    if not (0 < len(metric) <= 60 and 0 < len(source) <= 60 and 0 < len(external_id) <= 120) \
            or "\x00" in metric or "\x00" in source or "\x00" in external_id:
        return None
    who, number, unit = get("employee_id"), get("employee_number"), get("org_unit_id")
    if who is not None:
        if number is not None or unit is not None or type(who) is not int or not 0 < who < _MAX_ID:
            return None
        subject = "employee_id"
    elif number is not None:
        if unit is not None or type(number) is not str:
            return None
        who, subject = number.strip(), "employee_number"
        if not 0 < len(who) <= 32 or "\x00" in who:
            return None
    elif type(unit) is int and 0 < unit < _MAX_ID:
        who, subject = unit, "org_unit_id"
    else:
        return None
    value = get("value")
    if type(value) is float:
        if not -1e13 < value < 1e13:  # false for NaN and the infinities too
            return None
    elif type(value) is not int or not -_MAX_INT_VALUE < value < _MAX_INT_VALUE:
        return None
    amount = Decimal(str(value))
    if not -MAX_VALUE < amount < MAX_VALUE:
        return None
    occurred = get("occurred_at")
    if type(occurred) is not str or len(occurred) > 64:
        return None
    try:
        moment = dt.datetime.fromisoformat(occurred)
        if moment.tzinfo is None or moment.utcoffset() is None:
            moment = timezone.make_aware(moment)
    except (ValueError, OverflowError):
        return None
    if moment > latest or moment.year < 2000:
        return None
    return {"metric": metric, "source": source, "external_id": external_id, subject: who,
            "value": amount.quantize(_SIX_PLACES), "occurred_at": moment}


_MAX_ID = 2**53
_MAX_INT_VALUE = 10**13


def observations_shape(items: list[Any]) -> list[dict | None]:
    """Each item read the short way (``_plain``): its data, or None for an item that needs the full
    checks. The API reads a batch this way once and hands the result to ``observations_ingest``."""
    latest = timezone.now() + dt.timedelta(days=1)
    return [_plain(raw, latest) for raw in items]


def _closed_keys() -> set[str]:
    return set(PeriodState.objects.filter(closed=True).values_list("key", flat=True))


def observations_ingest(*, actor: Actor, items: list[Any], partial: bool = False, channel: str = "api",
                        dry_run: bool = False, progress: Callable[[int], None] | None = None,
                        refused_before: int = 0, shaped: list[dict | None] | None = None) -> IngestResult:
    """Validate a batch as a set, then write it in one transaction (or not at all).

    Raises InvalidInput (with the rejected list) when ``partial`` is false and any item is bad.
    With ``dry_run`` nothing is written and nothing is raised for bad items: the result counts and
    classifies every item (``outcomes``: index -> accepted, duplicate, correction or rejected) exactly
    as a real run with the same batch would, so an upload page can show it row by row first.
    ``progress`` (a background upload) is told now and then how many items have been checked.
    ``refused_before``: how many items of the same request the caller refused already (recorded with
    the batch, so its counts add up to what was sent).
    ``shaped``: ``observations_shape(items)`` when the caller has read the batch so already.
    """
    if not access.can_ingest_observations(actor):
        raise PermissionDenied(_("You may not send observations."))
    if not isinstance(items, list):
        raise InvalidInput(_("'items' must be a list."), {"items": [_("Must be a list.")]})
    if len(items) > MAX_ITEMS:
        raise TooLarge(_("A batch holds at most %(n)d items; split the request.") % {"n": MAX_ITEMS})
    result = IngestResult(refused_before=refused_before)
    good_shapes: list[tuple[int, dict]] = []
    latest = timezone.now() + dt.timedelta(days=1)
    plain = shaped if shaped is not None and len(shaped) == len(items) else None
    for index, raw in enumerate(items):
        if progress is not None and index and index % PROGRESS_EVERY == 0:
            progress(index)
        data = plain[index] if plain is not None else _plain(raw, latest)
        if data is None:
            data, shape_errors = _parse_shape(index, raw, latest)
            if shape_errors:
                result.rejected.append({"index": index, "errors": shape_errors})
                continue
        good_shapes.append((index, data))
    # Set-based lookups: metrics, people and units referenced by the whole batch.
    metric_keys = {d["metric"] for _i, d in good_shapes}
    metrics = {m.key: m for m in Metric.objects.filter(key__in=metric_keys, is_active=True)}
    numbers = {d["employee_number"] for _i, d in good_shapes if "employee_number" in d}
    emp_ids = {d["employee_id"] for _i, d in good_shapes if "employee_id" in d}
    unit_ids = {d["org_unit_id"] for _i, d in good_shapes if "org_unit_id" in d}
    scope = visible_employees(actor)
    by_number = dict(scope.filter(employee_number__in=numbers).values_list("employee_number", "id")) if numbers else {}
    known_ids = set(scope.filter(pk__in=emp_ids).values_list("id", flat=True)) if emp_ids else set()
    known_units = set(visible_org_units(actor).filter(pk__in=unit_ids).values_list("id", flat=True)) if unit_ids \
        else set()
    good: list[_Item] = []
    tz = ZoneInfo(settings.TIME_ZONE)  # occurred_on: the local date (as periods.local_date)
    org_unit_kind = SubjectKind.ORG_UNIT
    for index, data in good_shapes:
        metric = metrics.get(data["metric"])
        emp_id = data.get("employee_id")
        if metric is not None and emp_id in known_ids and metric.subject_kind != org_unit_kind:
            # The common case (a known person by id, a metric about people), without the checks below.
            moment = data["occurred_at"]
            good.append(_Item(index, metric, emp_id, None, data["value"], moment, moment.astimezone(tz).date(),
                              data["source"], data["external_id"]))
            continue
        errors: dict[str, list[str]] = {}
        if metric is None:
            errors["metric"] = [_("Unknown metric.")]
        emp_id = unit_id = None
        if "employee_number" in data:
            emp_id = by_number.get(data["employee_number"])
            if emp_id is None:
                errors["employee_number"] = [_("No such employee.")]
        elif "employee_id" in data:
            emp_id = data["employee_id"] if data["employee_id"] in known_ids else None
            if emp_id is None:
                errors["employee_id"] = [_("No such employee.")]
        else:
            unit_id = data["org_unit_id"] if data["org_unit_id"] in known_units else None
            if unit_id is None:
                errors["org_unit_id"] = [_("No such org unit.")]
        if metric is not None and not errors:
            wants_unit = metric.subject_kind == SubjectKind.ORG_UNIT
            if wants_unit and unit_id is None:
                errors["org_unit_id"] = [_("This metric is about org units.")]
            elif not wants_unit and emp_id is None:
                errors["employee_id"] = [_("This metric is about people.")]
        if errors:
            result.rejected.append({"index": index, "errors": errors})
            continue
        assert metric is not None  # an unknown metric is an error above
        good.append(_Item(index, metric, emp_id, unit_id, data["value"], data["occurred_at"],
                          data["occurred_at"].astimezone(tz).date(), data["source"], data["external_id"]))
    result.rejected.sort(key=lambda r: r["index"])
    if dry_run:
        _classify(good, result)
        return result
    if result.rejected and not partial:
        raise InvalidInput(
            _("%(n)d item(s) were rejected; nothing was written.") % {"n": len(result.rejected)},
            {"items": [_("Item %(i)d is invalid.") % {"i": r["index"]} for r in result.rejected[:50]]},
            rejected=result.rejected,
        )
    _write_retrying(actor, good, result, channel)
    return result


WRITE_ATTEMPTS = 3


def _write_retrying(actor: Actor, good: list[_Item], result: IngestResult, channel: str) -> None:
    """``_write``, again when a concurrent batch committed the same (source, external id) first.

    Two identical batches may both find no current row and both insert; the unique current
    (source, external id) stops the later one at its insert (on PostgreSQL it waits for the other
    to commit). Its transaction (or savepoint) is rolled back whole, and the retry reads the rows
    the other committed, so its items count as duplicates or corrections like any resent batch.
    A deadlock or serialization failure between two batches is retried the same way.
    """
    for attempt in range(WRITE_ATTEMPTS):
        try:
            _write(actor, good, result, channel)
            return
        except Exception as exc:
            # COPY runs on the driver's own cursor, so its errors arrive unwrapped by Django.
            if attempt + 1 == WRITE_ATTEMPTS or not _is_race(exc):
                raise
        result.accepted = result.duplicates = result.corrections = 0
        result.affected = set()
        result.batch_id = None


def _is_race(exc: Exception) -> bool:
    driver = connection.Database  # type: ignore[attr-defined]  # the backend's DB-API module, set on every backend
    if isinstance(exc, (IntegrityError, driver.IntegrityError)):
        return True
    if not isinstance(exc, (OperationalError, driver.OperationalError)):
        return False
    # PostgreSQL: deadlock_detected, serialization_failure.
    return (getattr(exc, "sqlstate", None) or getattr(exc.__cause__, "sqlstate", None)) in ("40P01", "40001")


def _classify(good: list[_Item], result: IngestResult) -> None:
    """A dry run of ``_write``: the same decisions, read-only.

    Items are taken in batch order; each is compared with the current value of its
    (source, external_id): the stored current observation, or an earlier item of the batch.
    """
    for rejected in result.rejected:
        result.outcomes[rejected["index"]] = "rejected"
    current: dict[tuple[str, str], Decimal] = {}
    sources: dict[str, set[str]] = defaultdict(set)
    for item in good:
        sources[item.source].add(item.external_id)
    for source, ext_set in sources.items():
        exts = sorted(ext_set)
        for start in range(0, len(exts), 900):
            current.update(((source, ext), Decimal(value)) for ext, value in Observation.objects.filter(
                source=source, external_id__in=exts[start:start + 900], is_current=True,
            ).values_list("external_id", "value"))
    closed = _closed_keys()
    for item in good:
        key = (item.source, item.external_id)
        previous = current.get(key)
        if previous is not None and _same(previous, item):
            result.duplicates += 1
            result.outcomes[item.index] = "duplicate"
            continue
        if previous is not None:
            result.corrections += 1
            result.outcomes[item.index] = "correction"
        else:
            result.accepted += 1
            result.outcomes[item.index] = "accepted"
        current[key] = item.value
        if closed and {P.containing(item.occurred_on, kind).key for kind in (P.MONTH, P.QUARTER, P.YEAR)} & closed:
            result.after_close.add(item.index)


def _same(obs_value: Decimal, item: _Item) -> bool:
    return Decimal(obs_value) == item.value


@dataclass(slots=True)
class _Current:
    """The current observation of a (source, external id): what a new item is compared with."""

    pk: int
    value: Decimal
    employee_id: int | None
    occurred_on: dt.date


_COLUMNS = ("metric_id", "employee_id", "org_unit_id", "value", "occurred_at", "occurred_on", "source", "external_id",
            "batch_id", "supersedes_id", "is_current", "after_close")


def _insert(rows: Iterable[tuple]) -> None:
    """Many rows in one go through ``core.db.insert_rows`` (COPY on PostgreSQL, prepared INSERTs on
    SQLite): the ingest's tens of thousands of observations a second leave no room for building a
    model instance per item. The values are given as ``_row_values`` adapts them."""
    db.insert_rows(Observation, _COLUMNS, rows)


def _row_values() -> Callable[[_Item], tuple[Any, Any, Any]]:
    """The value, time and local date of an item as the database takes them: the Python values
    themselves for PostgreSQL's COPY (psycopg's dumpers read them), on SQLite what
    ``connection.ops.adapt_*`` would make of them, without its checks per value (the value is
    quantized already, the time aware)."""
    if connection.vendor == "postgresql":
        return lambda item: (item.value, item.occurred_at, item.occurred_on)
    if connection.vendor != "sqlite":
        ops = connection.ops
        return lambda item: (ops.adapt_decimalfield_value(item.value, 20, 6),
                             ops.adapt_datetimefield_value(item.occurred_at),
                             ops.adapt_datefield_value(item.occurred_on))
    db_tz = connection.timezone

    def sqlite(item: _Item) -> tuple[str, str, str]:
        return (f"{item.value:f}", str(item.occurred_at.astimezone(db_tz).replace(tzinfo=None)),
                item.occurred_on.isoformat())

    return sqlite


def _retire(pks: list[int]) -> None:
    """The superseded rows are no longer current: one statement, the ids in one JSON text (as ``_current_rows``)."""
    qn = connection.ops.quote_name
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {qn(Observation._meta.db_table)} SET {qn('is_current')} = 0 "  # noqa: S608 — quoted names, values bound
                           f"WHERE {qn('id')} IN (SELECT value FROM json_each(%s))", [json.dumps(pks)])
        return
    if connection.vendor != "postgresql":
        for start in range(0, len(pks), 900):
            Observation.objects.filter(pk__in=pks[start:start + 900]).update(is_current=False)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {qn(Observation._meta.db_table)} SET {qn('is_current')} = false "  # noqa: S608 — quoted names, values bound
                       f"WHERE {qn('id')} = ANY(ARRAY(SELECT json_array_elements_text(%s::json)::bigint))",
                       [json.dumps(pks)])


_SQLITE_DECIMAL = DecimalContext(prec=15).create_decimal_from_float


def _current_rows(source: str, external_ids: list[str]) -> Iterable[tuple[Any, ...]]:
    """(id, external id, value, employee, local date) of the current observations with these ids.

    On PostgreSQL the ids travel as one JSON text, unpacked by the server: a literal array of 5,000
    ids (or the ORM's IN list of 900 placeholders) cost more to dump, parse and plan — 80 to 120 ms
    a batch — than the probes of the unique index themselves. Each id is probed on its own
    (``LATERAL … LIMIT 1``, at most one current row per id anyway): with a set of ids whose size it
    cannot know, the planner otherwise read every row of a source it believed small (a new source
    before its next ANALYZE) and compared each with the whole set, seconds a batch."""
    qn = connection.ops.quote_name
    if connection.vendor == "sqlite":
        # The same probes through SQLite's json_each: one statement instead of an IN list of 900 ids per
        # chunk compiled by the ORM. Values are read as the ORM reads them (15 significant digits).
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT o.{qn('id')}, o.{qn('external_id')}, o.{qn('value')}, o.{qn('employee_id')}, "  # noqa: S608 — quoted names, values bound
                           f"o.{qn('occurred_on')} FROM json_each(%s) AS k CROSS JOIN "
                           f"{qn(Observation._meta.db_table)} AS o WHERE o.{qn('source')} = %s "
                           f"AND o.{qn('external_id')} = k.value AND o.{qn('is_current')}",
                           [json.dumps(external_ids), source])
            # (the driver turns a column declared as a date into a date itself)
            return [(pk, ext, _SQLITE_DECIMAL(value), emp, day if isinstance(day, dt.date) else
                     dt.date.fromisoformat(day)) for pk, ext, value, emp, day in cursor.fetchall()]
    if connection.vendor != "postgresql":
        return Observation.objects.filter(source=source, external_id__in=external_ids, is_current=True).values_list(
            "id", "external_id", "value", "employee_id", "occurred_on")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT o.{qn('id')}, o.{qn('external_id')}, o.{qn('value')}, o.{qn('employee_id')}, "  # noqa: S608 — quoted names, values bound
                       f"o.{qn('occurred_on')} FROM json_array_elements_text(%s::json) AS k(ext) CROSS JOIN LATERAL "
                       f"(SELECT * FROM {qn(Observation._meta.db_table)} WHERE {qn('source')} = %s "
                       f"AND {qn('external_id')} = k.ext AND {qn('is_current')} LIMIT 1) AS o",
                       [json.dumps(external_ids), source])
        return cursor.fetchall()


def _current_of(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], _Current]:
    """The current observation of each (source, external id) that has one."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, ext in keys:
        by_source[source].append(ext)
    found: dict[tuple[str, str], _Current] = {}
    step = MAX_ITEMS if connection.vendor in ("postgresql", "sqlite") else 900  # one JSON text, or an IN list
    for source, exts in by_source.items():
        for start in range(0, len(exts), step):
            for pk, ext, value, emp, day in _current_rows(source, exts[start:start + step]):
                found[(source, ext)] = _Current(pk, value, emp, day)
    return found


@transaction.atomic
def _write(actor: Actor, good: list[_Item], result: IngestResult, channel: str) -> None:
    current = _current_of({(i.source, i.external_id) for i in good})
    closed = _closed_keys()
    batch = IngestBatch.objects.create(received_by=actor.user, channel=channel)
    # Group the batch into generations: the n-th occurrence of a key supersedes the (n-1)-th.
    generations: list[list[_Item]] = []
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for item in good:
        key = (item.source, item.external_id)
        generations_index = seen[key]
        seen[key] += 1
        while len(generations) <= generations_index:
            generations.append([])
        generations[generations_index].append(item)
    as_row = _row_values()
    days: dict[dt.date, tuple[str, bool]] = {}  # local date -> (month key, after close)

    def day_of(day: dt.date) -> tuple[str, bool]:
        month = P.containing(day)
        after_close = bool(closed) and bool({month.key, P.containing(day, P.QUARTER).key,
                                             P.containing(day, P.YEAR).key} & closed)
        days[day] = (month.key, after_close)
        return days[day]

    batch_pk = batch.pk
    touched = result.affected
    for number, generation in enumerate(generations):
        # Decided first (the rows a generation supersedes are retired before its rows arrive, as the
        # unique current (source, external id) wants), then streamed: COPY stores the first rows
        # while the later ones are built.
        decided: list[tuple[_Item, _Current | None]] = []
        retire: list[int] = []
        for item in generation:
            previous = current.get((item.source, item.external_id))
            if previous is not None:
                if _same(previous.value, item):
                    result.duplicates += 1
                    continue
                retire.append(previous.pk)
            decided.append((item, previous))
        if retire:
            _retire(retire)

        def rows(decided: list[tuple[_Item, _Current | None]] = decided) -> Iterable[tuple]:
            for item, previous in decided:
                day = days.get(item.occurred_on) or day_of(item.occurred_on)
                value, moment, on = as_row(item)
                if previous is not None:
                    result.corrections += 1
                    if previous.employee_id:
                        touched.add((previous.employee_id, (days.get(previous.occurred_on)
                                                            or day_of(previous.occurred_on))[0]))
                else:
                    result.accepted += 1
                if item.employee_id:
                    touched.add((item.employee_id, day[0]))
                yield (item.metric.pk, item.employee_id, item.org_unit_id, value, moment, on, item.source,
                       item.external_id, batch_pk, previous.pk if previous is not None else None, True, day[1])

        if decided:
            _insert(rows())
        if number + 1 < len(generations) and decided:
            # A later item of this batch corrects one just written: it needs the new row's id.
            current.update(_current_of({(item.source, item.external_id) for item, _previous in decided}))
    IngestBatch.objects.filter(pk=batch.pk).update(accepted=result.accepted, duplicates=result.duplicates,
                                                   corrections=result.corrections, rejected=result.rejected_count)
    result.batch_id = batch.pk
    audit_record(actor=actor, action="create", entity_type="performance.ingestbatch", entity_id=str(batch.pk),
                 entity_label=f"{channel} batch", changes={"accepted": result.accepted,
                                                           "duplicates": result.duplicates,
                                                           "corrections": result.corrections,
                                                           "rejected": result.rejected_count})
    if result.affected:
        affected = sorted(result.affected)
        # The need to recompute is recorded with the facts (a crash after the commit loses nothing);
        # the worker is only woken up after the commit.
        recompute_marks_add(affected, notify=True)
        transaction.on_commit(_enqueue_recompute)


def _enqueue_recompute() -> None:
    """Wake the worker: its drain recomputes the marked scores and checks the people's decline alerts
    (late observations can complete an alert's window)."""
    # the tasks module imports this one: looked up when enqueueing
    from talentloop.performance.tasks import drain_recompute_marks

    drain_recompute_marks()
