"""Forms of the leave request pages: the request (with its htmx preview), a decision, a delegation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.access import Actor
from talentloop.core.widgets import DateInput
from talentloop.leave import access
from talentloop.leave.models import HalfDay, LeaveType
from talentloop.leave.selectors import requests as selectors
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee


class LeaveTypeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: LeaveType) -> str:
        return obj.label


class LeaveRequestForm(forms.Form):
    leave_type = LeaveTypeChoice(label=_("Leave type"), queryset=LeaveType.objects.none(),
                                 empty_label=pgettext_lazy("choose", "Choose…"))
    start = forms.DateField(label=pgettext_lazy("leave", "First day"), widget=DateInput)
    start_half = forms.ChoiceField(label=pgettext_lazy("leave", "Starting"), choices=HalfDay.choices,
                                   initial=HalfDay.MORNING, required=False)
    end = forms.DateField(label=pgettext_lazy("leave", "Last day"), widget=DateInput)
    end_half = forms.ChoiceField(label=pgettext_lazy("leave", "Ending"), choices=HalfDay.choices,
                                 initial=HalfDay.AFTERNOON, required=False)
    hours = forms.DecimalField(label=_("Hours"), required=False, min_value=0, max_digits=5, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(label=_("Document"), required=False,
                               help_text=_("PDF, JPEG or PNG, at most 5 MB."),
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = selectors.requestable_types(actor)

    def chosen_type(self) -> LeaveType | None:
        """The type picked so far (for the preview, before the whole form is valid)."""
        field = self.fields["leave_type"]
        try:
            return field.clean(field.widget.value_from_datadict(self.data, self.files, self.add_prefix("leave_type")))
        except forms.ValidationError:
            return None

    def raw(self, name: str):
        """One field's cleaned value or None, whatever the others hold (the preview's partial input)."""
        field = self.fields[name]
        try:
            return field.clean(field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
        except forms.ValidationError:
            return None

    def service_data(self) -> dict:
        d = self.cleaned_data
        unit = d["leave_type"].unit
        return {"leave_type": d["leave_type"], "start": d["start"], "end": d["end"],
                "start_half": d.get("start_half") or HalfDay.MORNING,
                "end_half": d.get("end_half") or HalfDay.AFTERNOON,
                "hours": d.get("hours") if unit == "hour" else None,
                "reason": d.get("reason", ""), "document": d.get("document") or None}


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DelegationForm(forms.Form):
    delegate = EmployeeRefField(label=_("Delegate"), queryset=Employee.objects.none(), scope="leave-delegates",
                                help_text=_("Who decides leave, corrections and overtime for you meanwhile."))
    start = forms.DateField(label=pgettext_lazy("period", "From"), widget=DateInput)
    end = forms.DateField(label=pgettext_lazy("period", "Until"), widget=DateInput)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = access.delegate_candidates(actor)
