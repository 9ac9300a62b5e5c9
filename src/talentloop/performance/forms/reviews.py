"""Forms of the review cycle pages: cycles, peers, my reviews, calibration, final ratings and appeals."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from talentloop.core.widgets import DateInput
from talentloop.organisation.access import visible_employees, visible_org_units
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance import access
from talentloop.performance import selectors_reviews as sel
from talentloop.performance.models import Appeal, PotentialLevel, RaterKind

PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"


def rating_field(label, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, min_value=Decimal(1), max_value=Decimal(5),
                              max_digits=2, decimal_places=1,
                              widget=forms.NumberInput(attrs={"step": "0.1", "min": "1", "max": "5",
                                                              "inputmode": "decimal"}))


class CycleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    period_key = forms.RegexField(label=gettext_lazy("Period"), regex=PERIOD_PATTERN, max_length=8,
                                  help_text=gettext_lazy("YYYY-MM, YYYY-Qn or YYYY, e.g. 2026-Q1"),
                                  error_messages={"invalid": gettext_lazy("Use YYYY-MM, YYYY-Qn or YYYY.")})
    org_unit = forms.ModelChoiceField(label=gettext_lazy("People reviewed"), queryset=OrgUnit.objects.none(),
                                      required=False,
                                      empty_label=gettext_lazy("The whole organisation"))
    self_due = forms.DateField(label=gettext_lazy("Self reviews due"), widget=DateInput)
    peer_due = forms.DateField(label=gettext_lazy("Peer reviews due"), widget=DateInput)
    manager_due = forms.DateField(label=gettext_lazy("Manager reviews due"), widget=DateInput)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = visible_org_units(actor).filter(is_active=True).order_by("path")


class PeerForm(forms.Form):
    peer = EmployeeRefField(label=gettext_lazy("Colleague"), queryset=Employee.objects.none(), scope="colleagues")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["peer"].queryset = (access.feedback_colleagues(actor) if actor.employee is not None
                                        else visible_employees(actor))


class MyReviewFilterForm(forms.Form):
    show = forms.ChoiceField(label=gettext_lazy("Show"), required=False, choices=[
        ("to_write", gettext_lazy("To write")), ("done", gettext_lazy("Submitted or closed")),
        ("all", pgettext_lazy("reviews", "All"))])
    cycle = forms.TypedChoiceField(label=gettext_lazy("Cycle"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False,
                             choices=[("", pgettext_lazy("reviews", "Any kind")), *RaterKind.choices])
    q = forms.CharField(label=gettext_lazy("Person"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": gettext_lazy("Name, pinyin or number")}))

    def __init__(self, *args, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [("", pgettext_lazy("reviews", "Any cycle"))] + [
            (c.pk, f"{c.name} · {c.period_key}") for c in cycles]

    def filters(self) -> sel.MyReviewFilters:
        if not self.is_valid():
            return sel.MyReviewFilters()
        d = self.cleaned_data
        return sel.MyReviewFilters(show=d["show"] or "to_write", cycle=d["cycle"], kind=d["kind"], search=d["q"])


class ReviewForm(forms.Form):
    rating = rating_field(gettext_lazy("Overall rating (1–5)"))
    comment = forms.CharField(label=gettext_lazy("What went well"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    improvements = forms.CharField(label=gettext_lazy("What could be better"), required=False, max_length=4000,
                                   widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, dimensions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.dimension_keys = [key for key, _name in dimensions]
        fields = {}
        for key, name in dimensions:
            fields[f"dim_{key}"] = rating_field(_("%(dimension)s (1–5)") % {"dimension": name})
        self.fields = {**fields, **self.fields}

    def dimension_ratings(self) -> dict:
        return {key: self.cleaned_data.get(f"dim_{key}") for key in self.dimension_keys}


class CalibrationForm(forms.Form):
    rating = rating_field(gettext_lazy("Final rating"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)
    potential = forms.ChoiceField(label=gettext_lazy("Potential"), required=False,
                                  choices=[("", "—"), *PotentialLevel.choices])


class AppealForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why should the rating be looked at again?"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=gettext_lazy("Name the facts the rating misses. Your manager or HR answers."))


class AppealAnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Appeal.Outcome.choices, widget=forms.RadioSelect)
    rating = rating_field(gettext_lazy("New final rating (when changed)"))
    answer = forms.CharField(label=gettext_lazy("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=gettext_lazy("The employee reads this answer."))
