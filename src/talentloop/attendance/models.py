"""Attendance: the holiday calendar, work sites, shifts and rosters, clock events, corrections,
overtime and the monthly summary payroll reads.

Clock events and corrections are facts (inserted, never edited; a correction adds an event and keeps
the original). Day results and monthly summaries are computations rebuilt from the facts until HR
locks a month; a locked month changes only by an adjustment carried into the next month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.bilingual import Bilingual, bilingual
from talentloop.core.crypto.fields import EncryptedRowMixin, EncryptedTextField
from talentloop.core.models import TimeStampedModel
from talentloop.organisation.models import Employee, OrgUnit


class DayKind(models.TextChoices):
    """What the calendar says a date is. Without a row, Monday to Friday are workdays and the weekend
    rest days; a row turns a weekend into an adjusted workday (调休上班) or a weekday into a rest day.
    ``statutory`` days are the public holidays themselves (300% overtime), not the rest days around them."""

    WORKDAY = "workday", pgettext_lazy("calendar day", "Workday")
    REST = "rest", pgettext_lazy("calendar day", "Rest day")
    STATUTORY = "statutory", pgettext_lazy("calendar day", "Statutory holiday")


class CalendarDay(Bilingual, models.Model):
    """One date the official calendar (``site`` empty) or a site's own calendar sets apart from the
    weekly pattern. A site row wins over the official one for the people of that site."""

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name, name_en = bilingual(_("name"), _("English name"), max_length=80, blank=True)
    site = models.ForeignKey("WorkSite", verbose_name=_("work site"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="calendar_days")
    official = models.BooleanField(_("from the State Council notice"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        constraints = [
            models.UniqueConstraint(fields=["date"], condition=models.Q(site__isnull=True),
                                    name="calendar_official_once"),
            models.UniqueConstraint(fields=["date", "site"], condition=models.Q(site__isnull=False),
                                    name="calendar_site_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class WorkSite(Bilingual, TimeStampedModel):
    """A place people clock at: a geofence (centre and radius) and, optionally, office networks."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT,
                                 related_name="work_sites")
    name, name_en = bilingual(_("name"), _("English name"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_m = models.PositiveIntegerField(_("radius (metres)"), default=200)
    # Office network ranges in CIDR notation, one per line ("10.8.0.0/16").
    networks = models.TextField(_("office networks"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["org_unit", "name"]
        verbose_name = _("work site")
        constraints = [
            models.CheckConstraint(condition=models.Q(radius_m__gte=10), name="site_radius_min"),
        ]


class ShiftKind(models.TextChoices):
    FIXED = "fixed", pgettext_lazy("shift kind", "Fixed hours")
    FLEXIBLE = "flexible", pgettext_lazy("shift kind", "Flexible with core time")


class Shift(Bilingual, TimeStampedModel):
    """A working day's pattern and its rules. ``end`` before ``start`` crosses midnight: the shift
    counts to the day it starts. Flexible shifts ask for ``required_minutes`` between the earliest
    start and the latest end, with presence during the core time."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name, name_en = bilingual(_("name"), _("English name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=ShiftKind.choices, default=ShiftKind.FIXED)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=60)
    core_start = models.TimeField(_("core time from"), null=True, blank=True)
    core_end = models.TimeField(_("core time until"), null=True, blank=True)
    required_minutes = models.PositiveSmallIntegerField(_("required minutes"), null=True, blank=True)
    grace_minutes = models.PositiveSmallIntegerField(_("grace (minutes)"), default=5)
    # Lateness (or leaving early) beyond these counts the day as absent for that half.
    late_absent_minutes = models.PositiveSmallIntegerField(_("late counts as absent after (minutes)"), default=120)
    early_absent_minutes = models.PositiveSmallIntegerField(_("early leave counts as absent after (minutes)"),
                                                            default=120)
    min_rest_hours = models.PositiveSmallIntegerField(_("minimum rest (hours)"), default=11)
    color = models.CharField(_("colour"), max_length=7, default="#2f6feb")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["start", "code"]
        verbose_name = _("shift")
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind="flexible") | (
                models.Q(required_minutes__isnull=False)), name="shift_flexible_required"),
        ]

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


class ScheduleKind(models.TextChoices):
    FIXED = "fixed", pgettext_lazy("schedule", "Same shift every workday")
    ROSTER = "roster", pgettext_lazy("schedule", "Rotating shifts by roster")


class WorkSchedule(models.Model):
    """Which shift pattern applies, effective-dated, to an org unit (and its sub-units) or to one
    person (a person's row wins over their unit's). ``roster`` means the days come from RosterEntry."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="work_schedules")
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="work_schedules")
    kind = models.CharField(_("kind"), max_length=8, choices=ScheduleKind.choices, default=ScheduleKind.FIXED)
    shift = models.ForeignKey(Shift, verbose_name=_("shift"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    site = models.ForeignKey(WorkSite, verbose_name=_("work site"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("work schedule")
        constraints = [
            models.CheckConstraint(condition=models.Q(org_unit__isnull=True, employee__isnull=False)
                                   | models.Q(org_unit__isnull=False, employee__isnull=True),
                                   name="schedule_unit_or_person"),
            models.CheckConstraint(condition=~models.Q(kind="fixed") | models.Q(shift__isnull=False),
                                   name="schedule_fixed_has_shift"),
        ]


class RosterEntry(models.Model):
    """One person's shift on one day of a rota (``shift`` empty: a planned rest day)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="roster_entries")
    date = models.DateField(_("date"))
    shift = models.ForeignKey(Shift, verbose_name=_("shift"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    planned_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="roster_one_per_day")]
        indexes = [models.Index(fields=["date", "employee"], name="roster_date")]


class ShiftRequirement(models.Model):
    """The minimum staffing a manager or HR sets for a team: at least ``min_people`` of the unit (and its
    sub-units) on ``shift`` on each ``weekday`` (0 Monday .. 6 Sunday); the roster planner shows the
    shortfall."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE,
                                 related_name="shift_requirements")
    shift = models.ForeignKey(Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    min_people = models.PositiveSmallIntegerField(_("minimum people"))

    class Meta:
        ordering = ["org_unit", "weekday", "shift"]
        verbose_name = _("staffing requirement")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "shift", "weekday"], name="requirement_once"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="requirement_weekday"),
        ]


class ClockSource(models.TextChoices):
    PHONE = "phone", pgettext_lazy("clock source", "Phone")
    DEVICE = "device", pgettext_lazy("clock source", "Attendance machine")
    WECOM = "wecom", pgettext_lazy("clock source", "WeCom")
    DINGTALK = "dingtalk", pgettext_lazy("clock source", "DingTalk")
    FEISHU = "feishu", pgettext_lazy("clock source", "Feishu")
    CORRECTION = "correction", pgettext_lazy("clock source", "Approved correction")


class ClockDirection(models.TextChoices):
    IN = "in", pgettext_lazy("clock", "In")
    OUT = "out", pgettext_lazy("clock", "Out")
    # Machines and vendor apps often record a punch without a direction: the first of a day is the
    # arrival and the last the departure.
    PUNCH = "punch", pgettext_lazy("clock", "Punch")


class ClockEvent(models.Model):
    """A clock-in or -out as it happened (UTC). ``work_date`` is the day it counts to (a night shift's
    morning punch counts to the day before). The raw position is kept for 30 days at most (the purge
    job empties it); the result — ``site`` or ``distance_m`` outside — is kept. ``external_id`` makes an
    import or a pull idempotent: the same punch twice is one row."""

    # Foreign keys without single-column indexes: "clock_person_day" serves the person, and the site,
    # correction and batch are never looked up by (an import inserts a million rows at a time).
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="clock_events", db_index=False)
    at = models.DateTimeField(_("time"))
    work_date = models.DateField(_("work date"))
    direction = models.CharField(_("direction"), max_length=5, choices=ClockDirection.choices)
    source = models.CharField(_("source"), max_length=10, choices=ClockSource.choices)
    device = models.CharField(_("device"), max_length=80, blank=True)
    external_id = models.CharField(max_length=120, blank=True)
    site = models.ForeignKey(WorkSite, verbose_name=_("work site"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", db_index=False)
    via_network = models.BooleanField(_("from an office network"), default=False)
    distance_m = models.PositiveIntegerField(_("distance outside (metres)"), null=True, blank=True)
    outside = models.BooleanField(_("outside every site"), default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    correction = models.ForeignKey("Correction", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="events", db_index=False)
    # No database constraint either: an import writes a million punches of the one batch it has just created,
    # and PostgreSQL would check that batch again for every row (Django still sets it to NULL on delete).
    batch = models.ForeignKey("ClockImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_index=False, db_constraint=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]
        indexes = [
            models.Index(fields=["employee", "work_date"], name="clock_person_day"),
            models.Index(fields=["work_date"], name="clock_day"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], condition=~models.Q(external_id=""),
                                    name="clock_external_once"),
        ]


class ClockImport(models.Model):
    """One imported file of machine punches (or one vendor pull): what it held and what it added."""

    source = models.CharField(_("source"), max_length=10, choices=ClockSource.choices, default=ClockSource.DEVICE)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]


class VendorAttendance(EncryptedRowMixin, TimeStampedModel):
    """The organisation's credentials for pulling punches from WeCom, DingTalk or Feishu, and how far
    the pulls have come."""

    vendor = models.CharField(_("vendor"), max_length=10, unique=True, choices=[
        (ClockSource.WECOM.value, ClockSource.WECOM.label),
        (ClockSource.DINGTALK.value, ClockSource.DINGTALK.label),
        (ClockSource.FEISHU.value, ClockSource.FEISHU.label),
    ])
    app_id = models.CharField(_("corp id / app key"), max_length=120)
    secret = EncryptedTextField(_("secret"))
    base_url = models.URLField(_("API address"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    pulled_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("attendance app")


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("request status", "Pending")
    APPROVED = "approved", pgettext_lazy("request status", "Approved")
    REJECTED = "rejected", pgettext_lazy("request status", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("request status", "Cancelled")


class ApprovalDelegation(models.Model):
    """While ``approver`` is away, ``delegate`` decides the time requests (attendance and leave) that
    would wait for them."""

    approver = models.ForeignKey(Employee, verbose_name=_("approver"), on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(Employee, verbose_name=_("delegate"), on_delete=models.CASCADE, related_name="+")
    start = models.DateField(_("from"))
    end = models.DateField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="delegation_dates"),
            models.CheckConstraint(condition=~models.Q(approver=models.F("delegate")), name="delegation_other"),
        ]


class Correction(models.Model):
    """A request to add a missed punch; the manager's approval adds a clock event (source
    ``correction``) and the original events stay untouched."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="clock_corrections")
    work_date = models.DateField(_("work date"))
    at = models.DateTimeField(_("time"))
    direction = models.CharField(_("direction"), max_length=5, choices=ClockDirection.choices)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "work_date"], name="correction_status")]


class DayClass(models.TextChoices):
    WORKDAY = "workday", pgettext_lazy("overtime day", "Workday extension")
    REST = "rest", pgettext_lazy("overtime day", "Rest day")
    STATUTORY = "statutory", pgettext_lazy("overtime day", "Statutory holiday")


class Compensation(models.TextChoices):
    PAY = "pay", pgettext_lazy("overtime compensation", "Paid")
    IN_LIEU = "in_lieu", pgettext_lazy("overtime compensation", "Time off in lieu")


class OvertimeRequest(models.Model):
    """Overtime asked for before (``kind`` before) or recorded after. On approval the hours are
    classed by the calendar (workday 150%, rest day 200% or time off in lieu, statutory holiday 300%,
    never in lieu); a breach of the legal caps is flagged, never truncated."""

    class Kind(models.TextChoices):
        BEFORE = "before", pgettext_lazy("overtime", "Requested before")
        AFTER = "after", pgettext_lazy("overtime", "Recorded after")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="overtime_requests")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices, default=Kind.BEFORE)
    work_date = models.DateField(_("date"))
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    minutes = models.PositiveIntegerField(_("minutes"))
    day_class = models.CharField(_("day"), max_length=10, choices=DayClass.choices)
    multiplier = models.DecimalField(_("multiplier"), max_digits=3, decimal_places=1)
    compensation = models.CharField(_("compensation"), max_length=8, choices=Compensation.choices,
                                    default=Compensation.PAY)
    cap_breach = models.CharField(_("legal cap exceeded"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-work_date", "-id"]
        indexes = [models.Index(fields=["employee", "work_date"], name="overtime_person_day"),
                   models.Index(fields=["status", "work_date"], name="overtime_status")]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="overtime_order"),
                       models.CheckConstraint(condition=~models.Q(day_class="statutory", compensation="in_lieu"),
                                              name="overtime_statutory_paid")]


class AttendancePolicy(models.Model):
    """The organisation's attendance rules (one row; configuration is data)."""

    clock_window_days = models.PositiveSmallIntegerField(_("clock events accepted up to (days back)"), default=3)
    location_retention_days = models.PositiveSmallIntegerField(_("raw position kept (days)"), default=30)
    overtime_after_allowed = models.BooleanField(_("overtime may be recorded after the fact"), default=True)
    rest_day_in_lieu = models.BooleanField(_("rest-day overtime as time off in lieu by default"), default=False)
    daily_overtime_cap_minutes = models.PositiveSmallIntegerField(_("overtime cap per day (minutes)"), default=180)
    monthly_overtime_cap_minutes = models.PositiveSmallIntegerField(_("overtime cap per month (minutes)"),
                                                                    default=36 * 60)
    # The shift of people without any work schedule (none: they work the calendar's workdays, untimed).
    default_shift = models.ForeignKey(Shift, verbose_name=_("default shift"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance policy")


class MonthlySummary(models.Model):
    """One person's month, built from the facts (``talentloop build-summaries``). Leave figures are
    per leave type code: ``{"annual": {"days": "2.5", "hours": "20", "paid": true}}``. Once the month
    is locked (MonthLock) the row is what payroll reads and never changes again; later findings go to
    SummaryAdjustment and into the next open month."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="attendance_months")
    month = models.DateField(_("month"))  # the first day of the month
    scheduled_days = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    worked_days = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    worked_minutes = models.PositiveIntegerField(default=0)
    late_count = models.PositiveSmallIntegerField(default=0)
    late_minutes = models.PositiveIntegerField(default=0)
    early_count = models.PositiveSmallIntegerField(default=0)
    early_minutes = models.PositiveIntegerField(default=0)
    absent_days = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    missing_punches = models.PositiveSmallIntegerField(default=0)
    outside_count = models.PositiveSmallIntegerField(default=0)
    leave = models.JSONField(default=dict, blank=True)
    overtime_150_minutes = models.PositiveIntegerField(default=0)
    overtime_200_minutes = models.PositiveIntegerField(default=0)
    overtime_300_minutes = models.PositiveIntegerField(default=0)
    in_lieu_earned_minutes = models.PositiveIntegerField(default=0)
    in_lieu_used_minutes = models.PositiveIntegerField(default=0)
    cap_breaches = models.PositiveSmallIntegerField(default=0)
    # Adjustments of earlier locked months carried into this one: [{"month": "2026-10", "field": ..., "delta": ...}]
    carried = models.JSONField(default=list, blank=True)
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["month", "employee"]
        constraints = [models.UniqueConstraint(fields=["employee", "month"], name="summary_one_per_month")]
        indexes = [models.Index(fields=["month", "employee"], name="summary_month")]


class MonthLock(models.Model):
    month = models.DateField(_("month"), unique=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]


class SummaryAdjustment(models.Model):
    """A change found after a month was locked: recorded against the locked month, applied to the
    first open month after it when that month's summaries are built."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("locked month"))
    field = models.CharField(_("figure"), max_length=40)
    delta = models.DecimalField(_("change"), max_digits=9, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    applied_to = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
