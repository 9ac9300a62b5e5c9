"""Pages for decline alerts (the manager's list and detail, HR's rules) and root-cause reviews.

Each view: parse the input with a form, fetch through ``access``/``selectors_alerts``, call one
service, render. The forms live here because nothing else uses them.
"""

from __future__ import annotations

import math

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.access import Actor
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import require as _require
from talentloop.organisation.access import visible_org_units
from talentloop.organisation.models import OrgUnit
from talentloop.performance import access, selectors_alerts
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
from talentloop.performance.services import alerts as alert_services
from talentloop.performance.services import rootcause as rootcause_services

PAGE_SIZE = 25



def _status(status: int, request) -> int:
    """A form with errors: 422 for htmx, 200 for a plain form post."""
    return status if getattr(request, "htmx", False) else 200


# ---------------------------------------------------------------- forms


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


def _with_forms(alert, note_form: NoteForm | None = None, resolve_form: ResolveForm | None = None):
    """Each alert card carries its own forms, with element ids of its own (a list has many cards)."""
    auto_id = f"id_%s_{alert.pk}"
    alert.note_form = note_form or NoteForm(auto_id=auto_id, initial={"note": alert.action_note})
    alert.resolve_form = resolve_form or ResolveForm(auto_id=f"id_resolve_%s_{alert.pk}")
    return alert


def _safe_next(request, value: str, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return default


# ---------------------------------------------------------------- alerts


@login_required
@require_GET
def alert_list(request):
    actor = request.actor
    form = ListForm(request.GET or None)
    status, page = "open", 1
    if form.is_valid():
        status = form.cleaned_data["status"] if form.cleaned_data["status"] in ("open", "closed", "all") else "open"
        page = form.cleaned_data["page"] or 1
    alerts, count = selectors_alerts.alert_list(actor, status=status, limit=PAGE_SIZE,
                                                offset=(page - 1) * PAGE_SIZE)
    notices, unread = selectors_alerts.notice_list(actor)
    context = {"alerts": [_with_forms(a) for a in alerts], "count": count, "status": status, "page": page,
               "pages": max(1, math.ceil(count / PAGE_SIZE)), "notices": notices, "unread": unread,
               "can_manage_rules": access.can_manage_alert_rules(actor)}
    return TemplateResponse(request, "performance/alerts/list.html", context)


@login_required
@require_GET
def alert_detail(request, pk: int):
    alert = selectors_alerts.alert_get(request.actor, pk)
    _require(alert is not None)
    return TemplateResponse(request, "performance/alerts/detail.html", {
        "alert": _with_forms(alert), "detail": True, "history": selectors_alerts.alert_history(alert)})


def _alert_action(request, pk: int, form_class, service, done: str):
    actor = request.actor
    alert = selectors_alerts.alert_get(actor, pk)
    _require(alert is not None and alert.can_handle)
    prefix = "id_%s_" if form_class is NoteForm else "id_resolve_%s_"
    form = form_class(request.POST, auto_id=f"{prefix}{alert.pk}")
    default = reverse("performance:alert-detail", args=[alert.pk])
    detail = request.POST.get("detail") == "1"
    if form.is_valid():
        try:
            alert = service(actor=actor, alert=alert, note=form.cleaned_data["note"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            if getattr(request, "htmx", False):
                alert.can_handle = True
                return TemplateResponse(request, "performance/alerts/_alert_card.html",
                                        {"alert": _with_forms(alert), "detail": detail})
            messages.success(request, done)
            return HttpResponseRedirect(_safe_next(request, form.cleaned_data.get("next") or "", default))
    if form_class is NoteForm:
        _with_forms(alert, note_form=form)
    else:
        _with_forms(alert, resolve_form=form)
    if getattr(request, "htmx", False):
        return TemplateResponse(request, "performance/alerts/_alert_card.html", {"alert": alert, "detail": detail},
                                status=422)
    return TemplateResponse(request, "performance/alerts/detail.html", {"alert": alert, "detail": True},
                            status=_status(422, request))


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    return _alert_action(request, pk, NoteForm, alert_services.alert_acknowledge,
                         _("The alert was acknowledged."))


@login_required
@require_POST
def alert_resolve(request, pk: int):
    return _alert_action(request, pk, ResolveForm, alert_services.alert_resolve, _("The alert was resolved."))


@login_required
@require_POST
def notices_read(request):
    actor = request.actor
    _require(actor.employee is not None)
    alert_services.notices_mark_read(actor=actor)
    return redirect("performance:alert-list")


# ---------------------------------------------------------------- HR's rules


@login_required
@require_GET
def alert_rule_list(request):
    actor = request.actor
    _require(access.can_view_alert_rules(actor))
    return TemplateResponse(request, "performance/alerts/rule_list.html",
                            {"rules": selectors_alerts.alert_rule_list(actor),
                             "can_manage": access.can_manage_alert_rules(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def alert_rule_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_alert_rules(actor))
    rule = selectors_alerts.alert_rule_get(actor, pk) if pk is not None else None
    _require(pk is None or rule is not None)
    initial = {f: getattr(rule, f) for f in alert_services.RULE_FIELDS} if rule else None
    form = AlertRuleForm(request.POST or None, initial=initial, actor=actor)
    context = {"form": form, "rule": rule}
    if request.method == "POST":
        if form.is_valid():
            try:
                alert_services.alert_rule_save(actor=actor, rule=rule, data=form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Alert rule saved."))
                return redirect("performance:alert-rule-list")
        return TemplateResponse(request, "performance/alerts/rule_form.html", context,
                                status=_status(422, request))
    return TemplateResponse(request, "performance/alerts/rule_form.html", context)


# ---------------------------------------------------------------- root-cause reviews


@login_required
@require_GET
def root_cause_list(request):
    actor = request.actor
    form = ListForm(request.GET or None)
    status, page = "open", 1
    if form.is_valid():
        status = form.cleaned_data["status"] if form.cleaned_data["status"] in ("open", "decided", "all") \
            else "open"
        page = form.cleaned_data["page"] or 1
    reviews, count = selectors_alerts.root_cause_review_list(actor, status=status, limit=PAGE_SIZE,
                                                             offset=(page - 1) * PAGE_SIZE)
    return TemplateResponse(request, "performance/alerts/review_list.html", {
        "reviews": reviews, "count": count, "status": status, "page": page,
        "pages": max(1, math.ceil(count / PAGE_SIZE)), "can_tune": access.can_manage_alert_rules(actor)})


def _review_context(review, form) -> dict:
    return {"review": review, "causes": selectors_alerts.review_causes(review),
            "actions": selectors_alerts.review_actions(review), "form": form,
            "ctx": review.context or {}}


@login_required
@require_GET
def root_cause_detail(request, pk: int):
    review = selectors_alerts.root_cause_review_get(request.actor, pk)
    _require(review is not None)
    initial = {"decision": review.decision or (review.suggested_actions or [""])[0], "note": review.decision_note}
    return TemplateResponse(request, "performance/alerts/review_detail.html",
                            _review_context(review, DecisionForm(initial=initial)))


@login_required
@require_POST
def root_cause_decide(request, pk: int):
    actor = request.actor
    review = selectors_alerts.root_cause_review_get(actor, pk)
    _require(review is not None and review.can_decide)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            rootcause_services.root_cause_decide(actor=actor, review=review, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("performance:root-cause-detail", pk=review.pk)
    return TemplateResponse(request, "performance/alerts/review_detail.html", _review_context(review, form),
                            status=_status(422, request))


@login_required
@require_http_methods(["GET", "POST"])
def root_cause_settings(request):
    actor = request.actor
    _require(access.can_manage_alert_rules(actor))
    form = RootCauseSettingsForm(request.POST or None, instance=selectors_alerts.root_cause_settings_get(actor))
    if request.method == "POST":
        if form.is_valid():
            try:
                rootcause_services.root_cause_settings_save(actor=actor, data=form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Root-cause rules saved."))
                return redirect("performance:root-cause-settings")
        return TemplateResponse(request, "performance/alerts/settings_form.html", {"form": form},
                                status=_status(422, request))
    return TemplateResponse(request, "performance/alerts/settings_form.html", {"form": form})
