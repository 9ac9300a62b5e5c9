"""A scheduled pull: a CSV or JSON file read at the connector's address, each row a fact named by the
settings' field mapping (for CRM, ticket and customer-feedback systems that can publish a report).

The file is fetched with ``GET`` (the API token, when set, as ``Authorization: Bearer``), every
``every_minutes`` by the worker and on demand. CSV: UTF-8 with or without a byte-order mark, a header
row naming the columns. JSON: a list of objects, or an object whose ``items`` is one. The settings'
``fields`` name the column (or key) of each part of a fact:

- ``account`` (required): the person's account in the system (matched to an employee by e-mail, or by
  this handle as their sign-in name); ``email`` (optional): their e-mail;
- ``kind``: the column holding the fact's kind, or ``kind_value``: one kind for every row;
- ``value`` (optional, 1 when absent): a number; ``occurred_at`` (required): an ISO 8601 moment or day
  (without an offset it is in the organisation's time zone);
- ``external_id`` (required): the row's stable id in the system, so a re-read changes nothing and an
  edited row corrects its observation.

A row that cannot be read is reported with its number (a CSV's line, the header being line 1; a JSON
item's position from 1), the field and the reason; the other rows are taken.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.integrations.connectors import rest
from talentloop.integrations.connectors.base import AccountRef, ConnectionProblem, RowProblem, ToolFact

if TYPE_CHECKING:
    import httpx

    from talentloop.integrations.models import Connector

VENDOR = gettext_lazy("The pulled address")
FORMATS = ("csv", "json")
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 5, 7 * 24 * 60, 60
FIELD_NAMES = ("account", "email", "kind", "value", "occurred_at", "external_id")
REQUIRED = ("account", "occurred_at", "external_id")
KIND_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")
MAX_ID = 100
MAX_VALUE = Decimal("1e12")


def every_minutes(config: dict) -> int:
    try:
        return max(MIN_MINUTES, int(config.get("every_minutes") or DEFAULT_MINUTES))
    except (TypeError, ValueError):
        return DEFAULT_MINUTES


def _kind_of(raw: Any) -> str:
    return re.sub(r"\s+", "_", str(raw or "").strip().lower())


class PullClient:
    kind = "pull"

    def config_problems(self, config: dict) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if config.get("format", "csv") not in FORMATS:
            errors["format"] = [_("Choose CSV or JSON.")]
        minutes = config.get("every_minutes", DEFAULT_MINUTES)
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
            errors["every_minutes"] = [_("Give a whole number of minutes from %(low)d to %(high)d.")
                                       % {"low": MIN_MINUTES, "high": MAX_MINUTES}]
        fields = config.get("fields", {})
        if not isinstance(fields, dict):
            errors["fields"] = [_("Give the field mapping as an object.")]
            return errors
        for name, column in fields.items():
            if name not in (*FIELD_NAMES, "kind_value"):
                errors.setdefault("fields", []).append(_("Unknown field: %(name)s") % {"name": name})
            elif not isinstance(column, str) or len(column) > 100:
                errors[f"fields.{name}"] = [_("Give a column name of at most 100 characters.")]
        for name in REQUIRED:
            if not str(fields.get(name) or "").strip() and f"fields.{name}" not in errors:
                errors[f"fields.{name}"] = [_("Name the column that holds it.")]
        kind_value = fields.get("kind_value")
        if kind_value and "fields.kind_value" not in errors and not KIND_RE.match(_kind_of(kind_value)):
            errors["fields.kind_value"] = [_("Use lower-case letters, digits, “.”, “-” and “_”.")]
        elif not str(fields.get("kind") or "").strip() and not kind_value and "fields.kind" not in errors:
            errors["fields.kind"] = [_("Name the column of the kind, or give one kind for every row.")]
        return errors

    def _fetch(self, connector: Connector, client: httpx.Client) -> tuple[str, bytes]:
        if not connector.base_url:
            raise ConnectionProblem(_("Enter the address of the file in the connector's settings."))
        fmt = (connector.config or {}).get("format", "csv")
        headers = {"Accept": "text/csv" if fmt == "csv" else "application/json"}
        if connector.api_token:
            headers["Authorization"] = f"Bearer {connector.api_token}"
        response = rest.request(client, str(VENDOR), connector.base_url, headers=headers)
        body = response.content
        if len(body) > MAX_BYTES:
            raise ConnectionProblem(_("The file is larger than %(n)d MB.") % {"n": MAX_BYTES // (1024 * 1024)})
        return fmt, body

    def check_connection(self, connector: Connector, client: httpx.Client) -> str:
        fmt, body = self._fetch(connector, client)
        good = bad = 0
        for item in self.read(connector, fmt, body):
            if isinstance(item, RowProblem):
                bad += 1
            else:
                good += 1
        return _("Read the file: %(good)d facts, %(bad)d problems in its rows.") % {"good": good, "bad": bad}

    def backfill(self, connector: Connector, since: dt.date,
                 client: httpx.Client) -> Iterator[ToolFact | RowProblem]:
        """The whole file: it is what the system publishes now, and re-reading it changes nothing."""
        fmt, body = self._fetch(connector, client)
        yield from self.read(connector, fmt, body)

    def read(self, connector: Connector, fmt: str, body: bytes) -> Iterator[ToolFact | RowProblem]:
        fields = (connector.config or {}).get("fields") or {}
        rows = self._csv_rows(body, fields) if fmt == "csv" else self._json_rows(body)
        for n, row in rows:
            yield self._fact(n, row, fields)

    def _csv_rows(self, body: bytes, fields: dict) -> Iterator[tuple[int, dict]]:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConnectionProblem(_("The file is not UTF-8 text.")) from exc
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            header = reader.fieldnames or []
        except csv.Error as exc:
            raise ConnectionProblem(_("The file's header row cannot be read: %(reason)s") % {"reason": exc}) from exc
        missing = [str(fields[n]) for n in (*REQUIRED, "email", "kind", "value")
                   if fields.get(n) and fields[n] not in header]
        if missing:
            raise ConnectionProblem(_("The file has no column %(names)s.") % {"names": ", ".join(missing)})
        try:
            for count, row in enumerate(reader, start=1):
                if count > MAX_ROWS:
                    raise ConnectionProblem(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
                yield reader.line_num, row
        except csv.Error as exc:
            raise ConnectionProblem(_("Line %(line)d of the file cannot be read: %(reason)s")
                                    % {"line": reader.line_num, "reason": exc}) from exc

    def _json_rows(self, body: bytes) -> Iterator[tuple[int, dict]]:
        try:
            data = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ConnectionProblem(_("The file is not JSON.")) from exc
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            data = data["items"]
        if not isinstance(data, list):
            raise ConnectionProblem(_("The JSON is neither a list of objects nor an object with “items”."))
        if len(data) > MAX_ROWS:
            raise ConnectionProblem(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
        yield from enumerate(data, start=1)

    def _fact(self, n: int, row: Any, fields: dict) -> ToolFact | RowProblem:
        if not isinstance(row, dict):
            return RowProblem(row=n, field="", reason=_("Not an object."))

        def cell(name: str) -> str:
            column = fields.get(name)
            value = row.get(column) if column else None
            return "" if value is None else str(value).strip()

        for name in REQUIRED:
            if not cell(name):
                return RowProblem(row=n, field=fields.get(name, name), reason=_("Empty."))
        external_id = cell("external_id")
        if len(external_id) > MAX_ID:
            return RowProblem(row=n, field=fields["external_id"],
                              reason=_("At most %(n)d characters.") % {"n": MAX_ID})
        kind = _kind_of(fields.get("kind_value") or cell("kind"))
        if not KIND_RE.match(kind):
            return RowProblem(row=n, field=fields.get("kind") or "kind",
                              reason=_("Not a kind: use letters, digits, “.”, “-” and “_”."))
        value = Decimal(1)
        if fields.get("value") and cell("value"):
            try:
                value = Decimal(cell("value"))
            except InvalidOperation:
                return RowProblem(row=n, field=fields["value"], reason=_("Not a number."))
            if not value.is_finite() or abs(value) >= MAX_VALUE:
                return RowProblem(row=n, field=fields["value"], reason=_("Not a number."))
        occurred_at = rest.moment(cell("occurred_at"))
        if occurred_at is None:
            return RowProblem(row=n, field=fields["occurred_at"],
                              reason=_("Not a moment: use an ISO 8601 date or date and time."))
        email = cell("email")
        if email and "@" not in email:
            return RowProblem(row=n, field=fields.get("email", "email"), reason=_("Not an e-mail address."))
        account = cell("account")
        return ToolFact(event_kind=kind, external_id=external_id, occurred_at=occurred_at, value=value,
                        account=AccountRef(handle=account[:200], email=email[:254], display_name=account[:200]))


CLIENT = PullClient()
