"""Outbound webhook subscriptions and their deliveries, and personal calendar feeds.

A delivery is a fact about one event sent to one endpoint: the event's id, type and payload never change;
its attempts are appended to ``log``. A replay is a new delivery of the same event (``replay_of``), so
the log of the first one stays as it was.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.crypto.fields import EncryptedRowMixin, EncryptedTextField


class DisabledReason(models.TextChoices):
    NONE = "", _("—")
    BY_PERSON = "by_person", _("Disabled by a person")
    FAILING = "failing", _("Disabled after failing deliveries")


class Subscription(EncryptedRowMixin, models.Model):
    """An endpoint that receives Talentloop's events, signed per the Standard Webhooks convention.

    It carries only what its owner may see (``integrations.access``), and personal results (scores,
    ratings) only when HR has marked it ``trusted``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("endpoint URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    secret = EncryptedTextField(_("signing secret"))
    trusted = models.BooleanField(_("trusted for personal results"), default=False)
    is_active = models.BooleanField(pgettext_lazy("webhook subscription", "active"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=12, choices=DisabledReason.choices,
                                       default=DisabledReason.NONE, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The first failed attempt since the last success: an endpoint failing for a day is disabled.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_active", "name", "id"]
        indexes = [models.Index(fields=["owner", "is_active"], name="intg_sub_owner_active")]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery status", "Pending")
    SUCCEEDED = "succeeded", pgettext_lazy("delivery status", "Delivered")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("delivery status", "Cancelled")


class Delivery(models.Model):
    """One event for one endpoint, with every attempt to send it.

    ``claimed_until``: a worker sending it holds it until then; a worker that died leaves a claim that
    expires, and the next run takes the delivery again."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(_("event id"), max_length=40)
    event_type = models.CharField(_("event type"), max_length=60)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    log = models.JSONField(default=list, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="intg_delivery_due"),
            models.Index(fields=["subscription", "-created_at"], name="intg_delivery_sub"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], condition=models.Q(replay_of__isnull=True),
                                    name="intg_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class CalendarFeed(models.Model):
    """A person's calendar feed: its unguessable address holds a token stored here only as a SHA-256
    hash. Revoking deletes the row; renewing gives a new token."""

    employee = models.OneToOneField("organisation.Employee", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar feed {self.employee_id}"
