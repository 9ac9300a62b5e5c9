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
            # The sender's claim walks the waiting deliveries in the order it sends them and stops at a
            # batch: without the id in the index it sorted every waiting delivery at each claim.
            models.Index(fields=["next_attempt_at", "id"], name="intg_delivery_waiting",
                         condition=models.Q(status="pending")),
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


# --- Connectors: work tools that feed the scores -----------------------------------------------------


class ConnectorKind(models.TextChoices):
    GITLAB = "gitlab", "GitLab"
    GITHUB = "github", "GitHub"
    JIRA = "jira", "Jira"
    PULL = "pull", _("Scheduled pull (CSV or JSON)")


class Connector(EncryptedRowMixin, models.Model):
    """A work tool whose events become observations of the metrics HR maps them to.

    Events arrive at ``/api/v1/connectors/<key>/events`` (signed or token-checked per the vendor's
    convention with ``secret``) and, for backfills and scheduled pulls, are read from ``base_url`` with
    ``api_token``. Observations are ingested with the scope of ``act_as`` (an HR or integration
    account). ``config`` holds what differs per kind (projects or repositories to backfill, a pull's
    format and field mapping, how often to pull); each kind's folder under ``connectors/`` validates it."""

    key = models.SlugField(_("connector key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=ConnectorKind.choices)
    base_url = models.URLField(_("address"), max_length=500, blank=True)
    secret = EncryptedTextField(_("webhook secret"))
    api_token = EncryptedTextField(_("API token"), blank=True, default="")
    config = models.JSONField(_("settings"), default=dict, blank=True)
    act_as = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("records observations as"))
    is_active = models.BooleanField(pgettext_lazy("connector", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Health, kept up to date by the receiving and recording services (the page reads them as they are).
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # The last successful backfill or pull, and where the next one starts.
    last_synced_at = models.DateTimeField(_("last synchronised"), null=True, blank=True)

    class Meta:
        ordering = ["-is_active", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ConnectorMapping(models.Model):
    """Which of a connector's event kinds counts for which metric (by the metric's key)."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="mappings")
    event_kind = models.CharField(_("event kind"), max_length=60)
    metric_key = models.CharField(_("metric"), max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "event_kind"], name="intg_mapping_once")]

    def __str__(self) -> str:
        return f"{self.event_kind} → {self.metric_key}"


class MatchedBy(models.TextChoices):
    NONE = "", _("Not matched")
    EMAIL = "email", _("By e-mail")
    HANDLE = "handle", _("By handle")
    PERSON = "person", _("By a person")


class ToolAccount(models.Model):
    """An account in a work tool, and the employee it belongs to once matched (automatically by e-mail
    or handle, or by HR on the unmatched page). Events of an unmatched account wait, never dropped."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="accounts")
    # The tool's own stable identifier of the account (GitLab username, GitHub login, Jira accountId).
    handle = models.CharField(_("account"), max_length=200)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    display_name = models.CharField(_("name in the tool"), max_length=200, blank=True)
    employee = models.ForeignKey("organisation.Employee", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("employee"))
    matched_by = models.CharField(_("matched"), max_length=8, choices=MatchedBy.choices, default=MatchedBy.NONE,
                                  blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    matched_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "handle"], name="intg_account_once")]
        indexes = [models.Index(fields=["connector", "employee"], name="intg_account_emp")]

    def __str__(self) -> str:
        return self.display_name or self.handle


class InboundDelivery(models.Model):
    """One request a tool sent to a connector: its delivery id refuses a replay; a payload of an unknown
    shape is kept here (``payload``, ``error``) for inspection, never turned into events."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("inbound delivery", "Accepted")
        REJECTED = "rejected", pgettext_lazy("inbound delivery", "Rejected")

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="+")
    delivery_id = models.CharField(max_length=120)
    event_name = models.CharField(_("event"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    payload = models.JSONField(null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "delivery_id"], name="intg_inbound_once")]
        indexes = [models.Index(fields=["connector", "-received_at"], name="intg_inbound_recent")]


class ToolEventStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("tool event", "Queued")
    UNMATCHED = "unmatched", pgettext_lazy("tool event", "Waiting for its account to be matched")
    RECORDED = "recorded", pgettext_lazy("tool event", "Recorded")
    IGNORED = "ignored", pgettext_lazy("tool event", "Not mapped to a metric")
    FAILED = "failed", pgettext_lazy("tool event", "Failed")


class ToolEvent(models.Model):
    """The latest known state of one fact from a tool (a merged merge request, a review, a Jira issue's
    story points), keyed by its stable ``external_id``. A re-delivery changes nothing; an edit (another
    value or moment) sends it again as ``queued`` and becomes a correcting observation."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(ToolAccount, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(InboundDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 db_constraint=False)
    event_kind = models.CharField(_("event kind"), max_length=60)
    external_id = models.CharField(_("external id"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    occurred_at = models.DateTimeField(_("occurred at"))
    status = models.CharField(_("status"), max_length=10, choices=ToolEventStatus.choices,
                              default=ToolEventStatus.QUEUED)
    error = models.CharField(_("error"), max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "external_id"], name="intg_tool_event_once")]
        indexes = [
            models.Index(fields=["status", "connector"], name="intg_tool_event_todo",
                         condition=models.Q(status__in=["queued", "unmatched"])),
            models.Index(fields=["connector", "-received_at"], name="intg_tool_event_recent"),
            models.Index(fields=["account", "status"], name="intg_tool_event_account"),
        ]


class SyncRun(models.Model):
    """One reading of a connector's tool: a backfill of the last days, a scheduled pull, or a test of the
    connection. Kept with what it fetched and stored and the items it could not read (``errors``: up to
    ``MAX_ERRORS`` of ``{"row", "field", "reason"}``; ``error_count`` counts them all)."""

    MAX_ERRORS = 200

    class Kind(models.TextChoices):
        BACKFILL = "backfill", pgettext_lazy("sync run", "Backfill")
        PULL = "pull", pgettext_lazy("sync run", "Scheduled pull")
        TEST = "test", pgettext_lazy("sync run", "Connection test")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("sync run", "Queued")
        RUNNING = "running", pgettext_lazy("sync run", "Running")
        SUCCEEDED = "succeeded", pgettext_lazy("sync run", "Succeeded")
        PARTLY = "partly", pgettext_lazy("sync run", "Partly succeeded")
        FAILED = "failed", pgettext_lazy("sync run", "Failed")

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("started by"))
    since = models.DateField(_("since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    fetched = models.PositiveIntegerField(_("fetched"), default=0)
    new = models.PositiveIntegerField(pgettext_lazy("sync run", "new"), default=0)
    changed = models.PositiveIntegerField(pgettext_lazy("sync run", "changed"), default=0)
    unchanged = models.PositiveIntegerField(pgettext_lazy("sync run", "unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["connector", "-created_at"], name="intg_sync_run_recent")]

    def __str__(self) -> str:
        return f"{self.connector_id} {self.kind} {self.status}"

    @property
    def stored(self) -> int:
        return self.new + self.changed
