from __future__ import annotations

import datetime as dt

from talentloop.core.access import Actor
from talentloop.core.audit.access import visible_audit_entries
from talentloop.core.audit.models import AuditEntry

PAGE_SIZE = 50


def audit_list(actor: Actor, filters: dict, page: int = 1) -> tuple[list[AuditEntry], bool]:
    """A page of entries, newest first; one query (one extra row tells whether there is a next page)."""
    qs = visible_audit_entries(actor)
    if filters.get("actor"):
        qs = qs.filter(actor_label__icontains=filters["actor"])
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("entity_type"):
        qs = qs.filter(entity_type=filters["entity_type"])
    if filters.get("entity_id"):
        qs = qs.filter(entity_id=filters["entity_id"])
    if filters.get("since"):
        qs = qs.filter(at__date__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(at__date__lte=filters["until"] or dt.date.max)
    start = (page - 1) * PAGE_SIZE
    rows = list(qs.order_by("-at", "-id")[start: start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
