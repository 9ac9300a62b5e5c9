"""A work tool's delivery to its connector: checked, kept once, and its facts stored.

``connector_receive`` is the whole path of ``POST /api/v1/connectors/<key>/events``, and it is kept
lean, since a busy tool sends a thousand deliveries a second: the connector is read once by its key,
the delivery is written once (its unique delivery id refuses a replay, so no query looks for it first)
and its facts are stored set-based (``tool_facts_store``) in the same transaction; recording them as
observations is the worker's job.

* No active connector with the key, or a delivery whose signature or token does not hold: refused
  (401) and nothing is written, so an unauthenticated caller cannot fill a table. A warning names the
  connector's key and the reason, never the secret or the body, at most once a minute per key (with
  the number refused meanwhile), so a flood of bad requests does not flood the log either.
* A delivery id received before by the connector: refused (401), nothing changes.
* A verified delivery whose body is not JSON or not of a shape the connector knows: kept as a rejected
  ``InboundDelivery`` with its payload (the JSON, or its text cut to 64 KB) and the reason, which also
  becomes the connector's last error; answered 422 with the reason. The row is committed although the
  answer is an error: it is what HR inspects on the connector's page.
* Otherwise: kept as accepted (without its payload) with its facts, answered 202 with counts.

The connector's row is not cached: reading it by its unique key is one indexed query, while a cached
copy would cost a version read of the shared cache on every request (one query itself with the default
database cache) and would put the connector's secret, decrypted, into that cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.errors import DomainError, InvalidInput
from talentloop.integrations.connectors import WEBHOOKS
from talentloop.integrations.connectors.base import AccountRef, ToolFact, UnknownShape, Unverified
from talentloop.integrations.connectors.receiving import reverted_id
from talentloop.integrations.models import Connector, InboundDelivery, ToolEvent
from talentloop.integrations.services.connector_events import StoreResult, connector_seen, tool_facts_store

logger = logging.getLogger("talentloop.integrations.inbound")

MAX_KEPT_BYTES = 64 * 1024
LOG_WINDOW_SECONDS = 60.0


class DeliveryRefused(DomainError):
    """Unknown or inactive connector, failed check, or replay: answered 401."""

    status = 401


@dataclass
class ReceiveResult:
    delivery_id: str
    event: str
    facts: int = 0
    # Reverts whose reverted change was never received: their author cannot be told.
    skipped: int = 0
    stored: StoreResult = field(default_factory=StoreResult)

    def as_dict(self) -> dict[str, Any]:
        return {"delivery_id": self.delivery_id, "event": self.event, "facts": self.facts, "skipped": self.skipped,
                "new": self.stored.new, "changed": self.stored.changed, "unchanged": self.stored.unchanged}


# ---------------------------------------------------------------- the log of refusals

_log_lock = threading.Lock()
_log_state: dict[str, list[float]] = {}  # key -> [start of its window, refusals not logged in it]
_LOG_KEYS = 1000  # keys remembered (a scanner trying made-up keys cannot grow this without bound)


def _warn(key: str, reason: str) -> None:
    """Log a refusal, at most once a minute per connector key, with the number refused meanwhile."""
    key = key[:60]
    now = time.monotonic()
    with _log_lock:
        state = _log_state.get(key)
        if state is not None and now - state[0] < LOG_WINDOW_SECONDS:
            state[1] += 1
            return
        unlogged = int(state[1]) if state is not None else 0
        if len(_log_state) >= _LOG_KEYS:
            _log_state.clear()
        _log_state[key] = [now, 0]
    logger.warning("Connector %r refused a delivery: %s (%d more refused in the minute before)", key, reason,
                   unlogged)


def _refuse(key: str, reason: str, detail: str | None = None) -> DeliveryRefused:
    _warn(key, reason)
    return DeliveryRefused(detail or reason)


# ---------------------------------------------------------------- receiving


def _kept_payload(body: bytes) -> Any:
    """The payload kept with a rejected delivery: its JSON when it is JSON of at most 64 KB, else its
    text cut to 64 KB (PostgreSQL's JSON holds no NUL character: such a payload is kept as text without)."""
    text = body[:MAX_KEPT_BYTES].decode("utf-8", "replace")
    if len(body) <= MAX_KEPT_BYTES and "\\u0000" not in text:
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return text.replace("\x00", "")


def _reject(connector: Connector, delivery_id: str, reason: str, body: bytes, now: dt.datetime) -> None:
    try:
        with transaction.atomic():
            InboundDelivery.objects.create(connector=connector, delivery_id=delivery_id,
                                           status=InboundDelivery.Status.REJECTED, payload=_kept_payload(body),
                                           error=reason[:500])
            Connector.objects.filter(pk=connector.pk).update(last_error=reason[:300], last_error_at=now)
    except IntegrityError as exc:
        raise _refuse(connector.key, "replay", _("This delivery was already received.")) from exc


def attribute_reverts(connector: Connector, facts: list[ToolFact]) -> tuple[list[ToolFact], int]:
    """A revert counts for the author of the reverted change, known from its stored ``merged`` fact;
    a revert of a change never received is dropped."""
    wanted = {fact.external_id: rid for fact in facts if (rid := reverted_id(fact)) is not None}
    if not wanted:
        return facts, 0
    authors = {ext: AccountRef(handle=handle, email=email, display_name=name)
               for ext, handle, email, name in ToolEvent.objects.filter(
                   connector=connector, event_kind="merged", external_id__in=set(wanted.values()))
               .values_list("external_id", "account__handle", "account__email", "account__display_name")}
    kept: list[ToolFact] = []
    for fact in facts:
        rid = wanted.get(fact.external_id)
        if rid is None:
            kept.append(fact)
        elif rid in authors:
            kept.append(dataclasses.replace(fact, account=authors[rid]))
    return kept, len(facts) - len(kept)


_attribute_reverts = attribute_reverts  # the name the synchronisation imports


class _Replay(Exception):
    pass


def connector_receive(*, key: str, headers: Mapping[str, str], body: bytes,
                      now: dt.datetime | None = None) -> ReceiveResult:
    """Check, keep and store one delivery (see the module's docstring for each answer)."""
    now = now or timezone.now()
    connector = next(iter(Connector.objects.filter(key=key).order_by()[:1]), None)
    no_connector = _("No active connector has this key.")
    if connector is None:
        raise _refuse(key, "unknown connector", no_connector)
    if not connector.is_active:
        raise _refuse(key, "inactive connector", no_connector)
    kind = WEBHOOKS.get(connector.kind)
    if kind is None:
        raise _refuse(key, "this kind receives no events", _("This connector receives no events."))
    if not connector.secret:  # an empty key would let anyone sign
        raise _refuse(key, "no secret", _("This connector has no webhook secret."))
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        delivery_id = kind.verify(connector, lowered, body, now.timestamp())
    except Unverified as exc:
        raise _refuse(key, str(exc)) from exc
    try:
        parsed = kind.parse(lowered, body, connector.config if isinstance(connector.config, dict) else {})
    except UnknownShape as exc:
        reason = str(exc)
        _reject(connector, delivery_id, reason, body, now)
        _warn(key, reason)
        raise InvalidInput(reason, {"body": [reason]}) from exc
    facts, skipped = attribute_reverts(connector, parsed.facts)
    result = ReceiveResult(delivery_id=delivery_id, event=parsed.event_name, facts=len(facts), skipped=skipped)
    try:
        with transaction.atomic():
            try:
                delivery = InboundDelivery.objects.create(connector=connector, delivery_id=delivery_id,
                                                          event_name=parsed.event_name[:80],
                                                          status=InboundDelivery.Status.ACCEPTED)
            except IntegrityError as exc:
                raise _Replay from exc
            if facts:
                result.stored = tool_facts_store(connector=connector, facts=facts, delivery=delivery, now=now)
            else:
                connector_seen(connector, now)
    except _Replay as exc:
        raise _refuse(key, "replay", _("This delivery was already received.")) from exc
    return result
