"""``{% connector_sync_state connector as sync %}``: what a connector page's reading section shows (its
last runs, the default first day of a backfill, today), so the page's view needs to pass nothing more
than ``connector``."""

from __future__ import annotations

from django import template
from django.utils import timezone

from talentloop.integrations.selectors_sync import sync_runs_recent
from talentloop.integrations.services.sync import default_since

register = template.Library()


@register.simple_tag
def connector_sync_state(connector) -> dict:
    return {"runs": sync_runs_recent(connector), "since": default_since(connector), "today": timezone.localdate()}
