from django.db import models

from talentloop.core.audit.models import AuditEntry  # noqa: F401  (registers the model with this app)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
