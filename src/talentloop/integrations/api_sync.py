"""Reading a connector's tool through the API: test the connection, ask for a backfill (run by the
worker: the answer is 202 with the run to follow), and list the runs with their counts and the rows
they could not read. HR and administrators only: everyone else is answered 403."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from talentloop.core.errors import PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.integrations import access, selectors_sync
from talentloop.integrations.services import sync as services

router = Router(tags=["connectors"])


class RowErrorOut(Schema):
    row: int = Field(description="The item's number: a CSV's line (the header is line 1), a JSON item's "
                                 "position from 1, or the vendor's number of the item.")
    field: str
    reason: str


class SyncRunOut(Schema):
    id: int
    kind: str = Field(description="backfill, pull or test.")
    status: str = Field(description="queued, running, succeeded, partly (some items could not be read), failed.")
    since: dt.date | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    fetched: int = Field(description="Facts read from the tool.")
    new: int
    changed: int = Field(description="Facts the tool had changed since they were read: recorded as corrections.")
    unchanged: int
    error_count: int = Field(description="Items that could not be read (the first 200 are in errors).")
    errors: list[RowErrorOut]
    message: str


class BackfillIn(InSchema):
    since: dt.date | None = Field(None, description="The first day to read (default: 30 days ago, or a day "
                                                    "before the last successful reading).")


class TestOut(Schema):
    ok: bool
    message: str
    run: SyncRunOut


def _connector(request, connector_id: int):
    if not access.can_manage_connectors(request.actor):
        raise PermissionDenied(_("Only HR or an administrator reads connectors' tools."))
    return get_or_404(access.visible_connectors(request.actor), pk=connector_id)


@router.post("/{int:connector_id}/test", response={200: TestOut, **ERRORS},
             summary="Test a connector's address and token")
def connector_test(request, connector_id: int):
    run = services.connector_test(actor=request.actor, connector=_connector(request, connector_id))
    return {"ok": run.status == run.Status.SUCCEEDED, "message": run.message, "run": run}


@router.post("/{int:connector_id}/backfill", response={202: SyncRunOut, **ERRORS},
             summary="Read the tool's last days (run by the worker)",
             description="Answers 202 with the queued run; follow it at `/{id}/runs`. Send `{}` to start from the "
                         "default day. 409 while another reading of the connector is under way.")
def connector_backfill(request, connector_id: int, data: BackfillIn):
    run = services.sync_run_queue(actor=request.actor, connector=_connector(request, connector_id), since=data.since)
    run.refresh_from_db()  # the worker may have run it already
    return Status(202, run)


@router.get("/{int:connector_id}/runs", response={200: list[SyncRunOut], **ERRORS},
            summary="A connector's readings, newest first", description=PAGED)
@paginated(default=20, max_limit=100)
def connector_runs(request, connector_id: int):
    return selectors_sync.sync_run_queryset(request.actor, _connector(request, connector_id))
