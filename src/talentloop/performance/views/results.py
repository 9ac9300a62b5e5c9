"""Work result pages: submit from the phone, my results, the manager's queue, a result with its
attachments, HR's settings. Each view: parse with a form, fetch through ``selectors_results`` or
``access``, call one service, render."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import require as _require
from talentloop.organisation.access import visible_employees
from talentloop.performance import access, selectors_results
from talentloop.performance import periods as P
from talentloop.performance.forms_results import SUBMIT_FORMS, DecisionForm, ListForm, SettingsForm
from talentloop.performance.models import WorkResultKind
from talentloop.performance.services import results as services

PAGE_SIZE = 20


def _kinds(current: str) -> list[dict]:
    return [{"key": k, "label": label, "current": k == current} for k, label in WorkResultKind.choices]


def _safe_next(request, value: str, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return default


@login_required
@require_http_methods(["GET", "POST"])
def result_submit(request):
    actor = request.actor
    _require(access.can_submit_work_result(actor))
    kind = request.POST.get("kind") or request.GET.get("kind") or WorkResultKind.CUSTOMER_FEEDBACK
    if kind not in SUBMIT_FORMS:
        kind = WorkResultKind.CUSTOMER_FEEDBACK
    form_class = SUBMIT_FORMS[kind]
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                result = services.work_result_submit(actor=actor, kind=kind, **data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                if result.auto_confirmed:
                    messages.success(request, _("Thank you. Your result was recorded."))
                else:
                    messages.success(request, _("Thank you. Your manager has been asked to confirm it."))
                return HttpResponseRedirect(reverse("performance:result-detail", args=[result.pk]))
        status = 422 if getattr(request, "htmx", False) else 200
    else:
        form = form_class()
    return TemplateResponse(request, "performance/results/submit.html",
                            {"form": form, "kind": kind, "kinds": _kinds(kind)}, status=status)


@login_required
@require_GET
def result_list(request):
    actor = request.actor
    form = ListForm(request.GET or None)
    status, page = "", 1
    if form.is_valid():
        status = form.cleaned_data["status"] or ""
        page = form.cleaned_data["page"] or 1
    results, count = selectors_results.my_work_results(actor, status=status, limit=PAGE_SIZE,
                                                       offset=(page - 1) * PAGE_SIZE)
    context = {"results": results, "count": count, "status": status, "page": page,
               "pages": max(1, math.ceil(count / PAGE_SIZE)), "can_submit": access.can_submit_work_result(actor),
               "pending_to_confirm": selectors_results.work_results_pending_count(actor)}
    return TemplateResponse(request, "performance/results/list.html", context)


def _with_form(result, form: DecisionForm | None = None):
    result.decision_form = form or DecisionForm(auto_id=f"id_%s_{result.pk}")
    return result


@login_required
@require_GET
def result_queue(request):
    actor = request.actor
    form = ListForm(request.GET or None)
    page = form.cleaned_data["page"] or 1 if form.is_valid() else 1
    results, count = selectors_results.work_result_queue_page(actor, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    for r in results:
        r.can_decide = True
        _with_form(r)
    return TemplateResponse(request, "performance/results/queue.html",
                            {"results": results, "count": count, "page": page,
                             "pages": max(1, math.ceil(count / PAGE_SIZE))})


@login_required
@require_GET
def result_detail(request, pk: int):
    result = selectors_results.work_result_get(request.actor, pk)
    _require(result is not None)
    return TemplateResponse(request, "performance/results/detail.html", {"result": _with_form(result)})


def _decide(request, pk: int, service, done: str):
    actor = request.actor
    result = selectors_results.work_result_get(actor, pk)
    _require(result is not None and result.can_decide)
    form = DecisionForm(request.POST, auto_id=f"id_%s_{result.pk}")
    htmx = getattr(request, "htmx", False)
    if form.is_valid():
        try:
            result = service(actor=actor, result=result, note=form.cleaned_data["note"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            if htmx:
                # The decided card replaces itself; the queue's count follows out of band.
                result.can_decide = False
                return TemplateResponse(request, "performance/results/_decided.html",
                                        {"result": result, "queue": True, "done": done,
                                         "count": selectors_results.work_results_pending_count(actor)})
            messages.success(request, done)
            return HttpResponseRedirect(_safe_next(request, form.cleaned_data.get("next") or "",
                                                   reverse("performance:result-queue")))
    _with_form(result, form)
    if htmx:
        return TemplateResponse(request, "performance/results/_card.html", {"result": result, "queue": True},
                                status=422)
    return TemplateResponse(request, "performance/results/detail.html", {"result": result})


@login_required
@require_POST
def result_confirm(request, pk: int):
    return _decide(request, pk, services.work_result_confirm, _("The result was confirmed."))


@login_required
@require_POST
def result_reject(request, pk: int):
    return _decide(request, pk, services.work_result_reject, _("The result was rejected."))


@login_required
@require_GET
def result_person(request, pk: int):
    """A person's confirmed results — the evidence behind their scores, for them, whoever manages
    them and reviewers in their chain (``?period=2026-11``, ``2026-Q4`` or ``2026`` narrows it)."""
    actor = request.actor
    employee = visible_employees(actor).select_related("org_unit").filter(pk=pk).first()
    _require(employee is not None and (access.is_self(actor, employee) or access.manages(actor, employee)))
    period = None
    key = request.GET.get("period", "")
    if key:
        try:
            period = P.parse(key)
        except ValueError:
            period = None
    results = selectors_results.work_results_evidence(actor, employee, start=period.start if period else None,
                                                      end=period.end if period else None, limit=50)
    return TemplateResponse(request, "performance/results/person.html",
                            {"employee": employee, "results": results, "period": period})


@login_required
@require_POST
def result_withdraw(request, pk: int):
    actor = request.actor
    result = selectors_results.work_result_get(actor, pk)
    _require(result is not None and result.can_withdraw)
    try:
        services.work_result_withdraw(actor=actor, result=result)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The result was withdrawn."))
    return HttpResponseRedirect(reverse("performance:result-detail", args=[result.pk]))


@login_required
@require_GET
def result_attachment(request, pk: int, aid: int):
    attachment = selectors_results.work_result_attachment_get(request.actor, pk, aid)
    _require(attachment is not None)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def result_settings(request):
    actor = request.actor
    _require(access.can_manage_work_result_settings(actor))
    rows = selectors_results.work_result_settings_list(actor)
    initial = {}
    for row in rows:
        initial[f"{row.kind}_trusted"] = row.trusted
        initial[f"{row.kind}_metric"] = row.metric_id
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                services.work_result_settings_update(actor=actor, values=form.values())
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The work result settings were saved."))
                return HttpResponseRedirect(reverse("performance:result-settings"))
        status = 422 if getattr(request, "htmx", False) else 200
    else:
        form = SettingsForm(initial=initial, actor=actor)
    return TemplateResponse(request, "performance/results/settings.html", {"form": form}, status=status)
