"""Forms of the feedback and development plan pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.core.widgets import DateInput
from talentloop.organisation.access import visible_employees
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee
from talentloop.performance import access
from talentloop.performance.models import CheckIn, Feedback, ImprovementPlan

GOAL_ROWS = 3


def _colleague_field(label):
    return EmployeeRefField(label=label, queryset=Employee.objects.none(), scope="colleagues",
                            help_text=gettext_lazy("Type a name, its pinyin (e.g. wxm) or the employee number."))


class FeedbackForm(forms.Form):
    recipient = _colleague_field(gettext_lazy("To (colleague)"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Feedback.Kind.choices, widget=forms.RadioSelect,
                             initial=Feedback.Kind.PRAISE)
    visibility = forms.ChoiceField(label=gettext_lazy("Who sees it"), choices=Feedback.Visibility.choices,
                                   widget=forms.RadioSelect, initial=Feedback.Visibility.SHARED)
    text = forms.CharField(label=gettext_lazy("Feedback"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=gettext_lazy("Be specific: what happened, and what it changed."))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = access.feedback_colleagues(actor)


class FeedbackRequestForm(forms.Form):
    responder = _colleague_field(gettext_lazy("Ask (colleague)"))
    subject = EmployeeRefField(label=gettext_lazy("About"), queryset=Employee.objects.none(),
                               required=False,
                               help_text=gettext_lazy("Leave empty for feedback about yourself; managers may name "
                                            "someone in their team."))
    message = forms.CharField(label=gettext_lazy("Message"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responder"].queryset = access.feedback_colleagues(actor)

        self.fields["subject"].queryset = visible_employees(actor)
        if not actor.is_manager:
            del self.fields["subject"]


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("Any status")), *ImprovementPlan.Status.choices])
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": gettext_lazy("Person or title")}))


class PlanForm(forms.Form):
    employee = EmployeeRefField(label=gettext_lazy("For"), queryset=Employee.objects.none(), scope="managed")
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    reason = forms.CharField(label=gettext_lazy("Why this plan"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DateInput)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = access.managed_employees(actor).select_related("org_unit")
        for i in range(1, GOAL_ROWS + 1):
            self.fields[f"goal_{i}_title"] = forms.CharField(label=_("Goal %(n)s") % {"n": i}, max_length=200,
                                                             required=i == 1)
            self.fields[f"goal_{i}_measure"] = forms.CharField(label=_("How goal %(n)s is measured") % {"n": i},
                                                               max_length=300, required=False)
            self.fields[f"goal_{i}_due"] = forms.DateField(label=_("Goal %(n)s due") % {"n": i}, required=False,
                                                           widget=DateInput)

    def goals(self) -> list[dict]:
        data = self.cleaned_data
        return [{"title": data.get(f"goal_{i}_title", ""), "measure": data.get(f"goal_{i}_measure", ""),
                 "due": data.get(f"goal_{i}_due")} for i in range(1, GOAL_ROWS + 1)]


class CheckInForm(forms.Form):
    progress = forms.ChoiceField(label=gettext_lazy("Progress"), choices=CheckIn.Progress.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class GoalForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Goal"), max_length=200)
    measure = forms.CharField(label=gettext_lazy("How it is measured"), max_length=300, required=False)
    due = forms.DateField(label=gettext_lazy("Due"), required=False, widget=DateInput)


class PlanCloseForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("How did the plan end?"), choices=[
        c for c in ImprovementPlan.Status.choices if c[0] != ImprovementPlan.Status.ACTIVE])
    outcome_note = forms.CharField(label=gettext_lazy("Outcome"), max_length=4000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
