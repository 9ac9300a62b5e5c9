"""Leave: types and their policies, the append-only balance ledger, prior service for annual leave,
requests with their approval steps.

A balance is never stored: it is the sum of a person's ledger entries of a leave type up to a date
(accrual, use, carry-over, expiry, adjustment, return), each with its reason and who wrote it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.core.models import TimeStampedModel
from talentloop.organisation.models import Employee, OrgUnit


class LeaveCategory(models.TextChoices):
    ANNUAL = "annual", pgettext_lazy("leave", "Annual leave")
    SICK = "sick", pgettext_lazy("leave", "Sick leave")
    MARRIAGE = "marriage", pgettext_lazy("leave", "Marriage leave")
    MATERNITY = "maternity", pgettext_lazy("leave", "Maternity leave")
    PATERNITY = "paternity", pgettext_lazy("leave", "Paternity leave")
    PARENTAL = "parental", pgettext_lazy("leave", "Parental leave")
    BEREAVEMENT = "bereavement", pgettext_lazy("leave", "Bereavement leave")
    PERSONAL = "personal", pgettext_lazy("leave", "Personal leave")
    IN_LIEU = "in_lieu", pgettext_lazy("leave", "Time off in lieu")
    OTHER = "other", pgettext_lazy("leave", "Other leave")


class DayCounting(models.TextChoices):
    WORKDAYS = "workdays", pgettext_lazy("leave counting", "Scheduled workdays")
    CALENDAR = "calendar", pgettext_lazy("leave counting", "Calendar days")


class LeaveUnit(models.TextChoices):
    DAY = "day", pgettext_lazy("leave unit", "Full days")
    HALF_DAY = "half_day", pgettext_lazy("leave unit", "Half days")
    HOUR = "hour", pgettext_lazy("leave unit", "Hours")


class LeaveType(Bilingual, TimeStampedModel):
    """A kind of leave and its policy. ``tracks_balance``: requests draw on the ledger (annual leave,
    time off in lieu, HR-granted quotas); otherwise the amount per case comes from the entitlement
    rules (``LeaveEntitlement``) or is unpaid (personal leave)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=80)
    category = models.CharField(_("category"), max_length=12, choices=LeaveCategory.choices)
    counting = models.CharField(_("counts"), max_length=10, choices=DayCounting.choices,
                                default=DayCounting.WORKDAYS)
    unit = models.CharField(_("smallest unit"), max_length=10, choices=LeaveUnit.choices, default=LeaveUnit.DAY)
    paid = models.BooleanField(_("paid"), default=True)
    tracks_balance = models.BooleanField(_("drawn from a balance"), default=False)
    allow_negative = models.BooleanField(_("balance may go below zero"), default=False)
    requires_document = models.BooleanField(_("a document is required"), default=False)
    hr_approval_over_days = models.DecimalField(_("HR approves requests longer than (days)"), max_digits=5,
                                                decimal_places=1, null=True, blank=True)
    # Carry-over of an unused balance into the next year and when the carried days expire.
    carry_over_max_days = models.DecimalField(_("carry over at most (days)"), max_digits=5, decimal_places=1,
                                              default=0)
    carry_over_expires_month = models.PositiveSmallIntegerField(_("carried days expire at the end of month"),
                                                                default=3)
    hours_per_day = models.DecimalField(_("hours in a day"), max_digits=4, decimal_places=2, default=8)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("leave type")


class AnnualLeaveTier(models.Model):
    """The statutory tiers of paid annual leave by cumulative years of work (职工带薪年休假条例 art. 3):
    1 to under 10 years 5 days, 10 to under 20 years 10 days, 20 years or more 15 days. Data, so a
    company more generous than the law raises its own."""

    leave_type = models.ForeignKey(LeaveType, on_delete=models.CASCADE, related_name="tiers")
    min_years = models.PositiveSmallIntegerField(_("from years of work"))
    days = models.DecimalField(_("days a year"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["leave_type", "min_years"]
        constraints = [models.UniqueConstraint(fields=["leave_type", "min_years"], name="tier_once")]


class LeaveEntitlement(Bilingual, models.Model):
    """How many days one case of a leave type gives, nationally (``province`` empty) or in a province
    (maternity 98 days nationally plus the province's extra days; marriage, paternity and parental
    leave by province). A province row wins over the national one."""

    leave_type = models.ForeignKey(LeaveType, on_delete=models.CASCADE, related_name="entitlements")
    province = models.CharField(_("province"), max_length=40, blank=True)
    days = models.DecimalField(_("days"), max_digits=6, decimal_places=1)
    note, note_en = bilingual(_("note"), _("English note"), max_length=200, blank=True)
    label_field = "note"

    class Meta:
        ordering = ["leave_type", "province"]
        constraints = [models.UniqueConstraint(fields=["leave_type", "province"], name="entitlement_once")]


class PriorService(models.Model):
    """Work at earlier employers a person states for the annual-leave tier, with evidence; it counts
    once HR has verified it."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("prior service", "Waiting for HR")
        VERIFIED = "verified", pgettext_lazy("prior service", "Verified")
        REJECTED = "rejected", pgettext_lazy("prior service", "Rejected")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="prior_services")
    employer = models.CharField(_("employer"), max_length=200)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    evidence = models.FileField(_("evidence"), upload_to="private/leave/prior-service/", max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="prior_service_dates")]


class EntryKind(models.TextChoices):
    ACCRUAL = "accrual", pgettext_lazy("ledger", "Accrual")
    USE = "use", pgettext_lazy("ledger", "Leave taken")
    RETURN = "return", pgettext_lazy("ledger", "Returned (cancelled leave)")
    CARRY_OVER = "carry_over", pgettext_lazy("ledger", "Carried over")
    EXPIRY = "expiry", pgettext_lazy("ledger", "Expired")
    ADJUSTMENT = "adjustment", pgettext_lazy("ledger", "Adjustment")


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuntimeError("Ledger entries are append-only.")


class LedgerEntry(models.Model):
    """One movement of a balance, in days (positive adds, negative takes), as of ``effective_date``.
    Inserted, never updated or deleted. ``key`` is unique and names what wrote the entry
    (``accrual:<type>:<employee>:<year>:<segment>``) so a job run twice writes nothing twice."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="leave_entries")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    effective_date = models.DateField(_("as of"))
    days = models.DecimalField(_("days"), max_digits=8, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=300)
    # A request is never deleted on its own (it is cancelled); only with its person, whose ledger goes too.
    request = models.ForeignKey("LeaveRequest", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="entries")
    key = models.CharField(max_length=160, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["effective_date", "id"]
        verbose_name = _("leave ledger entry")
        indexes = [models.Index(fields=["employee", "leave_type", "effective_date"], name="ledger_balance")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Ledger entries are append-only.")
        super().save(*args, **kwargs)


class HalfDay(models.TextChoices):
    MORNING = "am", pgettext_lazy("half day", "Morning")
    AFTERNOON = "pm", pgettext_lazy("half day", "Afternoon")


def leave_document_upload_to(instance: LeaveRequest, filename: str) -> str:
    """A private path (never under a public URL): the download view checks access."""
    return f"private/leave/{instance.employee_id}/{get_random_string(16)}/{filename[-120:]}"


class LeaveRequest(models.Model):
    """A request for leave from ``start`` to ``end`` (inclusive); half days start in the afternoon
    or end in the morning; an hourly request has one day and ``hours``. ``days`` is what it counts
    (scheduled workdays or calendar days by the type), fixed when it is made."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="leave_requests")
    leave_type = models.ForeignKey(LeaveType, verbose_name=_("leave type"), on_delete=models.PROTECT,
                                   related_name="requests")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    start_half = models.CharField(_("starting"), max_length=2, choices=HalfDay.choices, default=HalfDay.MORNING)
    end_half = models.CharField(_("ending"), max_length=2, choices=HalfDay.choices, default=HalfDay.AFTERNOON)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    days = models.DecimalField(_("days"), max_digits=7, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    document = models.FileField(_("document"), upload_to=leave_document_upload_to, max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=[
        ("pending", pgettext_lazy("request status", "Pending")),
        ("approved", pgettext_lazy("request status", "Approved")),
        ("rejected", pgettext_lazy("request status", "Rejected")),
        ("cancelled", pgettext_lazy("request status", "Cancelled")),
    ], default="pending")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["employee", "start"], name="leave_person_start"),
                   models.Index(fields=["status", "start"], name="leave_status_start")]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="leave_dates")]


class ApprovalRole(models.TextChoices):
    MANAGER = "manager", pgettext_lazy("approver", "Manager")
    MANAGERS_MANAGER = "manager2", pgettext_lazy("approver", "Manager's manager")
    HR = "hr", pgettext_lazy("approver", "HR")


class ApprovalChain(models.Model):
    """The steps a leave request of an org unit (and its sub-units; the nearest unit's chain wins)
    goes through: the manager, then HR when the request is longer than ``hr_over_days``."""

    org_unit = models.OneToOneField(OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    steps = models.JSONField(_("steps"), default=list)  # ["manager", "hr"]
    hr_over_days = models.DecimalField(_("HR approves above (days)"), max_digits=5, decimal_places=1, default=3)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit"], condition=models.Q(org_unit__isnull=True),
                                               name="chain_default_once")]


class ApprovalStep(models.Model):
    """One step of a request's approval: who should decide (the person, or any HR covering the
    requester), and the decision. Steps are decided in ``order``."""

    request = models.ForeignKey(LeaveRequest, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=10, choices=ApprovalRole.choices)
    approver = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=10, blank=True)  # "", approved, rejected
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["request", "order"]
        constraints = [models.UniqueConstraint(fields=["request", "order"], name="step_order_once")]
