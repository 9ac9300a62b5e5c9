"""Pages of programmes and plans: templates, the plan builder, the plan page with its schedule,
recording a 1:1 / assessment / report, HR's plan inbox, my mentoring (mentee), my mentees (mentor)
and the manager's overdue items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.mentoring import access, selectors
from talentloop.mentoring.forms import ITEM_FORMS, CommentForm, PlanCreateForm, PlanEditForm, TemplateForm
from talentloop.mentoring.models import PlanStatus
from talentloop.mentoring.services import cadence as cadence_services
from talentloop.mentoring.services import programmes as services

# ---------------------------------------------------------------- templates


@login_required
@require_GET
def template_list(request):
    actor = request.actor
    return TemplateResponse(request, "mentoring/template_list.html", {
        "templates": selectors.template_list(actor), "can_manage": access.can_manage_mentoring(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_mentoring(actor))
    template = selectors.template_get(actor, pk) if pk else None
    _require(pk is None or template is not None)
    form = TemplateForm(request.POST or None, initial=TemplateForm.initial_from(template))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.programme_template_save(actor=actor, template=template, **form.service_data())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Programme “%(name)s” saved.") % {"name": saved.label})
            return redirect("mentoring:template-list")
    context = {"form": form, "template": template}
    if request.method == "POST":
        return _invalid(request, "mentoring/template_form.html", context)
    return TemplateResponse(request, "mentoring/template_form.html", context)


# ---------------------------------------------------------------- plans


PLANS_PER_PAGE = 50


@login_required
@require_GET
def plan_list(request):
    """HR's inbox of plans (default: waiting for approval) and every plan in their scope."""
    actor = request.actor
    _require(access.can_manage_mentoring(actor) or actor.is_admin)
    status = request.GET.get("status", PlanStatus.SUBMITTED)
    if status not in PlanStatus.values and status != "all":
        status = PlanStatus.SUBMITTED
    q = request.GET.get("q", "")[:100]
    page_obj = paginate(request, selectors.plan_queryset(actor, None if status == "all" else status, search=q),
                        per_page=PLANS_PER_PAGE)
    return TemplateResponse(request, "mentoring/plan_list.html", {
        "plans": page_obj.object_list, "page_obj": page_obj, "status": status, "q": q,
        "statuses": PlanStatus.choices})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    actor = request.actor
    _require(access.can_start_plan(actor))
    initial = {"starts_on": timezone.localdate(), "mentee": request.GET.get("mentee", "")[:32]}
    form = PlanCreateForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.mentoring_plan_create(actor=actor, mentor=d["mentor"], mentee=d["mentee"],
                                                  template=d["template"], starts_on=d["starts_on"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Draft plan created from the programme; tailor it and submit it."))
            return redirect("mentoring:plan-edit", pk=plan.pk)
    context = {"form": form}
    if request.method == "POST":
        return _invalid(request, "mentoring/plan_create.html", context)
    return TemplateResponse(request, "mentoring/plan_create.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    actor = request.actor
    plan = selectors.plan_get(actor, pk)
    _require(plan is not None and access.can_edit_plan(actor, plan))
    topics = selectors.plan_topics(actor, plan)
    form = PlanEditForm(request.POST or None, initial=PlanEditForm.initial_from(plan, topics))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.mentoring_plan_update(actor=actor, plan=plan, goals=d["goals"], topics=d["topics"],
                                           starts_on=d["starts_on"], duration_months=d["duration_months"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("mentoring:plan-detail", pk=plan.pk)
    context = {"form": form, "plan": plan, "core_topics": [t for t in topics if t.core]}
    if request.method == "POST":
        return _invalid(request, "mentoring/plan_edit.html", context)
    return TemplateResponse(request, "mentoring/plan_edit.html", context)


@login_required
@require_GET
def plan_detail(request, pk: int):
    actor = request.actor
    plan = selectors.plan_get(actor, pk)
    _require(plan is not None)
    return TemplateResponse(request, "mentoring/plan_detail.html",
                            {**selectors.plan_detail(actor, plan), "comment_form": CommentForm()})


def _plan_action(request, pk: int, action: str):
    actor = request.actor
    plan = selectors.plan_get(actor, pk)
    _require(plan is not None)
    form = CommentForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if action == "submit":
            services.mentoring_plan_submit(actor=actor, plan=plan)
            messages.success(request, _("Plan submitted to HR for approval."))
        elif action == "approve":
            services.mentoring_plan_approve(actor=actor, plan=plan, comment=comment)
            messages.success(request, _("Plan approved; its schedule was generated."))
        elif action == "return":
            services.mentoring_plan_return(actor=actor, plan=plan, comment=comment)
            messages.success(request, _("Plan returned to the mentor."))
        else:
            services.mentoring_plan_cancel(actor=actor, plan=plan, reason=comment)
            messages.success(request, _("Plan cancelled."))
    except DomainError as exc:
        if exc.status == 403:  # a page the persona may not use is a 404
            raise Http404 from exc
        form_errors_from(form, exc)
        context = {**selectors.plan_detail(actor, plan), "comment_form": form}
        return _invalid(request, "mentoring/plan_detail.html", context)
    return redirect("mentoring:plan-detail", pk=plan.pk)


@login_required
@require_POST
def plan_submit(request, pk: int):
    return _plan_action(request, pk, "submit")


@login_required
@require_POST
def plan_approve(request, pk: int):
    return _plan_action(request, pk, "approve")


@login_required
@require_POST
def plan_return(request, pk: int):
    return _plan_action(request, pk, "return")


@login_required
@require_POST
def plan_cancel(request, pk: int):
    return _plan_action(request, pk, "cancel")


@login_required
@require_http_methods(["GET", "POST"])
def item_complete(request, pk: int):
    """Record what completes an item: a 1:1, a skill score or a report."""
    actor = request.actor
    item = selectors.item_get(actor, pk)
    _require(item is not None and access.can_complete_item(actor, item))
    form_class = ITEM_FORMS[item.kind]
    today = timezone.localdate()
    initial = {"held_on": today, "assessed_on": today}
    form = form_class(request.POST or None, plan=item.plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cadence_services.plan_item_complete(actor=actor, item=item, data=form.service_data())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Recorded: %(item)s.") % {"item": item.get_kind_display()})
            return redirect("mentoring:plan-detail", pk=item.plan_id)
    context = {"form": form, "item": item, "plan": item.plan}
    if request.method == "POST":
        return _invalid(request, "mentoring/item_complete.html", context)
    return TemplateResponse(request, "mentoring/item_complete.html", context)


# ---------------------------------------------------------------- personal pages


@login_required
@require_GET
def my_mentoring(request):
    actor = request.actor
    _require(access.can_view_own_mentoring(actor))
    return TemplateResponse(request, "mentoring/my_mentoring.html", selectors.my_mentoring(actor))


@login_required
@require_GET
def my_mentees(request):
    actor = request.actor
    data = selectors.my_mentees(actor)
    _require(data["mentor"] is not None)
    return TemplateResponse(request, "mentoring/my_mentees.html", data)


@login_required
@require_GET
def overdue_list(request):
    actor = request.actor
    _require(access.can_view_overdue(actor))
    page_obj = paginate(request, selectors.overdue_queryset(actor), per_page=PLANS_PER_PAGE)
    return TemplateResponse(request, "mentoring/overdue_list.html",
                            {"items": page_obj.object_list, "page_obj": page_obj})
