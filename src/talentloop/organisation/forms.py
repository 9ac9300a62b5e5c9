from __future__ import annotations

import re
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.access import Actor
from talentloop.core.widgets import DateInput
from talentloop.organisation import access, importing
from talentloop.organisation.models import (
    EmploymentStatus,
    EventKind,
    JobFamily,
    OrgUnit,
    Position,
    TerminationReason,
)


class PersonPicker(forms.Widget):
    """Search-as-you-type: a search box (the field's own name) whose suggestions come from
    ``organisation:people-search`` in the form's scope, and a hidden ``<name>_id`` holding the
    chosen person's id (``static/js/app.js`` fills it). Without script the box still takes an
    employee number."""

    def __init__(self, scope: str = "visible", attrs=None):
        super().__init__(attrs)
        self.scope = scope

    def value_from_datadict(self, data, files, name):
        return (data.get(f"{name}_id", "") or "", data.get(name, "") or "")

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_id" not in data

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        element_id = attrs.pop("id", None) or f"id_{name}"
        pk, text = "", ""
        if isinstance(value, tuple):
            pk, text = value
        elif value is not None and hasattr(value, "employee_number"):
            pk, text = value.pk, f"{value.display_name} ({value.employee_number})"
        elif value not in (None, ""):
            text = str(value)
        results = f"{element_id}_results"
        url = f"{reverse('organisation:people-search')}?{urlencode({'scope': self.scope, 'field': name})}"
        extra = flatatt({k: v for k, v in attrs.items() if k not in {"type", "name", "value"}})
        return format_html(
            '<div class="person-picker" data-person-picker>'
            '<input type="search" name="{}" id="{}" value="{}" autocomplete="off" '
            'aria-controls="{}" placeholder="{}" '
            'hx-get="{}" hx-trigger="input changed delay:250ms, search" hx-target="#{}" hx-sync="this:replace"{}>'
            '<input type="hidden" name="{}_id" value="{}" data-person-id>'
            '<div class="person-results" id="{}" role="region" aria-live="polite" aria-label="{}"></div></div>',
            name, element_id, text, results, _("Name, pinyin (e.g. wxm) or number"), url, results, extra,
            name, pk, results, _("Suggestions"),
        )


class EmployeeRefField(forms.ModelChoiceField):
    """Pick a person by name, pinyin, English name or number through ``PersonPicker``; only people in
    the field's queryset (the form's access scope) are accepted, whatever id or number is sent.

    ``scope`` names the same set for the picker's suggestions (``organisation.search``). The API and
    old clients may still send an employee number under the field's own name."""

    widget = PersonPicker

    def __init__(self, *args, scope: str = "visible", **kwargs):
        kwargs.setdefault("to_field_name", "employee_number")
        kwargs.pop("widget", None)
        super().__init__(*args, widget=PersonPicker(scope=scope), **kwargs)
        self.error_messages = {**self.error_messages, "invalid_choice": _(
            "No one by that name or number among the people you may choose here.")}

    def prepare_value(self, value):
        if isinstance(value, tuple) or hasattr(value, "employee_number"):
            return value
        if isinstance(value, int):  # an initial id
            return self.queryset.filter(pk=value).first() or ""
        return super().prepare_value(value)

    def to_python(self, value):
        pk, text = value if isinstance(value, tuple) else ("", value)
        pk, text = str(pk or "").strip(), str(text or "").strip()
        if not pk and not text:
            return None
        if pk:
            if not pk.isdigit() or len(pk) > 18:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            found = self.queryset.filter(pk=int(pk)).first()
        else:
            # A typed number, or the label a picker shows: "王小明 (TL0007)".
            match = LABEL_NUMBER.search(text)
            found = self.queryset.filter(employee_number=match.group(1).strip() if match else text).first()
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


LABEL_NUMBER = re.compile(r"\(([^()]+)\)\s*$")


class ScopedFormMixin:
    def _scope(self, actor: Actor) -> None:
        fields = self.fields  # type: ignore[attr-defined]  # mixed into Django forms, which have fields
        if "org_unit" in fields:
            fields["org_unit"].queryset = access.visible_org_units(actor).order_by("path")
        if "job_family" in fields:
            fields["job_family"].queryset = access.visible_job_families(actor)
        if "position" in fields:
            fields["position"].queryset = access.visible_positions(actor).filter(is_active=True)
        if "manager" in fields:
            fields["manager"].queryset = access.visible_employees(actor).exclude(status=EmploymentStatus.TERMINATED)


class EmployeeCreateForm(ScopedFormMixin, forms.Form):
    employee_number = forms.CharField(label=_("Employee number"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    hire_date = forms.DateField(label=_("Hire date"), widget=DateInput)
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=OrgUnit.objects.none())
    job_family = forms.ModelChoiceField(label=_("Job family"), queryset=JobFamily.objects.none())
    position = forms.ModelChoiceField(label=_("Position"), queryset=Position.objects.none(), required=False)
    level = forms.IntegerField(label=_("Level"), min_value=1, max_value=20, initial=1)
    manager = EmployeeRefField(label=_("Manager"), queryset=OrgUnit.objects.none(), required=False,
                               scope="current")
    national_id = forms.CharField(label=_("National ID number"), max_length=40, required=False,
                                  help_text=_("Stored encrypted; shown masked."))
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False,
                                   help_text=_("Stored encrypted; shown masked."))

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope(actor)


class EmployeeEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    hire_date = forms.DateField(label=_("Hire date"), widget=DateInput)
    national_id = forms.CharField(label=_("National ID number"), max_length=40, required=False,
                                  help_text=_("Leave empty to keep the stored value."))
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False,
                                   help_text=_("Leave empty to keep the stored value."))

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("national_id", "bank_account"):
            if not data.get(key):
                data.pop(key, None)
        return data


class EmploymentEventForm(ScopedFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What happens"),
                             choices=[c for c in EventKind.choices if c[0] != EventKind.HIRE])
    effective_date = forms.DateField(label=_("Effective date"), widget=DateInput)
    org_unit = forms.ModelChoiceField(label=_("New org unit"), queryset=OrgUnit.objects.none(), required=False)
    job_family = forms.ModelChoiceField(label=_("New job family"), queryset=JobFamily.objects.none(),
                                        required=False)
    position = forms.ModelChoiceField(label=_("New position"), queryset=Position.objects.none(), required=False)
    level = forms.IntegerField(label=_("New level"), min_value=1, max_value=20, required=False)
    manager = EmployeeRefField(label=_("New manager"), queryset=OrgUnit.objects.none(), required=False,
                               scope="current")
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    immediate = forms.BooleanField(
        label=_("End their access now"), required=False,
        help_text=_("Termination only. Otherwise their sign-in and API tokens end after the last day."))
    termination_reason = forms.ChoiceField(
        label=_("Legal reason"), required=False, choices=[("", "—"), *TerminationReason.choices],
        help_text=_("Termination only. Payroll works out the final pay from it."))
    renewal_refused = forms.BooleanField(
        label=_("The employee refused a renewal on equal or better terms"), required=False,
        help_text=_("A fixed-term contract's expiry only: no compensation is owed."))

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope(actor)


class EmployeeFilterForm(forms.Form):
    search = forms.CharField(
        label=_("Search"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, number or e-mail")}))
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=OrgUnit.objects.none(), required=False,
                                      empty_label=_("All units"))
    job_family = forms.ModelChoiceField(label=_("Job family"), queryset=JobFamily.objects.none(), required=False,
                                        empty_label=_("All job families"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *EmploymentStatus.choices])
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["org_unit"]
        field.queryset = access.visible_org_units(actor).order_by("path")
        field.widget.choices = UnitFilterChoices(field.queryset, field.empty_label,
                                                 self.data.get(self.add_prefix("org_unit")))
        self.fields["job_family"].queryset = access.visible_job_families(actor)


# A select of a thousand units renders slowly (Django renders each option through a template) and
# is useless to scroll, so the people filter offers the upper levels of the tree, as many levels as
# fit in this many options, plus the unit already chosen. Any visible unit is still accepted (the
# field validates against the queryset), e.g. one linked from the org chart.
MAX_UNIT_FILTER_CHOICES = 150


class UnitFilterChoices(BaseChoiceIterator):
    """Built when the select is rendered (an htmx partial never renders it), in one query."""

    def __init__(self, queryset, empty_label, selected):
        self.args = (queryset, empty_label, selected)
        self.rows: list[tuple] | None = None

    def __iter__(self):
        if self.rows is None:
            self.rows = unit_filter_choices(*self.args)
        return iter(self.rows)


def unit_filter_choices(queryset, empty_label, selected) -> list[tuple]:
    rows = list(queryset.values_list("pk", "name", "name_en", "depth"))
    per_depth: dict[int, int] = {}
    for *_unused, depth in rows:
        per_depth[depth] = per_depth.get(depth, 0) + 1
    deepest, shown = -1, 0
    for depth in sorted(per_depth):
        if deepest >= 0 and shown + per_depth[depth] > MAX_UNIT_FILTER_CHOICES:
            break
        deepest, shown = depth, shown + per_depth[depth]
    selected = str(selected or "")
    return [("", empty_label)] + [
        (pk, OrgUnit(name=name, name_en=name_en).label)
        for pk, name, name_en, depth in rows if depth <= deepest or str(pk) == selected
    ]


class OrgUnitForm(forms.ModelForm):
    manager = EmployeeRefField(label=pgettext_lazy("org unit", "Head"), queryset=OrgUnit.objects.none(), required=False)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "name_en", "parent", "manager", "is_active"]

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = access.visible_org_units(actor).order_by("path")
        self.fields["manager"].queryset = access.visible_employees(actor)
        if self.instance.pk is None:
            del self.fields["is_active"]


class JobFamilyForm(forms.ModelForm):
    class Meta:
        model = JobFamily
        fields = ["code", "name", "name_en", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PositionForm(forms.ModelForm):
    class Meta:
        model = Position
        fields = ["code", "name", "name_en", "job_family", "org_unit", "is_active"]

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_family"].queryset = access.visible_job_families(actor)
        self.fields["org_unit"].queryset = access.visible_org_units(actor).order_by("path")


class EmployeeAccountForm(forms.Form):
    """Give a person a login: a new account (optionally inviting them by e-mail) or an existing one."""

    username = forms.CharField(label=_("Username"), max_length=150, required=False,
                               widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}))
    email = forms.EmailField(label=_("E-mail"), required=False,
                             help_text=_("Empty: the person's own address."))
    invite = forms.BooleanField(label=_("E-mail them a link to choose their password"), required=False)
    existing = forms.CharField(label=_("Or link an existing account (its username)"), max_length=150,
                               required=False,
                               help_text=_("An account that belongs to no one yet, e.g. opened before the hire."))

    def clean(self):
        data = super().clean()
        if bool(data.get("username")) == bool(data.get("existing")):
            raise ValidationError(_("Give either a new username or an existing account, not both."))
        return data


# ---------------------------------------------------------------- employee import

MODE_CHOICES = [
    ("all", _("All or nothing: if any row is rejected, import nothing")),
    ("valid_only", _("Import the valid rows and skip the rejected ones")),
]


class EmployeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GB18030) or Excel .xlsx; at most 5 MB and 20,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join([".csv", ".xlsx", "text/csv",
                                                                   importing.CONTENT_TYPES["xlsx"]])}),
    )
    mode = forms.ChoiceField(label=_("When some rows are rejected"), choices=MODE_CHOICES,
                             initial="all", widget=forms.RadioSelect)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[A-Za-z0-9]{32}$")
    mode = forms.ChoiceField(choices=MODE_CHOICES)
