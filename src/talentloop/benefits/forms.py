"""Forms of the plan and window pages. They only parse the input; every rule is the service's."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.benefits.models import BenefitPlan, PlanKind, TaxTreatment
from talentloop.core.widgets import DateInput
from talentloop.organisation.models import JobFamily

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
RATE = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}


class BenefitPlanForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("English description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanKind.choices)
    employer_amount = forms.DecimalField(label=_("Employer's monthly amount (yuan)"), initial=0, **MONEY)
    employer_rate = forms.DecimalField(label=_("Employer's rate of the base salary (%)"), initial=0, **RATE)
    employee_amount = forms.DecimalField(label=_("Employee's monthly amount (yuan)"), initial=0, **MONEY)
    employee_rate = forms.DecimalField(label=_("Employee's rate of the base salary (%)"), initial=0, **RATE)
    employee_part_from_pay = forms.BooleanField(
        label=_("Deduct the employee's part from pay"), required=False, initial=True
    )
    tax_treatment = forms.ChoiceField(label=_("Tax treatment"), choices=TaxTreatment.choices)
    exempt_cap = forms.DecimalField(
        label=_("Monthly amount exempt from tax (yuan)"),
        required=False,
        help_text=_("Only for a plan exempt up to a cap: the standard the local tax office accepts."),
        **MONEY,
    )
    job_families = forms.ModelMultipleChoiceField(
        label=_("Job families"),
        queryset=JobFamily.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("None chosen: every job family."),
        widget=forms.CheckboxSelectMultiple,
    )
    min_level = forms.IntegerField(label=_("Lowest level"), required=False, min_value=1, max_value=20)
    max_level = forms.IntegerField(label=_("Highest level"), required=False, min_value=1, max_value=20)
    min_tenure_months = forms.IntegerField(label=_("Minimum tenure (months)"), min_value=0, max_value=600, initial=0)
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput)
    effective_to = forms.DateField(label=_("Effective until"), required=False, widget=DateInput)
    active = forms.BooleanField(label=pgettext_lazy("switched on", "Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["job_families"].queryset = JobFamily.objects.order_by("code")

    @classmethod
    def initial_from(cls, plan: BenefitPlan | None) -> dict:
        if plan is None:
            return {
                "active": True,
                "employee_part_from_pay": True,
                "employer_amount": Decimal(0),
                "employer_rate": Decimal(0),
                "employee_amount": Decimal(0),
                "employee_rate": Decimal(0),
                "min_tenure_months": 0,
            }
        initial = {name: getattr(plan, name) for name in cls.base_fields if name != "job_families"}
        initial["job_families"] = [f.code for f in plan.job_families.all()]
        return initial

    def service_args(self) -> dict:
        data = dict(self.cleaned_data)
        data["job_families"] = [f.code for f in data["job_families"]]
        return data


class EnrolmentWindowForm(forms.Form):
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput)
