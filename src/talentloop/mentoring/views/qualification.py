"""Pages of mentor qualification: apply and see the screening, HR's policy editor, applications
inbox, "who qualifies now" with invitations, and the mentor directory and profiles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.mentoring import access, selectors
from talentloop.mentoring.forms import ApplyForm, InviteForm, MentorForm, PolicyForm, ReasonForm
from talentloop.mentoring.models import MentorApplication
from talentloop.mentoring.services import qualification as services

# ---------------------------------------------------------------- apply

LIST_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    actor = request.actor
    _require(access.can_apply_as_mentor(actor))
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.mentor_application_submit(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your application was screened and sent to HR."))
            return redirect("mentoring:application-detail", pk=application.pk)
    context = {"form": form, **selectors.my_application_state(actor)}
    if request.method == "POST":
        return _invalid(request, "mentoring/apply.html", context)
    return TemplateResponse(request, "mentoring/apply.html", context)


@login_required
@require_GET
def application_detail(request, pk: int):
    actor = request.actor
    application = selectors.application_get(actor, pk)
    _require(application is not None)
    return TemplateResponse(request, "mentoring/application_detail.html", {
        "application": application, "form": ReasonForm(),
        "rows": selectors.screening_rows(selectors.screening_for(actor, application.employee, application.screening)),
        "can_decide": application.status == MentorApplication.Status.SUBMITTED
        and access.can_decide_application(actor, application),
        "is_own": actor.employee is not None and application.employee_id == actor.employee.pk,
    })


@login_required
@require_POST
def application_withdraw(request, pk: int):
    actor = request.actor
    application = selectors.application_get(actor, pk)
    _require(application is not None and actor.employee is not None and application.employee_id == actor.employee.pk)
    try:
        services.mentor_application_withdraw(actor=actor, application=application)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("mentoring:apply")


def _decide(request, pk: int, approve: bool):
    actor = request.actor
    application = selectors.application_get(actor, pk)
    _require(application is not None and access.can_manage_mentoring(actor))
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if approve:
            services.mentor_application_approve(actor=actor, application=application, reason=reason)
        else:
            services.mentor_application_reject(actor=actor, application=application, reason=reason)
    except DomainError as exc:
        form_errors_from(form, exc)
        return _invalid(request, "mentoring/application_detail.html", {
            "application": application, "form": form, "is_own": False,
            "rows": selectors.screening_rows(selectors.screening_for(actor, application.employee,
                                                                     application.screening)),
            "can_decide": access.can_decide_application(actor, application)})
    messages.success(request, _("Application approved: %(name)s is now a mentor.") % {
        "name": application.employee.display_name} if approve else _("Application rejected."))
    return redirect("mentoring:application-list")


@login_required
@require_POST
def application_approve(request, pk: int):
    return _decide(request, pk, approve=True)


@login_required
@require_POST
def application_reject(request, pk: int):
    return _decide(request, pk, approve=False)


# ---------------------------------------------------------------- HR


@login_required
@require_GET
def application_list(request):
    actor = request.actor
    _require(access.can_manage_mentoring(actor))
    status = request.GET.get("status", MentorApplication.Status.SUBMITTED)
    if status not in MentorApplication.Status.values and status != "all":
        status = MentorApplication.Status.SUBMITTED
    page_obj = paginate(request, selectors.application_queryset(actor, None if status == "all" else status),
                        per_page=LIST_PER_PAGE)
    return TemplateResponse(request, "mentoring/application_list.html", {
        "applications": page_obj.object_list, "page_obj": page_obj,
        "status": status, "statuses": MentorApplication.Status.choices})


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    actor = request.actor
    _require(access.can_manage_mentoring(actor))
    current = selectors.policy_get(actor)
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            policy = services.mentor_policy_create(
                actor=actor, criteria=form.criteria(), allow_management_chain=d["allow_management_chain"],
                default_capacity=d["default_capacity"], reminder_days=d["reminder_days"],
                escalate_after_days=d["escalate_after_days"], note=d["note"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Mentor policy version %(v)s saved.") % {"v": policy.version})
            return redirect("mentoring:policy-edit")
    context = {"form": form, "current": current, "history": selectors.policy_history(actor)}
    if request.method == "POST":
        return _invalid(request, "mentoring/policy_form.html", context)
    return TemplateResponse(request, "mentoring/policy_form.html", context)


@login_required
@require_GET
def qualified_list(request):
    actor = request.actor
    _require(access.can_list_qualified(actor))
    policy, rows = selectors.qualified_list(actor)
    return TemplateResponse(request, "mentoring/qualified_list.html", {"policy": policy, "rows": rows,
                                                                       "form": InviteForm()})


@login_required
@require_POST
def qualified_invite(request):
    actor = request.actor
    _require(access.can_list_qualified(actor))
    ids = [int(v) for v in request.POST.getlist("employees") if str(v).isdigit()]
    form = InviteForm(request.POST, ids=ids)
    if form.is_valid():
        people = selectors.invite_candidates(actor, form.cleaned_data["employees"])
        try:
            created = services.mentor_invite(actor=actor, employees=people, message=form.cleaned_data["message"])
        except DomainError as exc:
            for msg in exc.errors.get("employees", [exc.detail]):
                messages.error(request, msg)
        else:
            messages.success(request, _("%(n)s invitation(s) sent.") % {"n": len(created)})
    else:
        messages.error(request, _("Choose at least one person to invite."))
    return redirect("mentoring:qualified-list")


# ---------------------------------------------------------------- mentors


@login_required
@require_GET
def mentor_list(request):
    actor = request.actor
    search = (request.GET.get("q") or "")[:60]
    page_obj = paginate(request, selectors.mentor_queryset(actor, search), per_page=LIST_PER_PAGE)
    return TemplateResponse(request, "mentoring/mentor_list.html", {
        "mentors": page_obj.object_list, "page_obj": page_obj, "q": search,
        "is_hr": access.can_manage_mentoring(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def mentor_detail(request, pk: int):
    actor = request.actor
    mentor = selectors.mentor_get(actor, pk)
    _require(mentor is not None)
    can_edit = access.can_edit_mentor(actor, mentor)
    if request.method == "POST":
        _require(can_edit)
    form = MentorForm(request.POST or None, actor=actor, mentor=mentor) if can_edit else None
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_update(actor=actor, mentor=mentor, data=form.service_data())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Mentor profile saved."))
            return redirect("mentoring:mentor-detail", pk=mentor.pk)
    context = {"mentor": mentor, "form": form,
               "plans": selectors.mentor_plans(actor, mentor) if can_edit or actor.is_admin else []}
    if request.method == "POST":
        return _invalid(request, "mentoring/mentor_detail.html", context)
    return TemplateResponse(request, "mentoring/mentor_detail.html", context)
