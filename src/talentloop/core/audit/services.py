"""Writing audit entries. Sensitive values never reach this module: callers pass field names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from talentloop.core.access import Actor
from talentloop.core.audit.models import AuditEntry

CHANGED = "changed"  # the only thing recorded about a sensitive field's new value


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (dt.date, dt.datetime, Decimal)):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        f = obj._meta.get_field(name)
        out[name] = _plain(getattr(obj, f.attname))
    return out


def diff(before: dict[str, Any], after: dict[str, Any], sensitive: set[str] = frozenset()) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key in after:
        if before.get(key) != after.get(key):
            if key in sensitive:
                changes[key] = CHANGED
            else:
                changes[key] = {"before": before.get(key), "after": after.get(key)}
    return changes


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    entity_type: str = "",
    entity_id: str = "",
    entity_label: str = "",
    changes: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    if obj is not None:
        entity_type = entity_type or obj._meta.label_lower
        entity_id = entity_id or str(obj.pk)
        entity_label = entity_label or str(obj)[:200]
    user = actor.user if actor is not None else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=(user.get_username() if user is not None else "system")[:150],
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_label=entity_label[:200],
        changes=changes or {},
        summary=summary[:200],
        ip=(actor.ip if actor is not None else "")[:45],
    )
