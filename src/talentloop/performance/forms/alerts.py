"""Forms of the alert and root-cause pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy, pgettext_lazy

from talentloop.core.access import Actor
from talentloop.organisation.access import visible_org_units
from talentloop.organisation.models import OrgUnit
from talentloop.performance import access
from talentloop.performance.models import (
    AlertBaseline,
    AlertWindow,
    Metric,
    RootCauseAction,
    RootCauseSettings,
    RulePeriodKind,
    SubjectKind,
    ThresholdKind,
)


class ListForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("open", "open"), ("closed", "closed"), ("all", "all"),
                                                        ("decided", "decided")])
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("What was done"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": gettext_lazy("Say what was done.")})
    next = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)


class ResolveForm(NoteForm):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AlertRuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=120, required=False)
    metric = forms.ModelChoiceField(label=gettext_lazy("Metric"), queryset=Metric.objects.none())
    org_unit = forms.ModelChoiceField(label=gettext_lazy("Only people in"), queryset=OrgUnit.objects.none(),
                                      required=False, empty_label=gettext_lazy("The whole organisation"))
    window = forms.ChoiceField(label=gettext_lazy("Compare"), choices=AlertWindow.choices)
    period_kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=RulePeriodKind.choices,
                                    help_text=gettext_lazy("For the latest complete period."))
    window_days = forms.IntegerField(label=gettext_lazy("Window (days)"), min_value=1, max_value=366, initial=7,
                                     help_text=gettext_lazy("For a rolling window: the N complete days before "
                                                            "the check, against the N days before them."))
    baseline = forms.ChoiceField(label=gettext_lazy("Against"), choices=AlertBaseline.choices)
    baseline_count = forms.IntegerField(label=gettext_lazy("K"), min_value=1, max_value=24, initial=3,
                                        help_text=gettext_lazy("How many periods or windows the mean covers."))
    threshold_kind = forms.ChoiceField(label=gettext_lazy("Threshold"), choices=ThresholdKind.choices)
    threshold = forms.DecimalField(label=gettext_lazy("Fire when worse by at least"), max_digits=20,
                                   decimal_places=6,
                                   help_text=gettext_lazy("A percentage of the baseline, or an amount in the "
                                                          "metric's unit."))
    notify_employee = forms.BooleanField(label=gettext_lazy("Also notify the employee"), required=False)
    is_active = forms.BooleanField(label=pgettext_lazy("switched on", "Active"), required=False, initial=True)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = access.visible_metrics(actor).filter(
            subject_kind=SubjectKind.EMPLOYEE, is_active=True).order_by("key")
        self.fields["org_unit"].queryset = visible_org_units(actor).filter(is_active=True).order_by("path")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=RootCauseAction.choices)
    note = forms.CharField(label=gettext_lazy("What was decided"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class RootCauseSettingsForm(forms.ModelForm):
    class Meta:
        model = RootCauseSettings
        fields = ["is_active", "period_kind", "consecutive_periods", "history_periods", "target_factor",
                  "resource_drop_pct", "workload_rise_pct", "skill_gap_pct", "new_joiner_share_pct", "tenure_days",
                  "headcount_metric", "hours_metric", "workload_metric", "skill_metric"]

    def _post_clean(self):
        """Model validation is the service's job (it also checks the metric keys)."""
