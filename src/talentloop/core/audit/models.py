from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused too: the log is append-only."""

    def update(self, **kwargs):
        raise RuntimeError("Audit entries are append-only.")

    def delete(self):
        raise RuntimeError("Audit entries are append-only.")

    _raw_delete = delete


class AuditEntry(models.Model):
    """Append-only record of who did what to which record, and who read which secret."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        READ_SENSITIVE = "read_sensitive", _("Read sensitive data")
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        EXECUTE = "execute", _("Action")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    entity_type = models.CharField(max_length=60, db_index=True)
    entity_id = models.CharField(max_length=40, blank=True, db_index=True)
    entity_label = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.CharField(max_length=45, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        app_label = "core"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id"])]

    def change_rows(self) -> list[tuple[str, str]]:
        rows = []
        for key, value in (self.changes or {}).items():
            if isinstance(value, dict) and ("before" in value or "after" in value):
                before = "—" if value.get("before") in (None, "") else value.get("before")
                after = "—" if value.get("after") in (None, "") else value.get("after")
                rows.append((key, f"{before} → {after}"))
            else:
                rows.append((key, "—" if value in (None, "") else str(value)))
        return rows

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries are append-only.")
