"""Payroll data: pay groups and who runs them, salary components, salary structures (effective-dated,
amounts encrypted at rest) and the tax declarations people make for the monthly withholding.

The calculation rules live in ``formula`` and ``rules/``; these models hold the facts they are fed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.core.crypto.fields import EncryptedRowMixin, EncryptedTextField
from talentloop.core.models import TimeStampedModel
from talentloop.payroll.rules.iit_deductions import DeductionKind, ElderlySplit


class PayGroup(Bilingual, TimeStampedModel):
    """A group of people paid together; ``key`` is the ``pay_group`` text of their employment contract."""

    key = models.SlugField(_("key"), max_length=40, unique=True, allow_unicode=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    active = models.BooleanField(pgettext_lazy("pay group", "active"), default=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("pay group")

    def __str__(self) -> str:
        return self.label


class PayGroupAccess(models.Model):
    """A user with the payroll role runs payroll for this pay group (and sees its people's salaries)."""

    pay_group = models.ForeignKey(
        PayGroup, verbose_name=_("pay group"), on_delete=models.CASCADE, related_name="accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="pay_group_accesses"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pay group access")
        constraints = [models.UniqueConstraint(fields=["pay_group", "user"], name="payroll_group_access_once")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.pay_group_id}"


class ComponentKind(models.TextChoices):
    EARNING = "earning", pgettext_lazy("salary component kind", "Earning")
    DEDUCTION = "deduction", pgettext_lazy("salary component kind", "Deduction")
    EMPLOYER_COST = "employer_cost", pgettext_lazy("salary component kind", "Employer cost")


class SalaryComponent(Bilingual, TimeStampedModel):
    """A line of pay HR defines. Without a formula it is a fixed amount per person (set in the person's
    salary structure); with one it is worked out each month from the payroll variables."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=14, choices=ComponentKind.choices, default=ComponentKind.EARNING)
    taxable = models.BooleanField(_("taxable"), default=True)
    in_social_insurance_base = models.BooleanField(_("in the social-insurance base"), default=False)
    # Counts towards the monthly wage the 21.75-day daily wage is worked out from.
    in_wage_base = models.BooleanField(_("in the wage base"), default=False)
    shown_on_payslip = models.BooleanField(_("shown on the payslip"), default=True)
    formula = models.TextField(_("formula"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(pgettext_lazy("salary component", "active"), default=True)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("salary component")

    def __str__(self) -> str:
        return self.label

    @property
    def is_fixed(self) -> bool:
        return not self.formula.strip()


class SalaryStructure(models.Model):
    """A person's fixed pay from ``effective_from`` until their next structure. A raise is a new
    structure; the months before it keep theirs."""

    employee = models.ForeignKey(
        "organisation.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="salary_structures"
    )
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["employee", "-effective_from"]
        verbose_name = _("salary structure")
        constraints = [
            models.UniqueConstraint(fields=["employee", "effective_from"], name="payroll_structure_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.effective_from}"


class SalaryItem(EncryptedRowMixin, models.Model):
    """One component's fixed amount in a structure. ``amount`` is the Decimal's text (two places),
    encrypted and bound to this row; read it with :attr:`value`."""

    structure = models.ForeignKey(SalaryStructure, on_delete=models.CASCADE, related_name="items")
    component = models.ForeignKey(SalaryComponent, on_delete=models.PROTECT, related_name="+")
    amount = EncryptedTextField(_("amount"))

    class Meta:
        verbose_name = _("salary item")
        constraints = [
            models.UniqueConstraint(fields=["structure", "component"], name="payroll_item_once_per_structure"),
        ]

    def __str__(self) -> str:
        return f"{self.structure_id} {self.component_id}"


DEDUCTION_KIND_CHOICES = [
    (DeductionKind.CHILDREN_EDUCATION.value, _("Children's education")),
    (DeductionKind.INFANT_CARE.value, _("Care of infants under three")),
    (DeductionKind.CONTINUING_EDUCATION_DEGREE.value, _("Continuing education (degree)")),
    (DeductionKind.CONTINUING_EDUCATION_VOCATIONAL.value, _("Continuing education (vocational certificate)")),
    (DeductionKind.HOUSING_LOAN_INTEREST.value, _("Housing loan interest")),
    (DeductionKind.HOUSING_RENT.value, _("Housing rent")),
    (DeductionKind.ELDERLY_SUPPORT.value, _("Elderly support")),
    (DeductionKind.PERSONAL_PENSION.value, _("Personal pension")),
    (DeductionKind.COMMERCIAL_HEALTH_INSURANCE.value, _("Commercial health insurance")),
]

ELDERLY_SPLIT_CHOICES = [
    (ElderlySplit.EQUAL.value, pgettext_lazy("elderly support split", "Equal")),
    (ElderlySplit.AGREED.value, pgettext_lazy("elderly support split", "Agreed between the siblings")),
    (ElderlySplit.DESIGNATED.value, pgettext_lazy("elderly support split", "Designated by the parents")),
]


class DeclarationSource(models.TextChoices):
    EMPLOYEE = "employee", pgettext_lazy("declaration source", "Declared by the employee")
    IMPORT = "import", pgettext_lazy("declaration source", "Imported by payroll")


class TaxDeclaration(models.Model):
    """A special additional deduction (or another deduction allowed by law) a person declares for the
    monthly withholding: the fields of ``rules.iit_deductions.Declaration``, months as their first day.
    Withdrawn declarations stay as the record of what was used."""

    employee = models.ForeignKey(
        "organisation.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="tax_declarations"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=DEDUCTION_KIND_CHOICES)
    start = models.DateField(_("first month"))
    end = models.DateField(_("last month"), null=True, blank=True)
    share_percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, default=100)
    dependent = models.CharField(_("dependent"), max_length=120, blank=True)
    dependent_birth_date = models.DateField(_("dependent's date of birth"), null=True, blank=True)
    city_tier = models.PositiveSmallIntegerField(_("city tier"), null=True, blank=True)
    only_child = models.BooleanField(_("only child"), default=True)
    elderly_split = models.CharField(
        _("elderly support split"), max_length=12, blank=True, choices=ELDERLY_SPLIT_CHOICES
    )
    sharers = models.PositiveSmallIntegerField(_("siblings sharing"), default=1)
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    months_already_used = models.PositiveSmallIntegerField(_("months already used"), default=0)
    first_home = models.BooleanField(_("first home"), default=True)
    premarital_home = models.BooleanField(_("bought before the marriage"), default=False)
    source = models.CharField(
        _("source"), max_length=10, choices=DeclarationSource.choices, default=DeclarationSource.EMPLOYEE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["employee", "-start", "-id"]
        verbose_name = _("tax declaration")
        indexes = [models.Index(fields=["employee", "withdrawn_at"], name="payroll_declaration_active")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="payroll_declaration_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.kind} {self.start:%Y-%m}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
