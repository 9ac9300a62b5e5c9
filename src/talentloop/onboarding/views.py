"""Onboarding pages: my onboarding (tick own steps with htmx), a checklist, the manager's team
onboarding, HR's checklists and templates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form, render_partial
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.onboarding import access, selectors, services
from talentloop.onboarding.forms import StartForm, TemplateForm, TickForm

STATUSES = (("open", gettext_lazy("Open")), ("done", gettext_lazy("Completed")), ("all", gettext_lazy("All")))


@login_required
@require_GET
def my_onboarding(request):
    actor = request.actor
    _require(access.can_view_own_onboarding(actor))
    summary = selectors.onboarding_summary(actor, actor.employee)
    return TemplateResponse(request, "onboarding/checklist.html", {"summary": summary, "mine": True})


@login_required
@require_GET
def checklist_detail(request, pk: int):
    actor = request.actor
    checklist = selectors.checklist_get(actor, pk)
    _require(checklist is not None)
    summary = selectors.checklist_summary(actor, checklist)
    return TemplateResponse(request, "onboarding/checklist.html",
                            {"summary": summary, "mine": access.is_self(actor, checklist.employee)})


def _tick(request, pk: int, tick: bool):
    actor = request.actor
    step = selectors.step_get(actor, pk)
    _require(step is not None)
    form = TickForm(request.POST)
    form.is_valid()
    try:
        if tick:
            services.step_tick(actor=actor, step=step, note=form.cleaned_data.get("note", ""))
        else:
            services.step_untick(actor=actor, step=step)
    except DomainError as exc:
        if exc.status == 403:  # a step the persona may not tick is a 404, like one they cannot see
            raise Http404 from exc
        messages.error(request, exc.detail)
    checklist = selectors.checklist_get(actor, step.checklist_id)
    if not getattr(request, "htmx", False):
        if access.is_self(actor, checklist.employee):
            return redirect("onboarding:my-onboarding")
        return redirect("onboarding:checklist-detail", pk=checklist.pk)
    summary = selectors.checklist_summary(actor, checklist)
    return render_partial(request, "onboarding/checklist.html",
                          {"summary": summary, "mine": access.is_self(actor, checklist.employee)}, partial="checklist")


@login_required
@require_POST
def step_tick(request, pk: int):
    return _tick(request, pk, True)


@login_required
@require_POST
def step_untick(request, pk: int):
    return _tick(request, pk, False)


@login_required
@require_GET
def team_onboarding(request):
    actor = request.actor
    _require(access.can_view_team(actor))
    return TemplateResponse(request, "onboarding/team.html",
                            {"rows": selectors.team_onboarding(actor, actor.employee),
                             "can_start": access.can_start_checklist(actor)})


CHECKLISTS_PER_PAGE = 50


@login_required
@require_GET
def checklist_list(request):
    actor = request.actor
    _require(access.can_list_checklists(actor))
    status = request.GET.get("status", "open")
    if status not in dict(STATUSES):
        status = "open"
    q = request.GET.get("q", "")[:100]
    page_obj = paginate(request, selectors.checklist_queryset(actor, status=status, search=q),
                        per_page=CHECKLISTS_PER_PAGE)
    return TemplateResponse(request, "onboarding/checklist_list.html", {
        "checklists": selectors.checklist_rows(list(page_obj.object_list)), "page_obj": page_obj, "q": q,
        "status": status, "statuses": STATUSES, "can_start": access.can_start_checklist(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def checklist_start(request):
    actor = request.actor
    _require(access.can_start_checklist(actor))
    form = StartForm(request.POST or None, actor=actor,
                     initial={"start_date": timezone.localdate(), "employee": request.GET.get("employee", "")[:32]})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            checklist = services.checklist_start(actor=actor, employee=d["employee"], template=d.get("template"),
                                                 start_date=d["start_date"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Onboarding started for %(name)s.") % {"name": d["employee"].display_name})
            return redirect("onboarding:checklist-detail", pk=checklist.pk)
    context = {"form": form}
    if request.method == "POST":
        return invalid_form(request, "onboarding/start.html", context)
    return TemplateResponse(request, "onboarding/start.html", context)


@login_required
@require_GET
def template_list(request):
    actor = request.actor
    _require(access.can_manage_onboarding(actor))
    return TemplateResponse(request, "onboarding/template_list.html", {"templates": selectors.template_list(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_onboarding(actor))
    template = selectors.template_get(actor, pk) if pk else None
    _require(pk is None or template is not None)
    form = TemplateForm(request.POST or None, initial=TemplateForm.initial_from(template))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.checklist_template_save(actor=actor, template=template, **form.service_data())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.label})
            return redirect("onboarding:template-list")
    context = {"form": form, "template": template}
    if request.method == "POST":
        return invalid_form(request, "onboarding/template_form.html", context)
    return TemplateResponse(request, "onboarding/template_form.html", context)


@login_required
@require_POST
def template_delete(request, pk: int):
    actor = request.actor
    _require(access.can_manage_onboarding(actor))
    template = selectors.template_get(actor, pk)
    _require(template is not None)
    services.checklist_template_delete(actor=actor, template=template)
    messages.success(request, _("Template deleted; checklists made from it keep their steps."))
    return redirect("onboarding:template-list")
