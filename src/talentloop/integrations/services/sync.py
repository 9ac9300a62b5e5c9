"""Reading a connector's tool: backfills of the last days, scheduled pulls, and connection tests.

A reading goes through the kind's ``ApiClient`` (``connectors/<kind>/client.py``) page after page, and
its facts are stored a chunk at a time with ``tool_facts_store`` — each chunk commits on its own, so a
reading that stops part-way (the tool stopped answering, refused the token) keeps what it stored, and
running it again converges: facts are kept by their external id, an unchanged one stays as it was.
Items the client could not read (a pulled file's bad rows) are kept on the run, the others taken.

Every reading is a ``SyncRun``: queued by the API or the page (the worker runs it), or run at once by
the command and the periodic pull. A successful one moves ``Connector.last_synced_at`` (where the next
one without a start date begins, a day earlier for safety); a failed one sets ``last_error``.

HR and administrators start readings (``integrations.access``); the command and the periodic task run
with no actor.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

import httpx
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.integrations import access
from talentloop.integrations.connectors import CLIENTS, rest
from talentloop.integrations.connectors.base import ConnectionProblem, RowProblem, ToolFact
from talentloop.integrations.connectors.pull.client import every_minutes
from talentloop.integrations.connectors.receiving import reverted_id
from talentloop.integrations.models import Connector, ConnectorKind, SyncRun, ToolEvent
from talentloop.integrations.services.connector_events import tool_facts_store
from talentloop.integrations.services.inbound import _attribute_reverts as attribute_reverts

logger = logging.getLogger(__name__)

BACKFILL_DAYS = 30
MAX_BACKFILL_DAYS = 366
CHUNK = 500
# A run queued or running for longer than this is taken as abandoned (its worker died): another may start.
STALE = dt.timedelta(hours=1)
ACTIVE = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)


def _require(actor: Actor | None) -> None:
    if actor is not None and not access.can_manage_connectors(actor):
        raise PermissionDenied(_("Only HR or an administrator reads connectors' tools."))


def _today() -> dt.date:
    return timezone.localdate()


def default_since(connector: Connector) -> dt.date:
    """Where a reading without a start date begins: a day before the last successful one (facts a tool
    recorded late are read again, changing nothing), else ``BACKFILL_DAYS`` ago."""
    if connector.last_synced_at is not None:
        return timezone.localdate(connector.last_synced_at) - dt.timedelta(days=1)
    return _today() - dt.timedelta(days=BACKFILL_DAYS)


def has_something_to_read(connector: Connector) -> bool:
    """Whether the connector's settings name something to read (a connector used for its webhook only
    names no project, repository or address, and is left out of the command's and the worker's runs)."""
    config = connector.config or {}
    if connector.kind == ConnectorKind.GITLAB:
        return bool(config.get("projects"))
    if connector.kind == ConnectorKind.GITHUB:
        return bool(config.get("repositories"))
    return bool(connector.base_url)


def _check_since(since: dt.date | None) -> None:
    if since is None:
        return
    today = _today()
    if since > today:
        raise InvalidInput(_("Please correct the errors below."), {"since": [_("Choose a day not in the future.")]})
    if since < today - dt.timedelta(days=MAX_BACKFILL_DAYS):
        raise InvalidInput(_("Please correct the errors below."),
                           {"since": [_("Go back at most %(n)d days.") % {"n": MAX_BACKFILL_DAYS}]})


def _kind_of(connector: Connector) -> str:
    return SyncRun.Kind.PULL if connector.kind == ConnectorKind.PULL else SyncRun.Kind.BACKFILL


def _check_free(connector: Connector) -> None:
    busy = SyncRun.objects.filter(connector=connector, status__in=ACTIVE,
                                  created_at__gte=timezone.now() - STALE).exclude(kind=SyncRun.Kind.TEST)
    if busy.exists():
        raise Conflict(_("This connector is being read already; wait for that reading to finish."))


@transaction.atomic
def sync_run_queue(*, actor: Actor, connector: Connector, since: dt.date | None) -> SyncRun:
    """A backfill for the worker to run (``connector_sync`` with the returned run)."""
    _require(actor)
    if not connector.is_active:
        raise Conflict(_("The connector is deactivated: activate it before reading its tool."))
    _check_since(since)
    Connector.objects.select_for_update().filter(pk=connector.pk).first()  # one queueing at a time
    _check_free(connector)
    since = since or default_since(connector)
    run = SyncRun.objects.create(connector=connector, kind=_kind_of(connector), since=since,
                                 started_by=actor.user if actor is not None else None)
    audit_record(actor=actor, action="execute", obj=connector, entity_label=connector.key,
                 summary=f"backfill since {since.isoformat()}", changes={"since": since.isoformat()})
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    # The tasks module imports this one: looked up when enqueueing.
    from talentloop.integrations.tasks import connector_backfill_run

    connector_backfill_run(run_id)


@dataclass
class _Counts:
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    error_count: int = 0


def _client(connector: Connector, client: httpx.Client | None) -> contextlib.AbstractContextManager[httpx.Client]:
    if client is not None:
        return contextlib.nullcontext(client)
    return rest.new_client(follow_redirects=connector.kind == ConnectorKind.PULL)


def connector_sync(*, actor: Actor | None, connector: Connector, since: dt.date | None = None,
                   run: SyncRun | None = None, client: httpx.Client | None = None) -> SyncRun:
    """Read the connector's tool since ``since`` (default: ``default_since``) and store the facts.

    Not transactional as a whole, on purpose: each chunk of facts commits on its own (see the module's
    docstring). Never raises for the tool's failures — the run says what went wrong."""
    _require(actor)
    if run is None:
        if not connector.is_active:
            raise Conflict(_("The connector is deactivated: activate it before reading its tool."))
        _check_since(since)
        run = SyncRun.objects.create(connector=connector, kind=_kind_of(connector),
                                     started_by=actor.user if actor is not None else None)
    since = since or run.since or default_since(connector)
    started = timezone.now()
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING, started_at=started, since=since)
    run.status, run.started_at, run.since = SyncRun.Status.RUNNING, started, since
    counts = _Counts()
    errors: list[dict] = []
    failure = ""
    api = CLIENTS.get(connector.kind)
    try:
        if api is None:
            raise ConnectionProblem(_("This kind of connector cannot read its tool."))
        chunk: list[ToolFact] = []
        with _client(connector, client) as http:
            for item in api.backfill(connector, since, http):
                if isinstance(item, RowProblem):
                    counts.error_count += 1
                    if len(errors) < SyncRun.MAX_ERRORS:
                        errors.append({"row": item.row, "field": str(item.field)[:100],
                                       "reason": str(item.reason)[:300]})
                    continue
                counts.fetched += 1
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    _store(connector, chunk, counts)
                    chunk = []
            _store(connector, chunk, counts)
    except ConnectionProblem as exc:
        failure = str(exc)
    except Exception as exc:  # anything else stops this connector's reading only; the others go on
        logger.exception("Reading connector %s failed", connector.key)
        failure = _("The reading stopped on an unexpected error (%(type)s).") % {"type": type(exc).__name__}
    return _finish(connector, run, counts, errors, failure, started)


def _store(connector: Connector, chunk: list[ToolFact], counts: _Counts) -> None:
    """Store a chunk: a fact whose moment the tool could not give exactly is stored only when unknown;
    reverts after the rest, counted for the reverted change's author as the webhook's are (a revert of a
    change never read is left out)."""
    approximate = [f.external_id for f in chunk if f.approximate]
    if approximate:
        known = set(ToolEvent.objects.filter(connector=connector, external_id__in=approximate)
                    .values_list("external_id", flat=True))
        counts.unchanged += sum(1 for f in chunk if f.approximate and f.external_id in known)
        chunk = [f for f in chunk if not (f.approximate and f.external_id in known)]
    reverts = [f for f in chunk if reverted_id(f) is not None]
    for part in ([f for f in chunk if reverted_id(f) is None], reverts):
        if part is reverts and reverts:
            part, _dropped = attribute_reverts(connector, reverts)
        if not part:
            continue
        result = tool_facts_store(connector=connector, facts=part)
        counts.new += result.new
        counts.changed += result.changed
        counts.unchanged += result.unchanged


def _finish(connector: Connector, run: SyncRun, counts: _Counts, errors: list[dict], failure: str,
            started: dt.datetime) -> SyncRun:
    now = timezone.now()
    summary = _("Fetched %(fetched)d facts: %(new)d new, %(changed)d changed, %(unchanged)d unchanged.") % {
        "fetched": counts.fetched, "new": counts.new, "changed": counts.changed, "unchanged": counts.unchanged}
    if counts.error_count:
        summary += " " + ngettext("%(n)d item could not be read.", "%(n)d items could not be read.",
                                  counts.error_count) % {"n": counts.error_count}
    if failure:
        status = SyncRun.Status.FAILED
        message = (_("Stopped: %(reason)s") % {"reason": failure}) + " " + summary
        Connector.objects.filter(pk=connector.pk).update(last_error=failure[:300], last_error_at=now)
    else:
        status = SyncRun.Status.PARTLY if counts.error_count else SyncRun.Status.SUCCEEDED
        message = summary
        Connector.objects.filter(pk=connector.pk).update(last_synced_at=started)
        connector.last_synced_at = started
    run.status, run.finished_at, run.message, run.errors = status, now, message[:500], errors
    run.fetched, run.new, run.changed = counts.fetched, counts.new, counts.changed
    run.unchanged, run.error_count = counts.unchanged, counts.error_count
    run.save(update_fields=["status", "finished_at", "message", "errors", "fetched", "new", "changed", "unchanged",
                            "error_count"])
    return run


def sync_run_execute(*, run_id: int) -> SyncRun | None:
    """The worker's side of a queued backfill (None when the run or its connector is gone, or the run
    was taken by another worker)."""
    taken = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(status=SyncRun.Status.RUNNING)
    if not taken:
        return None
    run = SyncRun.objects.select_related("connector").get(pk=run_id)
    if not run.connector.is_active:  # deactivated since it was queued
        now = timezone.now()
        return _finish(run.connector, run, _Counts(), [], _("The connector is deactivated: activate it before "
                                                            "reading its tool."), now)
    return connector_sync(actor=None, connector=run.connector, since=run.since, run=run)


def connector_test(*, actor: Actor | None, connector: Connector, client: httpx.Client | None = None) -> SyncRun:
    """Reach the tool with the connector's address and token and say what it answered; stores no fact,
    changes nothing on the connector, and is kept as a run of kind ``test``."""
    _require(actor)
    api = CLIENTS.get(connector.kind)
    started = timezone.now()
    try:
        if api is None:
            raise ConnectionProblem(_("This kind of connector cannot read its tool."))
        with _client(connector, client) as http:
            message, status = api.check_connection(connector, http), SyncRun.Status.SUCCEEDED
    except ConnectionProblem as exc:
        message, status = str(exc), SyncRun.Status.FAILED
    except Exception as exc:
        logger.exception("Testing connector %s failed", connector.key)
        message = _("The test stopped on an unexpected error (%(type)s).") % {"type": type(exc).__name__}
        status = SyncRun.Status.FAILED
    return SyncRun.objects.create(connector=connector, kind=SyncRun.Kind.TEST, status=status, started_at=started,
                                  finished_at=timezone.now(), message=str(message)[:500],
                                  started_by=actor.user if actor is not None else None)


def connectors_due(now: dt.datetime | None = None) -> list[Connector]:
    """Active pulls whose ``every_minutes`` have passed since their last reading (successful or not, so a
    failing address is retried at its pace, not every minute), and that no live run is reading."""
    now = now or timezone.now()
    pulls = (Connector.objects.filter(is_active=True, kind=ConnectorKind.PULL)
             .annotate(last_run=Max("sync_runs__created_at", filter=~Q(sync_runs__kind=SyncRun.Kind.TEST)))
             .order_by("pk"))
    busy = set(SyncRun.objects.filter(status__in=ACTIVE, created_at__gte=now - STALE, connector__kind="pull")
               .exclude(kind=SyncRun.Kind.TEST).values_list("connector_id", flat=True))
    due = []
    for connector in pulls:
        if connector.pk in busy or not has_something_to_read(connector):
            continue
        last = max((t for t in (connector.last_synced_at, connector.last_run) if t is not None), default=None)
        if last is None or last + dt.timedelta(minutes=every_minutes(connector.config or {})) <= now:
            due.append(connector)
    return due


def connectors_sync_due(*, now: dt.datetime | None = None, client: httpx.Client | None = None) -> list[SyncRun]:
    """The periodic task: read every pull that is due, one after the other."""
    return [connector_sync(actor=None, connector=c, client=client) for c in connectors_due(now)]
