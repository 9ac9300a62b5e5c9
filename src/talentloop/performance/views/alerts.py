"""Pages for decline alerts (the manager's list and detail, HR's rules) and root-cause reviews.

Each view: parse the input with a form, fetch through ``access``/``selectors_alerts``, call one
service, render. The forms live here because nothing else uses them.
"""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import require as _require
from talentloop.performance import access, selectors_alerts
from talentloop.performance.forms.alerts import (
    AlertRuleForm,
    DecisionForm,
    ListForm,
    NoteForm,
    ResolveForm,
    RootCauseSettingsForm,
)
from talentloop.performance.services import alerts as alert_services
from talentloop.performance.services import rootcause as rootcause_services

PAGE_SIZE = 25


def _status(status: int, request) -> int:
    """A form with errors: 422 for htmx, 200 for a plain form post."""
    return status if getattr(request, "htmx", False) else 200


# ---------------------------------------------------------------- forms


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
