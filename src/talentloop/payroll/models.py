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


def default_sick_pay() -> list[list[str]]:
    """A common company policy, the one Shanghai sets for its own (沪劳保保发〔1995〕83号): under two
    years of continuous service 60 %, then 70 / 80 / 90 % every two years, 100 % from eight years."""
    return [["0", "60"], ["2", "70"], ["4", "80"], ["6", "90"], ["8", "100"]]


class PayGroup(Bilingual, TimeStampedModel):
    """A group of people paid together; ``key`` is the ``pay_group`` text of their employment contract."""

    key = models.SlugField(_("key"), max_length=40, unique=True, allow_unicode=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    active = models.BooleanField(pgettext_lazy("pay group", "active"), default=True)
    # Which month's attendance a tax month pays: 1 = the month before (wages paid after the month
    # worked, the common case), 0 = the same month.
    attendance_lag = models.PositiveSmallIntegerField(_("attendance of the month before"), default=1)
    # The company's sick pay by years of service, [[min years, percent], ...] as text (Decimal), lifted
    # to the legal floor (80 % of the minimum wage) by the run.
    sick_pay = models.JSONField(_("sick pay by years of service"), default=default_sick_pay)

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


# ------------------------------------------------------------------------------------------------ runs


class RunKind(models.TextChoices):
    REGULAR = "regular", pgettext_lazy("payroll run kind", "Monthly payroll")
    OFF_CYCLE = "off_cycle", pgettext_lazy("payroll run kind", "Off-cycle (bonus or correction)")
    FINAL_PAY = "final_pay", pgettext_lazy("payroll run kind", "Final pay of a leaver")
    REVERSAL = "reversal", pgettext_lazy("payroll run kind", "Reversal of a locked run")


class RunState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("payroll run state", "Draft")
    CALCULATED = "calculated", pgettext_lazy("payroll run state", "Calculated")
    SUBMITTED = "submitted", pgettext_lazy("payroll run state", "Submitted")
    APPROVED = "approved", pgettext_lazy("payroll run state", "Approved")
    LOCKED = "locked", pgettext_lazy("payroll run state", "Paid and locked")


class PayrollRun(TimeStampedModel):
    """One payroll of a pay group for a tax month (the month the wages are paid). A regular run pays
    everyone of the group; an off-cycle run only the one-off items of the month (a bonus, a
    correction); a final-pay run a leaver's final pay; a reversal run undoes a locked run line by line.
    Draft -> calculated -> submitted -> approved (by someone other than the submitter) -> locked. A
    locked run is never changed again."""

    pay_group = models.ForeignKey(PayGroup, verbose_name=_("pay group"), on_delete=models.PROTECT, related_name="runs")
    month = models.DateField(_("tax month"))  # the first day of the month
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices, default=RunKind.REGULAR)
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.DRAFT)
    title = models.CharField(_("title"), max_length=120, blank=True)
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    employee = models.ForeignKey(
        "organisation.Employee",
        verbose_name=_("leaver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )  # a final-pay run's leaver
    calculations = models.PositiveIntegerField(default=0)
    # The one-off items the last calculation paid; the lock marks them paid by this run.
    item_ids = models.JSONField(default=list, blank=True)
    people = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    gross = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    iit = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    net = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    employer_cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calculated_at = models.DateTimeField(null=True, blank=True)
    calculated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "pay_group", "-id"]
        verbose_name = _("payroll run")
        constraints = [
            models.UniqueConstraint(
                fields=["pay_group", "month"],
                condition=models.Q(kind="regular"),
                name="payroll_one_regular_run_a_month",
            ),
        ]
        indexes = [models.Index(fields=["pay_group", "month", "state"], name="payroll_run_month")]

    def __str__(self) -> str:
        return f"{self.pay_group_id} {self.month:%Y-%m} {self.kind}"

    @property
    def is_locked(self) -> bool:
        return self.state == RunState.LOCKED


class Payslip(models.Model):
    """One person's result in a run: the totals, the year-to-date figures after this month (which the
    next month's withholding starts from) and why it changed against last month. It is the person's
    payslip once the run is locked (``published_at``). Amounts are NUMERIC: these tables are read by
    the payroll services only, and a run sums them."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="payslips")
    employee = models.ForeignKey(
        "organisation.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("tax month"))  # the run's, kept here for the year-to-date reads
    wage_base = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tax_bracket = models.PositiveSmallIntegerField(default=0)
    gross = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    bonus = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    taxable = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    iit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    bonus_tax = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    separate_income = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    separate_tax = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    employee_social_insurance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    employee_housing_fund = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    deductions = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    net = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    shortfall = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    employer_social_insurance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    employer_cost = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # Year to date after this month, at this employer (rules.month.YearToDate).
    ytd_months = models.PositiveSmallIntegerField(default=0)
    ytd_income = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    ytd_exempt_income = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    ytd_social_insurance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    ytd_special_deductions = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    ytd_other_deductions = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    ytd_tax = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    first_wages_of_year = models.BooleanField(default=False)
    previous_year_low_income = models.BooleanField(default=False)
    separate_bonus_used = models.BooleanField(default=False)
    # [{"flag": ..., "message": ...}]; a refused person has no lines and ``refusal`` says why.
    flags = models.JSONField(default=list, blank=True)
    refusal = models.CharField(max_length=500, blank=True)
    # Why the net pay differs from the person's previous payslip: [{"reason": ..., "amount": ...}]
    changes = models.JSONField(default=list, blank=True)
    outlier = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "employee"]
        verbose_name = _("payslip")
        constraints = [models.UniqueConstraint(fields=["run", "employee"], name="payroll_payslip_once_per_run")]
        indexes = [models.Index(fields=["employee", "month", "published_at"], name="payroll_payslip_mine")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.employee_id}"


class PayrollLine(models.Model):
    """A line of a payslip: the code says what it is (``rules.month`` codes: ``component.<key>``,
    ``iit``, ``pension.employee`` …), ``explain`` the figures it was worked out from. Signed: what is
    taken from pay is negative. Written in bulk; read per payslip or summed per run."""

    payslip = models.ForeignKey(Payslip, on_delete=models.CASCADE, related_name="lines", db_constraint=False)
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=60)
    kind = models.CharField(max_length=14)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    shown_on_payslip = models.BooleanField(default=True)
    explain = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["payslip", "position"]
        verbose_name = _("payroll line")

    def __str__(self) -> str:
        return f"{self.payslip_id} {self.code}"


class PayItemKind(models.TextChoices):
    ANNUAL_BONUS = "annual_bonus", pgettext_lazy("pay item kind", "Annual one-time bonus")
    EARNING = "earning", pgettext_lazy("pay item kind", "One-off earning")
    DEDUCTION = "deduction", pgettext_lazy("pay item kind", "One-off deduction")
    CORRECTION = "correction", pgettext_lazy("pay item kind", "Correction of a locked month")
    # A termination's compensation: paid with the month, taxed on its own outside the wages.
    SEPARATE_INCOME = "separate_income", pgettext_lazy("pay item kind", "Income taxed on its own")
    SEPARATE_TAX = "separate_tax", pgettext_lazy("pay item kind", "Tax on income taxed on its own")


class PayItem(models.Model):
    """A one-off amount paid (or taken) in a tax month: a bonus, a deduction, or the correction of a
    locked month recorded for the next run. The run of the month that pays it records itself in
    ``paid_in`` when it is locked."""

    employee = models.ForeignKey(
        "organisation.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("tax month"))
    kind = models.CharField(_("kind"), max_length=16, choices=PayItemKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    taxable = models.BooleanField(_("taxable"), default=True)
    bonus_method = models.CharField(_("bonus taxation"), max_length=10, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    corrects = models.ForeignKey(
        PayrollRun,
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    paid_in = models.ForeignKey(PayrollRun, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    # The run meant to pay it (a leaver's final-pay run); none: the month's next run of the person's group.
    run = models.ForeignKey(
        PayrollRun,
        verbose_name=_("paid by the run"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="planned_items",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "employee", "id"]
        verbose_name = _("one-off pay item")
        indexes = [models.Index(fields=["month", "paid_in"], name="payroll_item_month")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month:%Y-%m} {self.kind}"


class AttendanceFigures(models.Model):
    """A person's attendance for a month imported by payroll, for companies that keep attendance
    outside Talentloop. A run reads the locked monthly summary of the time area first."""

    employee = models.ForeignKey(
        "organisation.Employee", verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    scheduled_days = models.DecimalField(_("scheduled days"), max_digits=5, decimal_places=2)
    unpaid_leave_days = models.DecimalField(_("unpaid leave days"), max_digits=5, decimal_places=2, default=0)
    sick_days = models.DecimalField(_("sick leave days"), max_digits=5, decimal_places=2, default=0)
    overtime_hours_150 = models.DecimalField(_("overtime hours at 150 %"), max_digits=6, decimal_places=2, default=0)
    overtime_hours_200 = models.DecimalField(_("overtime hours at 200 %"), max_digits=6, decimal_places=2, default=0)
    overtime_hours_300 = models.DecimalField(_("overtime hours at 300 %"), max_digits=6, decimal_places=2, default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("imported attendance")
        constraints = [models.UniqueConstraint(fields=["employee", "month"], name="payroll_attendance_once")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month:%Y-%m}"


# ------------------------------------------------------------------------------------------------ export layouts


class ExportKind(models.TextChoices):
    BANK = "bank", pgettext_lazy("export kind", "Bank transfer file")
    IIT = "iit", pgettext_lazy("export kind", "Monthly IIT withholding sheet")


class ExportFormat(models.TextChoices):
    CSV = "csv", pgettext_lazy("export format", "CSV")
    XLSX = "xlsx", pgettext_lazy("export format", "Excel (.xlsx)")


class ExportEncoding(models.TextChoices):
    # Excel opens a UTF-8 CSV correctly only with the byte-order mark.
    UTF8_BOM = "utf-8-sig", pgettext_lazy("file encoding", "UTF-8 with BOM")
    # What most Chinese banks' bulk-payment uploads expect (GB18030 is the superset of GBK).
    GB18030 = "gb18030", pgettext_lazy("file encoding", "GB18030 (GBK)")


class ExportLayout(TimeStampedModel):
    """The columns of an export file payroll configures (a bank's upload format, the tax bureau's
    import template): an ordered list of ``{"field", "header", "value"}`` chosen from the fields the
    export declares (``payroll.exports.layouts``); ``value`` only for the constant column. The default
    layout of a kind is used when none is chosen."""

    kind = models.CharField(_("kind"), max_length=10, choices=ExportKind.choices)
    name = models.CharField(_("name"), max_length=120)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices, default=ExportFormat.CSV)
    encoding = models.CharField(
        _("CSV encoding"), max_length=10, choices=ExportEncoding.choices, default=ExportEncoding.UTF8_BOM
    )
    columns = models.JSONField(_("columns"), default=list)
    is_default = models.BooleanField(_("default for its kind"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("export layout")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="payroll_export_layout_name"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(is_default=True), name="payroll_export_layout_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


# ------------------------------------------------------------------------------------------------ payslip questions


class QuestionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("payslip question state", "Open")
    ANSWERED = "answered", pgettext_lazy("payslip question state", "Answered")
    CLOSED = "closed", pgettext_lazy("payslip question state", "Closed")


class PayslipQuestion(models.Model):
    """A person's question on a line of their payslip: a ticket for the payroll users of the run's pay
    group, who answer it; the person is told of the answer. ``line_code`` is the line's code
    (``PayrollLine.code``), or blank for a question on the payslip as a whole."""

    payslip = models.ForeignKey(Payslip, verbose_name=_("payslip"), on_delete=models.CASCADE, related_name="questions")
    line_code = models.CharField(_("line"), max_length=60, blank=True)
    text = models.TextField(_("question"), max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=QuestionState.choices, default=QuestionState.OPEN)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        verbose_name = _("payslip question")
        indexes = [models.Index(fields=["state", "asked_at"], name="payroll_question_state")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="answered") | models.Q(answered_at__isnull=False),
                name="payroll_question_answered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payslip_id} {self.line_code or '-'} {self.state}"


# ------------------------------------------------------------------------------------------------ tax year statements


class TaxYearStatement(models.Model):
    """What a person states about a tax year for the withholding: whether this employer pays the first
    wages of their year (国家税务总局公告2020年第13号: a resident whose first wages of a tax year come
    from here — a graduate, someone back from a year without wages — is withheld with a basic deduction
    of 5,000 × the month number instead of 5,000 × the months employed). One per person and year; it
    may be changed until the person has a published payslip of that year."""

    employee = models.ForeignKey(
        "organisation.Employee",
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="tax_year_statements",
    )
    year = models.PositiveSmallIntegerField(_("tax year"))
    first_wages_of_year = models.BooleanField(_("first wages of the year from this employer"), default=False)
    source = models.CharField(
        _("source"), max_length=10, choices=DeclarationSource.choices, default=DeclarationSource.EMPLOYEE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["employee", "-year"]
        verbose_name = _("tax year statement")
        constraints = [models.UniqueConstraint(fields=["employee", "year"], name="payroll_tax_year_once")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.year}"
