"""Benefit plans, who may join them, the windows in which people join or leave, and the enrolments.

Months are stored as their first day. An enrolment is a fact: it is never edited except to close it
(the month it ends, who closed it and when); joining again is a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.bilingual import Bilingual, bilingual, localized
from talentloop.core.models import TimeStampedModel

AMOUNT_DIGITS = 12  # yuan with two places (fen): up to 9,999,999,999.99


class PlanKind(models.TextChoices):
    SUPPLEMENTARY_MEDICAL = "supplementary_medical", _("Supplementary medical insurance")
    ENTERPRISE_ANNUITY = "enterprise_annuity", _("Enterprise annuity")
    MEAL_ALLOWANCE = "meal_allowance", _("Meal allowance")
    TRANSPORT_ALLOWANCE = "transport_allowance", _("Transport allowance")
    COMMERCIAL_HEALTH = "commercial_health", _("Commercial health insurance")


class TaxTreatment(models.TextChoices):
    """How a plan's contributions meet individual income tax. Each treatment's rule and legal source
    is in ``talentloop.benefits.treatments``; the figures the law fixes (4 %, 200 a month) live there
    too, the ones a company or province sets (an exempt cap) on the plan."""

    TAXABLE = "taxable", _("Taxable as wages")
    EXEMPT_UP_TO_CAP = "exempt_up_to_cap", _("Exempt up to a monthly cap")
    ANNUITY = "annuity", _("Enterprise annuity (employee part deductible up to 4 percent of the wage base)")
    HEALTH_INSURANCE = "health_insurance", _("Tax-advantaged health insurance (deductible up to 200 a month)")


class BenefitPlan(Bilingual, TimeStampedModel):
    """A benefit the company offers, with its monthly contributions and its tax treatment. Each side's
    monthly amount is ``fixed + rate % × the person's base salary`` (rounded half up to the fen)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    description, description_en = bilingual(
        _("description"), _("English description"), max_length=2000, text=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=24, choices=PlanKind.choices)
    employer_amount = models.DecimalField(
        _("employer's monthly amount"), max_digits=AMOUNT_DIGITS, decimal_places=2, default=0
    )
    employer_rate = models.DecimalField(
        _("employer's rate of the base salary (%)"), max_digits=5, decimal_places=2, default=0
    )
    employee_amount = models.DecimalField(
        _("employee's monthly amount"), max_digits=AMOUNT_DIGITS, decimal_places=2, default=0
    )
    employee_rate = models.DecimalField(
        _("employee's rate of the base salary (%)"), max_digits=5, decimal_places=2, default=0
    )
    tax_treatment = models.CharField(
        _("tax treatment"), max_length=20, choices=TaxTreatment.choices, default=TaxTreatment.TAXABLE
    )
    # Only for ``exempt_up_to_cap``: the part of the employer's monthly amount that is not taxed (the
    # standard the province or the company's tax office accepts).
    exempt_cap = models.DecimalField(
        _("monthly amount exempt from tax"), max_digits=AMOUNT_DIGITS, decimal_places=2, null=True, blank=True
    )
    employee_part_from_pay = models.BooleanField(_("employee's part is deducted from pay"), default=True)
    # Eligibility: no job family listed means every job family.
    job_families = models.ManyToManyField(
        "organisation.JobFamily", verbose_name=_("job families"), blank=True, related_name="+"
    )
    min_level = models.PositiveSmallIntegerField(_("lowest level"), null=True, blank=True)
    max_level = models.PositiveSmallIntegerField(_("highest level"), null=True, blank=True)
    min_tenure_months = models.PositiveSmallIntegerField(_("minimum tenure (months)"), default=0)
    active = models.BooleanField(pgettext_lazy("benefit plan", "active"), default=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("benefit plan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(employer_amount__gte=0)
                & models.Q(employee_amount__gte=0)
                & models.Q(employer_rate__gte=0, employer_rate__lte=100)
                & models.Q(employee_rate__gte=0, employee_rate__lte=100),
                name="benefits_plan_amounts_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="benefits_plan_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(min_level__isnull=True)
                | models.Q(max_level__isnull=True)
                | models.Q(max_level__gte=models.F("min_level")),
                name="benefits_plan_levels_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(tax_treatment="exempt_up_to_cap") | models.Q(exempt_cap__isnull=False),
                name="benefits_plan_exempt_has_cap",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def description_text(self) -> str:
        return localized(self, "description")


class EnrolmentWindow(models.Model):
    """The days (inclusive, in the organisation's time zone) in which people join or leave a plan."""

    plan = models.ForeignKey(BenefitPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="windows")
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "-opens_on"]
        verbose_name = _("enrolment window")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="benefits_window_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.opens_on}–{self.closes_on}"

    def is_open(self, day) -> bool:
        return self.opens_on <= day <= self.closes_on


class EnrolmentState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("enrolment state", "Enrolled")
    # Closed with an end month: it counted from its start month to its end month.
    ENDED = "ended", pgettext_lazy("enrolment state", "Ended")
    # Cancelled before its first month: it never counted.
    WITHDRAWN = "withdrawn", pgettext_lazy("enrolment state", "Withdrawn")


class Enrolment(models.Model):
    """A person in a plan from ``start_month`` to ``end_month`` (both included; no end: open)."""

    employee = models.ForeignKey(
        "organisation.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="enrolments"
    )
    plan = models.ForeignKey(BenefitPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="enrolments")
    start_month = models.DateField(_("first month"))
    end_month = models.DateField(_("last month"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=EnrolmentState.choices, default=EnrolmentState.ACTIVE)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "employee", "-start_month"]
        verbose_name = _("enrolment")
        indexes = [models.Index(fields=["employee", "start_month"], name="benefits_enrolment_month")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_month__isnull=True) | models.Q(end_month__gte=models.F("start_month")),
                name="benefits_enrolment_months_ordered",
            ),
            # An open enrolment has no end; an ended one has one.
            models.CheckConstraint(
                condition=(models.Q(state="ended") & models.Q(end_month__isnull=False))
                | (~models.Q(state="ended") & models.Q(end_month__isnull=True)),
                name="benefits_enrolment_end_matches_state",
            ),
            models.UniqueConstraint(
                fields=["employee", "plan"],
                condition=models.Q(state="active"),
                name="benefits_enrolment_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.plan_id} {self.start_month:%Y-%m}"
