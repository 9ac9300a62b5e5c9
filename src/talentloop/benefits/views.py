"""Benefits pages: one's own plans on the phone (join and leave during open windows), and for HR,
payroll and administrators the plans, their windows and each plan's enrolments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.benefits import access, selectors, services
from talentloop.benefits.forms import BenefitPlanForm, EnrolmentWindowForm
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404, invalid_form
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate

# ------------------------------------------------------------------------------------------------ my benefits


@login_required
@require_GET
def my_benefits(request):
    actor = request.actor
    _require(access.can_use_benefits(actor))
    page = selectors.my_benefits(actor, timezone.localdate())
    return TemplateResponse(request, "benefits/mine.html", {"page": page, "can_manage": access.can_manage_plans(actor)})


@login_required
@require_POST
def enrol(request, pk: int):
    actor = request.actor
    _require(access.can_use_benefits(actor))
    plan = get_or_404(access.visible_plans(actor), pk=pk)
    try:
        row = services.enrolment_create(actor=actor, employee=actor.employee, plan=plan)
    except DomainError as exc:
        messages.error(request, "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.detail)
    else:
        month = row.start_month.strftime("%Y-%m")
        messages.success(request, _("You joined “%(plan)s” from %(month)s.") % {"plan": plan.label, "month": month})
    return redirect("benefits:mine")


@login_required
@require_POST
def cancel(request, pk: int):
    actor = request.actor
    _require(access.can_use_benefits(actor))
    row = selectors.enrolment_get(actor, pk)
    _require(row is not None and access.can_cancel_enrolment(actor, row))
    try:
        row = services.enrolment_cancel(actor=actor, enrolment=row)
    except DomainError as exc:
        messages.error(request, "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.detail)
    else:
        messages.success(request, _("You left “%(plan)s”.") % {"plan": row.plan.label})
    return redirect("benefits:mine")


# ------------------------------------------------------------------------------------------------ plans (HR)


@login_required
@require_GET
def plan_list(request):
    actor = request.actor
    _require(access.can_manage_plans(actor))
    return TemplateResponse(
        request, "benefits/plan_list.html", {"plans": selectors.plan_list(actor), "today": timezone.localdate()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_plans(actor))
    plan = selectors.plan_get(actor, pk) if pk else None
    _require(pk is None or plan is not None)
    form = BenefitPlanForm(request.POST or None, initial=BenefitPlanForm.initial_from(plan))
    if request.method == "POST" and form.is_valid():
        try:
            saved, _created = services.benefit_plan_save(actor=actor, plan=plan, **form.service_args())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Plan “%(name)s” saved.") % {"name": saved.label})
            return redirect("benefits:plan-list")
    context = {"form": form, "plan": plan, "window_form": EnrolmentWindowForm() if plan else None}
    if request.method == "POST":
        return invalid_form(request, "benefits/plan_form.html", context)
    return TemplateResponse(request, "benefits/plan_form.html", context)


@login_required
@require_POST
def window_create(request, pk: int):
    actor = request.actor
    _require(access.can_manage_plans(actor))
    plan = selectors.plan_get(actor, pk)
    _require(plan is not None)
    window_form = EnrolmentWindowForm(request.POST)
    if window_form.is_valid():
        try:
            services.enrolment_window_create(actor=actor, plan=plan, **window_form.cleaned_data)
        except DomainError as exc:
            form_errors_from(window_form, exc)
        else:
            messages.success(request, _("Enrolment window added."))
            return redirect("benefits:plan-edit", pk=plan.pk)
    form = BenefitPlanForm(initial=BenefitPlanForm.initial_from(plan))
    return invalid_form(request, "benefits/plan_form.html", {"form": form, "plan": plan, "window_form": window_form})


@login_required
@require_GET
def plan_enrolments(request, pk: int):
    actor = request.actor
    _require(access.can_manage_plans(actor))
    plan = selectors.plan_get(actor, pk)
    _require(plan is not None)
    page = paginate(request, selectors.enrolment_list(actor, plan=plan))
    return TemplateResponse(request, "benefits/enrolment_list.html", {"plan": plan, "page_obj": page})


urlpatterns = [
    path("", my_benefits, name="mine"),
    path("plans/<int:pk>/enrol/", enrol, name="plan-enrol"),
    path("enrolments/<int:pk>/cancel/", cancel, name="enrolment-cancel"),
    path("plans/", plan_list, name="plan-list"),
    path("plans/new/", plan_edit, name="plan-create"),
    path("plans/<int:pk>/", plan_edit, name="plan-edit"),
    path("plans/<int:pk>/windows/new/", window_create, name="window-create"),
    path("plans/<int:pk>/enrolments/", plan_enrolments, name="plan-enrolments"),
]
