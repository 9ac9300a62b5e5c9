"""Feedback between colleagues, feedback requests and improvement plans."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.paging import paginate
from talentloop.performance import access
from talentloop.performance import selectors_reviews as sel
from talentloop.performance.forms.feedback import (
    CheckInForm,
    FeedbackForm,
    FeedbackRequestForm,
    GoalForm,
    PlanCloseForm,
    PlanFilterForm,
    PlanForm,
)
from talentloop.performance.models import ImprovementPlan, PlanGoal
from talentloop.performance.services import feedback as services
from talentloop.performance.views.reviews import _invalid, _require

# ---------------------------------------------------------------- feedback


FEEDBACK_PREVIEW = 10  # items of each box on the overview; "See all" pages the box
FEEDBACK_PER_PAGE = 25


@login_required
def feedback_list(request):
    actor = request.actor
    _require(actor.employee is not None)
    box = request.GET.get("box", "")
    if box in sel.FEEDBACK_BOXES:
        # One box in full, a page at a time, newest first.
        page_obj = paginate(request, sel.feedback_queryset(actor, box), per_page=FEEDBACK_PER_PAGE)
        return TemplateResponse(request, "performance/feedback/feedback_list.html",
                                {"box": box, "page_obj": page_obj, "items": page_obj.object_list})
    if box in sel.FEEDBACK_REQUEST_BOXES:
        # The requests to or from the actor in full, a page at a time, newest first.
        page_obj = paginate(request, sel.feedback_request_queryset(actor, box), per_page=FEEDBACK_PER_PAGE)
        return TemplateResponse(request, "performance/feedback/feedback_list.html",
                                {"box": box, "page_obj": page_obj, "items": page_obj.object_list})
    return TemplateResponse(request, "performance/feedback/feedback_list.html",
                            {"boxes": sel.feedback_boxes(actor), "preview": FEEDBACK_PREVIEW})


@login_required
@require_http_methods(["GET", "POST"])
def feedback_give(request):
    actor = request.actor
    _require(access.can_give_feedback(actor))
    answering = None
    if request.GET.get("request", "").isdigit():
        answering = get_or_404(access.visible_feedback_requests(actor).select_related("subject", "requester"),
                               pk=int(request.GET["request"]), responder_id=actor.employee.pk)
    initial = {}
    to = answering.subject if answering else None
    if to is None and request.GET.get("to", "").isdigit():
        to = access.feedback_colleagues(actor).filter(pk=int(request.GET["to"])).first()
    if to is not None:
        initial["recipient"] = to
    form = FeedbackForm(request.POST or None, actor=actor, initial=initial)
    context = {"form": form, "answering": answering}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.feedback_give(actor=actor, request=answering, **form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Your feedback was sent to %(name)s.")
                                 % {"name": form.cleaned_data["recipient"].display_name})
                return HttpResponseRedirect(reverse("performance:feedback-list"))
        return _invalid(request, "performance/feedback/feedback_form.html", context)
    return TemplateResponse(request, "performance/feedback/feedback_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def feedback_request(request):
    actor = request.actor
    _require(access.can_give_feedback(actor))
    form = FeedbackRequestForm(request.POST or None, actor=actor)
    context = {"form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.feedback_request_create(actor=actor, responder=form.cleaned_data["responder"],
                                                 subject=form.cleaned_data.get("subject"),
                                                 message=form.cleaned_data["message"])
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Your request was sent to %(name)s.")
                                 % {"name": form.cleaned_data["responder"].display_name})
                return HttpResponseRedirect(reverse("performance:feedback-list"))
        return _invalid(request, "performance/feedback/request_form.html", context)
    return TemplateResponse(request, "performance/feedback/request_form.html", context)


@login_required
@require_POST
def feedback_request_decline(request, pk: int):
    actor = request.actor
    req = get_or_404(access.visible_feedback_requests(actor), pk=pk)
    try:
        services.feedback_request_decline(actor=actor, request=req)
    except DomainError as exc:
        if exc.status == 403:
            raise Http404 from exc
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The request was declined."))
    return HttpResponseRedirect(reverse("performance:feedback-list"))


# ---------------------------------------------------------------- improvement plans


PLANS_PER_PAGE = 25


@login_required
def plan_list(request):
    """Improvement plans, active first then newest, filtered by status and person, a page at a time."""
    actor = request.actor
    _require(actor.employee is not None or actor.is_hr)
    form = PlanFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {"status": "", "q": ""}
    page_obj = paginate(request, sel.plan_queryset(actor, status=data["status"], search=data["q"]),
                        per_page=PLANS_PER_PAGE)
    context = {"plans": page_obj.object_list, "page_obj": page_obj, "form": form,
               "can_create": actor.is_manager or actor.is_hr}
    return TemplateResponse(request, "performance/feedback/plan_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    actor = request.actor
    _require(actor.is_manager or actor.is_hr)
    initial = {}
    if request.GET.get("employee", "").isdigit():
        initial["employee"] = access.managed_employees(actor).filter(pk=int(request.GET["employee"])).first()
    form = PlanForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.improvement_plan_create(
                    actor=actor, employee=data["employee"], title=data["title"], reason=data["reason"],
                    starts_on=data["starts_on"], ends_on=data["ends_on"], goals=form.goals())
            except DomainError as exc:
                exc.errors = {k.replace("goals.0.", "goal_1_").replace("goals.1.", "goal_2_")
                              .replace("goals.2.", "goal_3_"): v for k, v in exc.errors.items()}
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The improvement plan was set up."))
                return HttpResponseRedirect(reverse("performance:plan-detail", args=[plan.pk]))
        return _invalid(request, "performance/feedback/plan_form.html", {"form": form})
    return TemplateResponse(request, "performance/feedback/plan_form.html", {"form": form})


def _plan_page(request, plan, *, check_in_form=None, goal_form=None, close_form=None, status=200):
    actor = request.actor
    goals, check_ins = sel.plan_detail(actor, plan)
    can_manage = plan.status == ImprovementPlan.Status.ACTIVE and access.can_manage_improvement_plan(
        actor, plan.employee)
    context = {"plan": plan, "goals": goals, "check_ins": check_ins, "can_manage": can_manage,
               "can_check_in": access.can_check_in(actor, plan), "goal_statuses": PlanGoal.Status.choices,
               "check_in_form": check_in_form or CheckInForm(), "goal_form": goal_form or GoalForm(),
               "close_form": close_form or PlanCloseForm()}
    return TemplateResponse(request, "performance/feedback/plan_detail.html", context, status=status)


def _plan_or_404(request, pk: int) -> ImprovementPlan:
    plan = sel.plan_get(request.actor, pk)
    _require(plan is not None)
    return plan


@login_required
def plan_detail(request, pk: int):
    return _plan_page(request, _plan_or_404(request, pk))


def _plan_post(request, pk: int, form_class, form_key: str, call):
    """Shared body of the plan's small forms: validate, call the service, back to the plan."""
    plan = _plan_or_404(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(plan, form.cleaned_data)
        except DomainError as exc:
            if exc.status == 403:
                raise Http404 from exc
            form_errors_from(form, exc)
        else:
            return HttpResponseRedirect(reverse("performance:plan-detail", args=[plan.pk]))
    status = 422 if getattr(request, "htmx", False) else 200
    return _plan_page(request, plan, status=status, **{form_key: form})


@login_required
@require_POST
def plan_check_in(request, pk: int):
    def call(plan, data):
        services.check_in_add(actor=request.actor, plan=plan, **data)
        messages.success(request, _("Check-in added."))

    return _plan_post(request, pk, CheckInForm, "check_in_form", call)


@login_required
@require_POST
def plan_goal_add(request, pk: int):
    def call(plan, data):
        services.improvement_plan_goal_add(actor=request.actor, plan=plan, **data)
        messages.success(request, _("Goal added."))

    return _plan_post(request, pk, GoalForm, "goal_form", call)


@login_required
@require_POST
def plan_goal_status(request, pk: int, goal: int):
    actor = request.actor
    plan = _plan_or_404(request, pk)
    item = sel.plan_goal_get(actor, plan, goal)
    _require(item is not None)
    try:
        services.improvement_plan_goal_set_status(actor=actor, goal=item, status=request.POST.get("status", ""))
    except DomainError as exc:
        if exc.status == 403:
            raise Http404 from exc
        messages.error(request, exc.detail)
    return HttpResponseRedirect(reverse("performance:plan-detail", args=[plan.pk]))


@login_required
@require_POST
def plan_close(request, pk: int):
    def call(plan, data):
        services.improvement_plan_close(actor=request.actor, plan=plan, **data)
        messages.success(request, _("The plan was closed."))

    return _plan_post(request, pk, PlanCloseForm, "close_form", call)
