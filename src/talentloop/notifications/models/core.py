"""The inbox, preferences and delivery records.

A ``Notification`` is the in-app delivery itself; every other channel gets one ``Delivery`` row per
notification, planned when the notification is created. The unique (notification, channel) pair is
what guarantees that a retried or concurrent job never sends the same thing twice: a delivery is
claimed before it is sent and recorded as sent right after.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.notifications.kinds import find, render_text
from talentloop.organisation.models import Employee

__all__ = ["Notification", "NotificationPreference", "QuietHours", "Delivery", "DeliveryStatus"]


class Notification(models.Model):
    recipient = models.ForeignKey(Employee, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    data = models.JSONField(default=dict, blank=True)
    # The sentence in the organisation's language when it was created; pages render it again from
    # ``data`` in the reader's language and fall back to this.
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_recipient_read")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="uniq_notification_dedupe"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def message(self) -> str:
        """The sentence in the active language, rebuilt from ``data`` (the stored text if that fails)."""
        return render_text(self.kind, self.data) or self.text

    @property
    def label(self) -> str:
        """The kind's name in the active language (the key for a kind no app registers any more)."""
        kind = find(self.kind)
        return str(kind.label) if kind is not None else self.kind


class NotificationPreference(models.Model):
    """The channels a person chose for one kind. No row: the kind's defaults."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=40)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "kind"], name="uniq_notification_preference")]

    def __str__(self) -> str:
        return f"{self.employee_id}:{self.kind}"


class QuietHours(models.Model):
    """Local times (``settings.TIME_ZONE``, the organisation's zone). ``start`` after ``end`` spans
    midnight (22:00–07:00)."""

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="quiet_hours")
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    enabled = models.BooleanField(_("quiet hours on"), default=True)

    class Meta:
        verbose_name_plural = "quiet hours"

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery status", "Pending")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")
    SKIPPED = "skipped", pgettext_lazy("delivery status", "Skipped")
    DIGESTED = "digested", _("In a digest")


class Delivery(models.Model):
    """One notification on one channel. ``claim_token``/``claimed_until`` mark a delivery a job is
    sending right now; another job skips it until the claim expires (a crashed job's claim
    expires, so nothing is lost — and a delivery recorded as sent is never claimed again)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20)
    recipient = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(_("address"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    scheduled_for = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    digest = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="digested")
    claim_token = models.CharField(max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "scheduled_for"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="uniq_delivery_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}→{self.channel}: {self.status}"
