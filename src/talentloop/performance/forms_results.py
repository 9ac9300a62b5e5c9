"""Forms of the work result pages. They parse input only; the rules (scores, sizes, types, what a
kind needs) live in :mod:`talentloop.performance.services.results`, whose errors land on these
fields by name."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from talentloop.core.access import Actor
from talentloop.core.widgets import DateInput
from talentloop.performance import access
from talentloop.performance.models import SubjectKind, WorkResultKind
from talentloop.performance.services.results import ACCEPT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the phone's picker or camera adds them one by one)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [f for f in data if f]
        return [data] if data else []


class _ResultForm(forms.Form):
    occurred_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ProjectReportForm(_ResultForm):
    kind = WorkResultKind.PROJECT_REPORT
    title = forms.CharField(label=gettext_lazy("Project"), max_length=200)
    text = forms.CharField(label=gettext_lazy("What was delivered"), max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=gettext_lazy("Attachments"), required=False,
                              help_text=gettext_lazy("Photos, PDF, office documents or text; up to 5 files of "
                                                     "10 MB each."))


class CustomerFeedbackForm(_ResultForm):
    kind = WorkResultKind.CUSTOMER_FEEDBACK
    customer = forms.CharField(label=gettext_lazy("Customer"), max_length=200)
    score = forms.TypedChoiceField(label=gettext_lazy("Score"), coerce=int,
                                   choices=[(i, str(i)) for i in range(1, 6)], widget=forms.RadioSelect,
                                   help_text=gettext_lazy("1 = very unhappy, 5 = very happy"))
    comment = forms.CharField(label=gettext_lazy("What the customer said"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class SkillTestForm(_ResultForm):
    kind = WorkResultKind.SKILL_TEST
    skill = forms.SlugField(label=gettext_lazy("Skill"), max_length=60,
                            help_text=gettext_lazy("The skill's key, e.g. python"))
    test_name = forms.CharField(label=gettext_lazy("Test"), max_length=200, required=False)
    score = forms.IntegerField(label=gettext_lazy("Score (0–100)"), min_value=0, max_value=100)


SUBMIT_FORMS = {f.kind: f for f in (CustomerFeedbackForm, ProjectReportForm, SkillTestForm)}


class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (required to reject)"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    next = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)


class ListForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "")] + [(s, s) for s in
                                                                      ("pending", "confirmed", "rejected",
                                                                       "withdrawn")])
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)


class SettingsForm(forms.Form):
    """One form for the three kinds (a phone page with three small cards)."""

    project_report_trusted = forms.BooleanField(label=gettext_lazy("Trusted: confirmed when submitted"),
                                                required=False)
    project_report_metric = forms.ModelChoiceField(
        label=gettext_lazy("Count each report in metric"), queryset=None, required=False,
        empty_label=gettext_lazy("None (evidence only)"))
    customer_feedback_trusted = forms.BooleanField(label=gettext_lazy("Trusted: confirmed when submitted"),
                                                   required=False)
    customer_feedback_metric = forms.ModelChoiceField(
        label=gettext_lazy("Record the score in metric"), queryset=None, required=False,
        empty_label=gettext_lazy("None"))
    skill_test_trusted = forms.BooleanField(label=gettext_lazy("Trusted: confirmed when submitted"),
                                            required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        metrics = access.visible_metrics(actor).filter(subject_kind=SubjectKind.EMPLOYEE, is_active=True)
        self.fields["project_report_metric"].queryset = metrics.order_by("key")
        self.fields["customer_feedback_metric"].queryset = metrics.order_by("key")

    def values(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            WorkResultKind.PROJECT_REPORT: {"trusted": data["project_report_trusted"],
                                            "metric": data["project_report_metric"]},
            WorkResultKind.CUSTOMER_FEEDBACK: {"trusted": data["customer_feedback_trusted"],
                                               "metric": data["customer_feedback_metric"]},
            WorkResultKind.SKILL_TEST: {"trusted": data["skill_test_trusted"], "metric": None},
        }
