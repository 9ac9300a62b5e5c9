"""Reads of connectors' runs (backfills, pulls, tests) for their page and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.core.access import Actor
from talentloop.integrations import access
from talentloop.integrations.models import Connector, SyncRun

RECENT = 5


def sync_run_queryset(actor: Actor, connector: Connector) -> QuerySet[SyncRun]:
    """A connector's runs, newest first (none for a connector the actor may not see)."""
    if not access.visible_connectors(actor).filter(pk=connector.pk).exists():
        return SyncRun.objects.none()
    return SyncRun.objects.filter(connector=connector).select_related("started_by").order_by("-created_at", "-id")


def sync_runs_recent(connector: Connector, limit: int = RECENT) -> list[SyncRun]:
    """The last runs shown on the connector's page (the page itself is behind the connectors' access)."""
    return list(SyncRun.objects.filter(connector=connector).select_related("started_by")
                .order_by("-created_at", "-id")[:limit])
