"""Forms of the payroll setup pages: a salary component, a pay group and who runs it, a person's salary
from a date, a tax declaration (the fields its kind needs) and the first-wages statement."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.access import Actor
from talentloop.core.widgets import DateInput
from talentloop.organisation.forms import EmployeeRefField
from talentloop.payroll import access
from talentloop.payroll import selectors_setup as selectors
from talentloop.payroll.forms_runs import PICKER_SCOPE, MonthField
from talentloop.payroll.models import (
    DEDUCTION_KIND_CHOICES,
    ELDERLY_SPLIT_CHOICES,
    ComponentKind,
    SalaryComponent,
)
from talentloop.payroll.rules.iit_deductions import DeductionKind

#: The people picker's scope for choosing who runs a pay group (every person an administrator sees).
USER_PICKER_SCOPE = "visible"
ITEM_PREFIX = "item_"


# ------------------------------------------------------------------------------------------------ components


class ComponentForm(forms.Form):
    key = forms.SlugField(
        label=_("Key"), max_length=40, help_text=_("Letters, digits, - and _; it names the component in formulas.")
    )
    name = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    kind = forms.ChoiceField(label=pgettext_lazy("salary component", "Kind"), choices=ComponentKind.choices)
    taxable = forms.BooleanField(label=_("Taxable"), required=False)
    in_social_insurance_base = forms.BooleanField(label=_("Counts in the social-insurance base"), required=False)
    in_wage_base = forms.BooleanField(
        label=_("Counts in the wage base"),
        required=False,
        help_text=_("The monthly wage the daily wage (÷ 21.75) for unpaid leave and overtime is worked out from."),
    )
    shown_on_payslip = forms.BooleanField(label=_("Shown on the payslip"), required=False)
    formula = forms.CharField(
        label=_("Formula"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_("Leave empty for a fixed amount per person, set in each person's salary."),
    )
    order = forms.IntegerField(label=_("Order on the payslip"), min_value=0, max_value=32767, initial=100)
    active = forms.BooleanField(label=pgettext_lazy("salary component", "Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["key"].disabled = True

    @classmethod
    def for_component(cls, component: SalaryComponent) -> ComponentForm:
        return cls(initial={name: getattr(component, name) for name in cls.base_fields}, editing=True)


# ------------------------------------------------------------------------------------------------ pay groups


ATTENDANCE_LAG_CHOICES = [
    (1, _("Attendance of the month before (wages paid after the month worked)")),
    (0, _("Attendance of the same month")),
]


class PayGroupForm(forms.Form):
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        allow_unicode=True,
        help_text=_("As written in the pay group of the employment contracts."),
    )
    name = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    attendance_lag = forms.TypedChoiceField(
        label=_("Attendance paid in a month"), choices=ATTENDANCE_LAG_CHOICES, coerce=int, initial=1
    )
    sick_pay = forms.CharField(
        label=_("Sick pay by years of service"),
        initial="0:60, 2:70, 4:80, 6:90, 8:100",
        max_length=200,
        required=False,
        help_text=_(
            "Years of service and the percentage of the wage paid, e.g. 0:60, 2:70 (60 percent under two years). "
            "Never below 80 percent of the minimum wage: the run lifts it."
        ),
    )
    active = forms.BooleanField(label=pgettext_lazy("pay group", "Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["key"].disabled = True

    def clean_sick_pay(self) -> list[tuple[Decimal, Decimal]] | None:
        """The tiers written as ``years:percent, ...``; None when left empty (the group keeps its own)."""
        if not self.cleaned_data["sick_pay"].strip():
            return None
        tiers = []
        for part in self.cleaned_data["sick_pay"].replace("，", ",").replace("：", ":").split(","):
            if not part.strip():
                continue
            years, _sep, percent = part.partition(":")
            try:
                tiers.append((Decimal(years.strip()), Decimal(percent.strip().rstrip("%"))))
            except ArithmeticError:
                raise forms.ValidationError(_("Write each tier as years:percent, e.g. 2:70.")) from None
        return tiers


def sick_pay_text(tiers: list[list[str]]) -> str:
    """A pay group's sick pay as its form shows it: ``0:60, 2:70``."""
    return ", ".join(f"{years}:{percent}" for years, percent in tiers)


class PayGroupAccessForm(forms.Form):
    person = EmployeeRefField(
        label=_("Person with the payroll role"),
        queryset=SalaryComponent.objects.none(),
        scope=USER_PICKER_SCOPE,
        help_text=_("Search by name, pinyin or number. Only people with the payroll role can run a pay group."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.payroll_user_people(actor)


# ------------------------------------------------------------------------------------------------ salaries


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)


class SalaryForm(forms.Form):
    """The person's fixed pay from a date: one amount per active fixed component (empty: not paid)."""

    effective_from = forms.DateField(
        label=_("Effective from"), widget=DateInput(), help_text=_("The months before keep the earlier salary.")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, components: list[SalaryComponent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.components = components
        for component in components:
            self.fields[ITEM_PREFIX + component.key] = forms.DecimalField(
                label=component.label,
                required=False,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[ITEM_PREFIX + c.key] for c in self.components]

    def items(self) -> dict[str, Decimal]:
        return {
            c.key: self.cleaned_data[ITEM_PREFIX + c.key]
            for c in self.components
            if self.cleaned_data.get(ITEM_PREFIX + c.key) is not None
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not any(data.get(ITEM_PREFIX + c.key) is not None for c in self.components):
            raise forms.ValidationError(_("Give at least one component's amount."))
        return data


# ------------------------------------------------------------------------------------------------ declarations

C = DeductionKind
#: The fields each kind of deduction asks for, besides its kind and its months.
KIND_FIELDS: dict[str, list[str]] = {
    C.CHILDREN_EDUCATION: ["dependent", "dependent_birth_date", "share_percent"],
    C.INFANT_CARE: ["dependent", "dependent_birth_date", "share_percent"],
    C.CONTINUING_EDUCATION_DEGREE: ["months_already_used"],
    C.CONTINUING_EDUCATION_VOCATIONAL: [],
    C.HOUSING_LOAN_INTEREST: ["first_home", "premarital_home", "share_percent", "months_already_used"],
    C.HOUSING_RENT: ["city_tier"],
    C.ELDERLY_SUPPORT: ["only_child", "elderly_split", "sharers", "monthly_amount"],
    C.PERSONAL_PENSION: ["monthly_amount"],
    C.COMMERCIAL_HEALTH_INSURANCE: ["monthly_amount"],
}
SHARE_CHOICES = [("100", _("All of it (100 %)")), ("50", _("Half (50 %)"))]
CITY_TIER_CHOICES = [
    ("", "—"),
    ("1", _("Tier 1: a provincial capital, municipality, sub-provincial or specially designated city")),
    ("2", _("Tier 2: another city with more than a million registered residents")),
    ("3", _("Tier 3: a city with a million registered residents or fewer")),
]
ONLY_CHILD_CHOICES = [("1", _("I am an only child")), ("0", _("I share it with my brothers and sisters"))]


class DeclarationForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("tax deduction", "Kind"), choices=DEDUCTION_KIND_CHOICES)
    start = MonthField(label=_("First month"))
    end = MonthField(label=_("Last month"), required=False, help_text=_("Empty: until you withdraw it."))
    dependent = forms.CharField(label=_("Child's name"), max_length=120, required=False)
    dependent_birth_date = forms.DateField(label=_("Child's date of birth"), required=False, widget=DateInput())
    share_percent = forms.TypedChoiceField(
        label=_("Your share"), choices=SHARE_CHOICES, coerce=Decimal, initial="100", required=False
    )
    city_tier = forms.TypedChoiceField(
        label=_("City of the main place of work"), choices=CITY_TIER_CHOICES, coerce=int, required=False,
        empty_value=None,
    )  # fmt: skip
    only_child = forms.TypedChoiceField(
        label=_("Brothers and sisters"),
        choices=ONLY_CHILD_CHOICES,
        coerce=lambda v: v == "1",
        initial="1",
        required=False,
        widget=forms.RadioSelect,
    )
    elderly_split = forms.ChoiceField(
        label=_("How you share it"), choices=[("", "—"), *ELDERLY_SPLIT_CHOICES], required=False
    )
    sharers = forms.IntegerField(
        label=_("Children sharing it, you included"), min_value=1, max_value=20, initial=1, required=False
    )
    monthly_amount = forms.DecimalField(
        label=_("Monthly amount"),
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("Your agreed or designated share, or what you pay each month."),
    )
    months_already_used = forms.IntegerField(
        label=_("Months already deducted before"), min_value=0, max_value=1000, initial=0, required=False
    )
    first_home = forms.BooleanField(label=_("A loan for a first home"), required=False, initial=True)
    premarital_home = forms.BooleanField(label=_("Bought before the marriage"), required=False)

    def kind_value(self) -> str:
        value = self["kind"].value()
        return value if value in KIND_FIELDS else C.CHILDREN_EDUCATION

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in KIND_FIELDS[self.kind_value()]]

    def service_values(self) -> dict[str, Any]:
        """The cleaned values for ``tax_declaration_save``: the kind's own fields, the rest as defaults."""
        data = self.cleaned_data
        values: dict[str, Any] = {"kind": data["kind"], "start": data["start"], "end": data.get("end")}
        for name in KIND_FIELDS[data["kind"]]:
            value = data.get(name)
            if value is None or value == "":
                continue
            values[name] = value
        if "dependent" in values:
            values["dependent"] = values["dependent"].strip()
        return values

    @classmethod
    def initial_for(cls, row: Any) -> dict[str, Any]:
        return {
            "kind": row.kind, "start": row.start, "end": row.end, "dependent": row.dependent,
            "dependent_birth_date": row.dependent_birth_date, "share_percent": str(int(row.share_percent)),
            "city_tier": row.city_tier, "only_child": "1" if row.only_child else "0",
            "elderly_split": row.elderly_split, "sharers": row.sharers, "monthly_amount": row.monthly_amount,
            "months_already_used": row.months_already_used, "first_home": row.first_home,
            "premarital_home": row.premarital_home,
        }  # fmt: skip


class DeclarationPersonForm(forms.Form):
    """Payroll choosing whose declarations to see and import."""

    person = EmployeeRefField(label=_("Person"), queryset=SalaryComponent.objects.none(), scope=PICKER_SCOPE)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = access.payroll_subjects(actor)


class TaxYearForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2020, max_value=2100)
    first_wages_of_year = forms.TypedChoiceField(
        label=_("Are these your first wages of the year?"),
        choices=[("1", pgettext_lazy("answer", "Yes")), ("0", pgettext_lazy("answer", "No"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
