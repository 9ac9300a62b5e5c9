from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.core.crypto.fields import EncryptedRowMixin, EncryptedRowQuerySet, EncryptedTextField
from talentloop.core.models import TimeStampedModel
from talentloop.organisation import search


class OrgUnit(Bilingual, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids from the root, e.g. "/1/4/9/" for unit 9; subtree = startswith.
    path = models.CharField(max_length=400, db_index=True, editable=False, default="/")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    manager = models.ForeignKey(
        "organisation.Employee", verbose_name=_("head"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="headed_units",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")

    def __str__(self) -> str:
        return self.label


class JobFamily(Bilingual, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("job family")
        verbose_name_plural = _("job families")

    def __str__(self) -> str:
        return self.label


class Position(Bilingual, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name, name_en = bilingual(_("title"), _("English title"), max_length=120)
    job_family = models.ForeignKey(JobFamily, verbose_name=_("job family"), on_delete=models.PROTECT,
                                   related_name="positions")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="positions")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("position")

    def __str__(self) -> str:
        return self.label


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("employee status", "Active")
    ON_LEAVE = "on_leave", _("On leave")
    TERMINATED = "terminated", _("Terminated")


class EmployeeQuerySet(EncryptedRowQuerySet):
    """Bulk writes keep each person's search key (``organisation.search``) in step with their names."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            search.fill(obj)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if search.NAME_FIELDS.intersection(fields):
            for obj in objs:
                search.fill(obj)
            if "search_key" not in fields:
                fields.append("search_key")
        return super().bulk_update(objs, fields, *args, **kwargs)


class Employee(Bilingual, EncryptedRowMixin, TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )
    employee_number = models.CharField(_("employee number"), max_length=32, unique=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    hire_date = models.DateField(_("hire date"))
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    # The fields below change only through employment events.
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT,
                                 related_name="employees")
    job_family = models.ForeignKey(JobFamily, verbose_name=_("job family"), on_delete=models.PROTECT,
                                   related_name="employees")
    position = models.ForeignKey(Position, verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="employees")
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    manager = models.ForeignKey("self", verbose_name=_("manager"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="direct_reports")
    # Ids of the manager chain from the top, e.g. "/1/5/" for someone reporting to 5 who reports to 1.
    # db_index: on PostgreSQL Django adds a varchar_pattern_ops twin, which LIKE '/1/5/%' needs
    # unless the database collation is "C".
    manager_path = models.CharField(max_length=400, default="/", editable=False)  # indexed below (employee_tree)
    status = models.CharField(_("status"), max_length=12, choices=EmploymentStatus.choices,
                              default=EmploymentStatus.ACTIVE)
    # Sensitive: encrypted at rest, masked by default, reads audited.
    national_id = EncryptedTextField(_("national ID number"), blank=True)
    bank_account = EncryptedTextField(_("bank account"), blank=True)
    # Number, name, English name and the name's pinyin (full and initials), lower case: what the
    # people picker searches with one LIKE (``organisation.search``).
    search_key = models.CharField(max_length=400, blank=True, default="", editable=False)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["employee_number"]
        verbose_name = _("employee")
        indexes = [
            models.Index(fields=["status", "employee_number"], name="employee_status_number"),
            models.Index(fields=["name"], name="employee_name"),
            # A reporting tree is a prefix of manager_path (``reports_prefix``): on PostgreSQL the
            # pattern operator class answers LIKE 'prefix%', and the person and status ride in the
            # index, so a director's tree of thousands (counted or joined on most of their pages) is
            # read from the index alone. Elsewhere it is a plain index on the path.
            models.Index(fields=["manager_path"], opclasses=["varchar_pattern_ops"], include=["status", "id"],
                         name="employee_tree"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1) & models.Q(level__lte=20),
                                   name="employee_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.employee_number})"

    def save(self, *args, **kwargs):
        # Derived data, not workflow: the search key always follows the names it is made of.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or search.NAME_FIELDS.intersection(update_fields):
            search.fill(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.label

    @property
    def reports_prefix(self) -> str:
        return f"{self.manager_path}{self.pk}/"

    @property
    def level_label(self) -> str:
        return f"L{self.level}"


class EventKind(models.TextChoices):
    HIRE = "hire", _("Hire")
    TRANSFER = "transfer", _("Transfer")
    PROMOTION = "promotion", _("Promotion")
    DEMOTION = "demotion", _("Demotion")
    LEAVE = "leave", _("Leave of absence")
    RETURN = "return", _("Return from leave")
    TERMINATION = "termination", _("Termination")


class TerminationReason(models.TextChoices):
    """The legal reason a termination is recorded with (Labour Contract Law, LCL): payroll works out the
    leaver's compensation from it (``payroll.rules.final_pay.LegalReason`` has the same values)."""

    MUTUAL_BY_EMPLOYER = "mutual_by_employer", _("Mutual agreement proposed by the company (LCL art. 36)")
    MUTUAL_BY_EMPLOYEE = "mutual_by_employee", _("Mutual agreement proposed by the employee (LCL art. 36)")
    EMPLOYEE_RESIGNATION = "employee_resignation", _("Resignation by the employee (LCL art. 37)")
    EMPLOYEE_FOR_EMPLOYER_FAULT = ("employee_for_employer_fault",
                                   _("The employee leaves for the company's fault (LCL art. 38)"))
    DISMISSAL_FOR_CAUSE = "dismissal_for_cause", _("Dismissal for cause (LCL art. 39)")
    NO_FAULT_WITH_NOTICE = "no_fault_with_notice", _("No-fault dismissal with 30 days' notice (LCL art. 40)")
    NO_FAULT_IN_LIEU_OF_NOTICE = ("no_fault_in_lieu_of_notice",
                                  _("No-fault dismissal with a month's pay in lieu of notice (LCL art. 40)"))
    REDUNDANCY = "redundancy", _("Redundancy (LCL art. 41)")
    FIXED_TERM_EXPIRY = "fixed_term_expiry", _("A fixed-term contract expires (LCL art. 44)")
    TASK_COMPLETED = "task_completed", _("The task of the contract is completed")
    PENSION_STARTED = "pension_started", _("The employee starts drawing the pension (LCL art. 44)")
    EMPLOYER_CLOSURE = "employer_closure", _("The company closes (LCL art. 44)")
    UNLAWFUL = "unlawful", _("Unlawful termination (LCL art. 87)")


class EmploymentEvent(models.Model):
    """A fact about someone's employment, effective on a date; never edited once recorded.

    ``to_*`` hold the state from the effective date on; ``before`` keeps what it replaced.
    Events dated in the future wait (``applied_at`` empty) until the daily job applies them.
    """

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    effective_date = models.DateField(_("effective date"))
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    job_family = models.ForeignKey(JobFamily, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    manager = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=EmploymentStatus.choices, blank=True)
    before = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # A termination's legal reason, and for a fixed-term expiry whether the employee refused a renewal
    # offered on the same or better terms (then no compensation is owed).
    termination_reason = models.CharField(_("legal reason"), max_length=32, choices=TerminationReason.choices,
                                          blank=True)
    renewal_refused = models.BooleanField(_("the employee refused a renewal on equal or better terms"),
                                          default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        indexes = [
            models.Index(fields=["employee", "effective_date"], name="event_employee_date"),
            models.Index(fields=["kind", "effective_date"], name="event_kind_date"),
            models.Index(fields=["applied_at", "effective_date"], name="event_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date}"


class ContractTerm(models.TextChoices):
    FIXED = "fixed", pgettext_lazy("contract term", "Fixed term")
    OPEN_ENDED = "open_ended", pgettext_lazy("contract term", "Open-ended")
    TASK = "task", pgettext_lazy("contract term", "Until a task is done")


class WorkingHourSystem(models.TextChoices):
    """The working-hour systems of the Labour Law: standard (8 h a day, 40 a week), comprehensive
    (综合计算工时: hours counted over a period) and flexible (不定时: no fixed hours, no overtime on
    workdays or rest days)."""

    STANDARD = "standard", pgettext_lazy("working-hour system", "Standard hours")
    COMPREHENSIVE = "comprehensive", pgettext_lazy("working-hour system", "Comprehensive hours")
    FLEXIBLE = "flexible", pgettext_lazy("working-hour system", "Flexible hours")


class ComprehensivePeriod(models.TextChoices):
    WEEK = "week", pgettext_lazy("comprehensive period", "Week")
    MONTH = "month", pgettext_lazy("comprehensive period", "Month")
    QUARTER = "quarter", pgettext_lazy("comprehensive period", "Quarter")
    YEAR = "year", pgettext_lazy("comprehensive period", "Year")


class EmploymentContract(models.Model):
    """A person's employment contract, effective-dated: each row holds from ``effective_from`` until
    the next row of the same person. A change (a renewal, a new working-hour system, a move to another
    social-insurance city) is a new row; earlier rows stay as the history. Payroll reads the pay group
    and the social-insurance city; attendance reads the working-hour system."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.CASCADE,
                                 related_name="contracts")
    effective_from = models.DateField(_("effective from"))
    start_date = models.DateField(_("contract start"))
    end_date = models.DateField(_("contract end"), null=True, blank=True)
    term = models.CharField(_("term"), max_length=12, choices=ContractTerm.choices, default=ContractTerm.FIXED)
    working_hours = models.CharField(_("working-hour system"), max_length=14, choices=WorkingHourSystem.choices,
                                     default=WorkingHourSystem.STANDARD)
    comprehensive_period = models.CharField(_("comprehensive period"), max_length=8,
                                            choices=ComprehensivePeriod.choices, blank=True)
    probation_end = models.DateField(_("probation end"), null=True, blank=True)
    pay_group = models.CharField(_("pay group"), max_length=40, blank=True)
    social_insurance_city = models.CharField(_("social-insurance city"), max_length=40, blank=True)
    notice_period_days = models.PositiveSmallIntegerField(_("notice period (days)"), default=30)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employee", "-effective_from"]
        verbose_name = _("employment contract")
        constraints = [
            models.UniqueConstraint(fields=["employee", "effective_from"], name="contract_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start"),
            models.CheckConstraint(
                condition=~models.Q(working_hours="comprehensive") | ~models.Q(comprehensive_period=""),
                name="contract_comprehensive_has_period"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.effective_from}"
