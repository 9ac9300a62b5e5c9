"""Forms of the leave type, balance and prior-service pages. Tiers and entitlements are edited as
rows, one per line (``years | days``; ``province | days | note | English note``) — quick on a phone
and readable in a diff, as the onboarding steps are."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.access import Actor
from talentloop.core.widgets import DateInput
from talentloop.leave import access
from talentloop.leave.models import DayCounting, LeaveCategory, LeaveType, LeaveUnit
from talentloop.leave.services.types import EntitlementRow, TierRow
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee

NATIONAL = {"", "*", "全国", "national"}


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _entitlement_line(row) -> str:
    parts = [row.province or "*", f"{row.days.normalize():f}"]
    if row.note or row.note_en:
        parts.append(row.note)
    if row.note_en:
        parts.append(row.note_en)
    return " | ".join(parts)


class LeaveTypeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=80)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=LeaveCategory.choices)
    counting = forms.ChoiceField(label=_("Counts"), choices=DayCounting.choices,
                                 help_text=_("Scheduled workdays: a holiday or rest day inside a request is not leave. "
                                             "Calendar days: every date counts (maternity leave)."))
    unit = forms.ChoiceField(label=_("Smallest unit"), choices=LeaveUnit.choices)
    paid = forms.BooleanField(label=_("Paid"), required=False)
    tracks_balance = forms.BooleanField(label=_("Drawn from a balance"), required=False)
    allow_negative = forms.BooleanField(label=_("Balance may go below zero"), required=False)
    requires_document = forms.BooleanField(label=_("A document is required"), required=False)
    hr_approval_over_days = forms.DecimalField(label=_("HR approves requests longer than (days)"), required=False,
                                               min_value=0, max_digits=5, decimal_places=1)
    carry_over_max_days = forms.DecimalField(label=_("Carry over at most (days)"), min_value=0, max_digits=5,
                                             decimal_places=1, initial=0)
    carry_over_expires_month = forms.IntegerField(label=_("Carried days expire at the end of month"), min_value=1,
                                                  max_value=12, initial=3)
    hours_per_day = forms.DecimalField(label=_("Hours in a day"), min_value=Decimal("0.5"), max_value=24,
                                       max_digits=4, decimal_places=2, initial=8)
    is_active = forms.BooleanField(label=pgettext_lazy("switched on", "Active"), required=False, initial=True)
    tiers = forms.CharField(
        label=_("Annual leave tiers"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One tier per line: cumulative years of work | days a year. The law: 1 | 5, 10 | 10, 20 | 15."))
    entitlements = forms.CharField(
        label=_("Entitlements by province"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One per line: province | days | note | English note. Leave the province empty (or write *) "
                    "for the national entitlement; a province's days replace the national ones."))

    @classmethod
    def initial_from(cls, leave_type: LeaveType | None) -> dict:
        if leave_type is None:
            return {"is_active": True, "paid": True, "carry_over_max_days": 0, "carry_over_expires_month": 3,
                    "hours_per_day": 8}
        initial = {name: getattr(leave_type, name) for name in (
            "code", "name", "name_en", "category", "counting", "unit", "paid", "tracks_balance", "allow_negative",
            "requires_document", "hr_approval_over_days", "carry_over_max_days", "carry_over_expires_month",
            "hours_per_day", "is_active")}
        initial["tiers"] = "\n".join(f"{t.min_years} | {t.days.normalize():f}" for t in leave_type.tiers.all())
        initial["entitlements"] = "\n".join(_entitlement_line(e) for e in leave_type.entitlements.all())
        return initial

    def clean_tiers(self) -> list[TierRow]:
        rows, problems = [], []
        for n, line in enumerate([x for x in self.cleaned_data["tiers"].splitlines() if x.strip()], start=1):
            parts = [p.strip() for p in line.split("|")]
            days = _number(parts[1]) if len(parts) == 2 else None
            if len(parts) != 2 or not parts[0].isdigit() or days is None:
                problems.append(_("Line %(n)d: write “years | days”.") % {"n": n})
                continue
            rows.append(TierRow(int(parts[0]), days))
        if problems:
            raise forms.ValidationError(problems)
        return rows

    def clean_entitlements(self) -> list[EntitlementRow]:
        rows, problems = [], []
        for n, line in enumerate([x for x in self.cleaned_data["entitlements"].splitlines() if x.strip()], start=1):
            parts = [p.strip() for p in line.split("|")]
            days = _number(parts[1]) if len(parts) >= 2 else None
            if len(parts) < 2 or len(parts) > 4 or days is None:
                problems.append(_("Line %(n)d: write “province | days | note | English note”.") % {"n": n})
                continue
            province = "" if parts[0].lower() in NATIONAL else parts[0]
            rows.append(EntitlementRow(province, days, parts[2] if len(parts) > 2 else "",
                                       parts[3] if len(parts) > 3 else ""))
        if problems:
            raise forms.ValidationError(problems)
        return rows

    def service_args(self) -> dict:
        d = dict(self.cleaned_data)
        tiers = d.pop("tiers")
        entitlements = d.pop("entitlements")
        return {"data": d, "tiers": tiers, "entitlements": entitlements}


class BalanceFilterForm(forms.Form):
    """Whose balances (empty: mine) as of which date."""

    employee = EmployeeRefField(label=_("Person"), queryset=Employee.objects.none(), scope="visible", required=False)
    as_of = forms.DateField(label=_("As of"), widget=DateInput, required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = access.visible_leave_people(actor)


class AdjustForm(forms.Form):
    leave_type = forms.ModelChoiceField(label=_("Leave type"), queryset=LeaveType.objects.none())
    days = forms.DecimalField(label=_("Days (negative takes away)"), max_digits=7, decimal_places=3)
    effective_date = forms.DateField(label=_("As of"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = access.visible_leave_types(actor).filter(tracks_balance=True)


class PriorServiceForm(forms.Form):
    employer = forms.CharField(label=_("Employer"), max_length=200)
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("Until"), widget=DateInput)
    evidence = forms.FileField(label=_("Evidence"), help_text=_(
        "A PDF or an image (JPEG, PNG, WebP) of at most 5 MB: a certificate of employment, a social-insurance "
        "record or a termination certificate."))


class PriorServiceDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("verify", _("Verify")), ("reject", _("Reject"))])
