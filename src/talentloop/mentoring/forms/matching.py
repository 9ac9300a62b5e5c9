"""Forms of the matching pages: suggestions for one mentee and cohort runs."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.core.widgets import DateInput
from talentloop.mentoring import access
from talentloop.mentoring import selectors_matching as selectors
from talentloop.organisation import access as org_access
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee


class SuggestionForm(forms.Form):
    mentee = EmployeeRefField(label=gettext_lazy("Mentee"), queryset=Employee.objects.none(), scope="match-mentees")
    template = forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=None)

    def __init__(self, *args, actor, for_self: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.suggestion_templates(actor, for_self=for_self)
        if for_self:
            del self.fields["mentee"]
        else:
            self.fields["mentee"].queryset = access.match_mentees(actor).select_related("org_unit", "job_family")


class MatchRunForm(forms.Form):
    template = forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=None)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)
    starts_on = forms.DateField(label=gettext_lazy("Plans start on"), widget=DateInput)
    org_unit = forms.ModelChoiceField(label=gettext_lazy("Org unit (and below)"), queryset=None, required=False)
    job_family = forms.ModelChoiceField(label=gettext_lazy("Job family"), queryset=None, required=False)
    hired_from = forms.DateField(label=gettext_lazy("Hired from"), required=False, widget=DateInput)
    hired_until = forms.DateField(label=gettext_lazy("Hired until"), required=False, widget=DateInput)
    numbers = forms.CharField(label=gettext_lazy("Or these employee numbers"), required=False, max_length=40000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("Separated by commas, spaces or new lines."))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.suggestion_templates(actor, for_self=False)
        self.fields["org_unit"].queryset = org_access.visible_org_units(actor).filter(is_active=True)
        self.fields["job_family"].queryset = org_access.visible_job_families(actor)

    def clean(self):
        data = super().clean()
        raw = (data.get("numbers") or "").replace("，", ",").replace(",", " ").split()
        data["numbers"] = list(dict.fromkeys(n.strip() for n in raw if n.strip()))
        if not any(data.get(k) for k in ("org_unit", "job_family", "hired_from", "hired_until", "numbers")):
            raise forms.ValidationError(_("Say who is in the cohort: an org unit, a job family, hire dates or "
                                          "employee numbers."))
        return data

    def cohort_filters(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k) for k in ("org_unit", "job_family", "hired_from", "hired_until", "numbers")}
