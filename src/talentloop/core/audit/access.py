from django.db.models import QuerySet

from talentloop.core.access import Actor
from talentloop.core.audit.models import AuditEntry


def can_view_audit(actor: Actor) -> bool:
    """Administrators and HR for the whole organisation browse the audit log."""
    return actor.is_authenticated and (actor.is_admin or actor.hr_everywhere)


def visible_audit_entries(actor: Actor) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.all() if can_view_audit(actor) else AuditEntry.objects.none()
