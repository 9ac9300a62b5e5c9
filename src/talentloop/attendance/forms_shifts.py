"""Forms of the shift, work schedule and roster pages. They parse input only; the rules are the
services' (``services.shifts``, ``services.rosters``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.attendance.models import ScheduleKind, Shift, ShiftKind
from talentloop.attendance.selectors import shifts as selectors
from talentloop.core.access import Actor
from talentloop.core.widgets import DateInput, TimeInput
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee

WEEKDAYS = [(0, pgettext_lazy("weekday", "Mon")), (1, pgettext_lazy("weekday", "Tue")),
            (2, pgettext_lazy("weekday", "Wed")), (3, pgettext_lazy("weekday", "Thu")),
            (4, pgettext_lazy("weekday", "Fri")), (5, pgettext_lazy("weekday", "Sat")),
            (6, pgettext_lazy("weekday", "Sun"))]


class ShiftForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("Letters, digits and hyphens, e.g. night."))
    name = forms.CharField(label=_("Name"), max_length=80)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    kind = forms.ChoiceField(label=pgettext_lazy("shift", "Kind"), choices=ShiftKind.choices)
    start = forms.TimeField(label=pgettext_lazy("shift", "Start"), widget=TimeInput,
                            help_text=_("For a flexible shift: the earliest start."))
    end = forms.TimeField(label=pgettext_lazy("shift", "End"), widget=TimeInput,
                          help_text=_("At or before the start: the shift ends the next day and counts to the "
                                      "day it starts."))
    break_minutes = forms.IntegerField(label=_("Break (minutes)"), min_value=0, max_value=1440, initial=60)
    core_start = forms.TimeField(label=_("Core time from"), widget=TimeInput, required=False)
    core_end = forms.TimeField(label=_("Core time until"), widget=TimeInput, required=False)
    required_minutes = forms.IntegerField(label=_("Required minutes"), min_value=1, max_value=1440, required=False,
                                          help_text=_("Flexible shifts: the minutes to work, break excluded."))
    grace_minutes = forms.IntegerField(label=_("Grace (minutes)"), min_value=0, max_value=1440, initial=5,
                                       help_text=_("Lateness beyond the grace counts from the shift's start."))
    late_absent_minutes = forms.IntegerField(label=_("Late counts as absent after (minutes)"), min_value=0,
                                             max_value=1440, initial=120)
    early_absent_minutes = forms.IntegerField(label=_("Early leave counts as absent after (minutes)"), min_value=0,
                                              max_value=1440, initial=120)
    min_rest_hours = forms.IntegerField(label=_("Minimum rest (hours)"), min_value=0, max_value=24, initial=11,
                                        help_text=_("Between the end of the previous shift and this one's start."))
    color = forms.CharField(label=_("Colour"), max_length=7, initial="#2f6feb",
                            widget=forms.TextInput(attrs={"type": "color"}))

    @classmethod
    def initial_from(cls, shift: Shift | None) -> dict:
        if shift is None:
            return {"kind": ShiftKind.FIXED}
        return {f: getattr(shift, f) for f in cls.base_fields}

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ScheduleForm(forms.Form):
    employee = EmployeeRefField(label=_("Person"), queryset=Employee.objects.none(), required=False,
                                help_text=_("A person, or an org unit below."))
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=None, required=False,
                                      help_text=_("The unit and its sub-units, unless they have their own."))
    kind = forms.ChoiceField(label=pgettext_lazy("schedule", "Kind"), choices=ScheduleKind.choices)
    shift = forms.ModelChoiceField(label=_("Shift"), queryset=None, required=False,
                                   help_text=_("Required for the same shift every workday."))
    site = forms.ModelChoiceField(label=_("Work site"), queryset=None, required=False)
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = selectors.schedule_people(actor).select_related("org_unit")
        self.fields["org_unit"].queryset = selectors.schedule_units(actor)
        self.fields["shift"].queryset = selectors.shift_list(actor, active_only=True)
        self.fields["site"].queryset = selectors.active_sites()


class CellForm(forms.Form):
    """One cell of the planner: ``shift`` is a shift's id, ``rest`` or empty (clear the cell)."""

    employee = forms.IntegerField(min_value=1)
    date = forms.DateField(widget=DateInput)
    shift = forms.CharField(max_length=20, required=False)
    week = forms.DateField(required=False, widget=DateInput)
    unit = forms.IntegerField(required=False, min_value=1)

    def cell(self) -> dict:
        d = self.cleaned_data
        value = (d.get("shift") or "").strip()
        if not value:
            return {"employee_id": d["employee"], "date": d["date"], "clear": True}
        if value == "rest":
            return {"employee_id": d["employee"], "date": d["date"], "shift_id": None}
        try:
            return {"employee_id": d["employee"], "date": d["date"], "shift_id": int(value)}
        except ValueError:
            return {"employee_id": d["employee"], "date": d["date"], "shift_id": -1}


class CopyWeekForm(forms.Form):
    week = forms.DateField(label=_("Week"), widget=DateInput)
    unit = forms.IntegerField(required=False, min_value=1)
    overwrite = forms.BooleanField(label=_("Replace cells already planned"), required=False)


class StaffingForm(forms.Form):
    shift = forms.ModelChoiceField(label=_("Shift"), queryset=None)
    weekdays = forms.TypedMultipleChoiceField(label=_("Days"), choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)
    min_people = forms.IntegerField(label=_("At least (people)"), min_value=0, max_value=999,
                                    help_text=_("0 removes the requirement."))
    week = forms.DateField(required=False, widget=DateInput)
    unit = forms.IntegerField(min_value=1)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = selectors.shift_list(actor, active_only=True)
