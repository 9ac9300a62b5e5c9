from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from talentloop.accounts import access as account_access
from talentloop.core.crypto import mask
from talentloop.core.errors import DomainError, InvalidInput
from talentloop.core.http import form_errors_from, get_or_404, render_partial
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.organisation import access, selectors, services, services_accounts
from talentloop.organisation.forms import (
    EmployeeAccountForm,
    EmployeeCreateForm,
    EmployeeEditForm,
    EmployeeFilterForm,
    EmploymentEventForm,
    JobFamilyForm,
    OrgUnitForm,
    PositionForm,
)

PAGE_SIZE = 25
_PK_SLOT = 987654321  # a stand-in id, replaced by each row's own in the links of the people list




@login_required
def me(request):
    _require(access.can_view_own_profile(request.actor))
    return employee_detail(request, request.actor.employee.pk)


@login_required
def employee_list(request):
    actor = request.actor
    _require(access.can_view_org_directory(actor))
    form = EmployeeFilterForm(request.GET or None, actor=actor)
    filters = selectors.EmployeeFilters()
    page = 1
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.EmployeeFilters(
            search=data["search"], org_unit=data["org_unit"].pk if data["org_unit"] else None,
            job_family=data["job_family"].pk if data["job_family"] else None, status=data["status"],
        )
        page = data.get("page") or 1
    items, count = selectors.directory_rows(actor, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    # One reverse() per page rather than one {% url %} per row: the profile link with each row's id.
    before, _slot, after = reverse("organisation:employee-detail", args=[_PK_SLOT]).partition(str(_PK_SLOT))
    for row in items:
        row.url = f"{before}{row.pk}{after}"
    pages = max(1, math.ceil(count / PAGE_SIZE))
    context = {"form": form, "employees": items, "count": count, "page": page, "pages": pages,
               "can_create": access.can_create_employee(actor)}
    return render_partial(request, "organisation/employee_list.html", context, partial="results")


@login_required
def employee_detail(request, pk: int):
    actor = request.actor
    employee = selectors.profile_get(actor, pk)
    _require(employee is not None)
    context = {
        "employee": employee,
        "events": selectors.profile_events(actor, employee),
        "reports": selectors.profile_reports(actor, employee),
        "contract": selectors.contract_section(actor, employee, services.today()),
        "can_manage": access.can_manage_employee(actor, employee),
        "can_view_sensitive": access.can_view_sensitive(actor, employee),
        "national_id_masked": mask(employee.national_id),
        "bank_account_masked": mask(employee.bank_account),
        "is_self": actor.employee is not None and actor.employee.pk == employee.pk,
        # HR and admins reach the person's account (reset code, roles) from the profile.
        "can_open_account": employee.user is not None and (
            account_access.can_manage_accounts(actor) or account_access.can_issue_reset_code(actor, employee.user)),
        # A new hire without a login gets one from here (HR covering them, or an administrator).
        "can_give_login": employee.user_id is None and employee.status != "terminated"
        and access.can_give_login(actor, employee),
        # A login whose owner never chose a password can be sent a new invitation.
        "can_invite": employee.user is not None and employee.status != "terminated"
        and not employee.user.has_usable_password() and bool(employee.user.email)
        and access.can_give_login(actor, employee),
    }
    return TemplateResponse(request, "organisation/employee_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def employee_create(request):
    actor = request.actor
    _require(access.can_create_employee(actor))
    form = EmployeeCreateForm(request.POST or None, actor=actor)
    if request.method == "POST":
        if form.is_valid():
            try:
                employee = services.employee_create(actor=actor, **form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": employee.display_name})
                return HttpResponseRedirect(reverse("organisation:employee-detail", args=[employee.pk]))
        return _invalid(request, "organisation/employee_form.html", {"form": form, "creating": True})
    return TemplateResponse(request, "organisation/employee_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def employee_edit(request, pk: int):
    actor = request.actor
    employee = get_or_404(access.visible_employees(actor), pk=pk)
    _require(access.can_manage_employee(actor, employee))
    initial = {k: getattr(employee, k) for k in ("name", "name_en", "email", "phone", "hire_date")}
    form = EmployeeEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.employee_update(actor=actor, employee=employee, data=form.changes())
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("organisation:employee-detail", args=[employee.pk]))
        return _invalid(request, "organisation/employee_form.html", {"form": form, "employee": employee})
    return TemplateResponse(request, "organisation/employee_form.html", {"form": form, "employee": employee})


@login_required
@require_http_methods(["GET", "POST"])
def employee_event_create(request, pk: int):
    actor = request.actor
    employee = get_or_404(access.visible_employees(actor), pk=pk)
    _require(access.can_manage_employee(actor, employee))
    form = EmploymentEventForm(request.POST or None, actor=actor, initial={"kind": request.GET.get("kind")})
    context = {"form": form, "employee": employee}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.employment_event_record(actor=actor, employee=employee, **form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The employment event was recorded."))
                return HttpResponseRedirect(reverse("organisation:employee-detail", args=[employee.pk]))
        return _invalid(request, "organisation/event_form.html", context)
    return TemplateResponse(request, "organisation/event_form.html", context)


@login_required
@require_POST
def employee_sensitive(request, pk: int, field: str):
    """Reveal one sensitive value (POST, so it is never in a URL that gets cached or logged)."""
    actor = request.actor
    employee = get_or_404(access.visible_employees(actor), pk=pk)
    try:
        value = services.employee_read_sensitive(actor=actor, employee=employee, field=field)
    except DomainError as exc:
        raise Http404 from exc
    response = TemplateResponse(request, "organisation/employee_detail.html#sensitive-value",
                                {"value": value, "field": field})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def org_chart(request):
    actor = request.actor
    context = {"roots": selectors.org_chart(actor)}
    if actor.employee is not None and actor.has_reports:
        context["team"] = selectors.team_tree(actor, actor.employee)
    return TemplateResponse(request, "organisation/org_chart.html", context)


# ---------------------------------------------------------------- org units and catalogues


@login_required
def unit_list(request):
    actor = request.actor
    _require(access.can_view_org_units(actor))
    units = access.visible_org_units(actor).select_related("manager", "parent").order_by("path")
    return TemplateResponse(request, "organisation/unit_list.html",
                            {"units": list(units), "can_create": access.can_manage_org_unit(actor, None)})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk: int | None = None):
    actor = request.actor
    unit = get_or_404(access.visible_org_units(actor), pk=pk) if pk else None
    _require(actor.is_hr and (unit is None or access.can_manage_org_unit(actor, unit)))
    form = OrgUnitForm(request.POST or None, instance=unit, actor=actor)
    if request.method == "POST":
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in form.fields}
            try:
                if unit is None:
                    data.pop("is_active", None)
                    unit = services.org_unit_create(actor=actor, **data)
                else:
                    services.org_unit_update(actor=actor, unit=unit, data=data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Org unit saved."))
                return redirect("organisation:unit-list")
        return _invalid(request, "organisation/catalogue_form.html", {"form": form, "kind": "unit", "obj": unit})
    return TemplateResponse(request, "organisation/catalogue_form.html", {"form": form, "kind": "unit", "obj": unit})


@login_required
def job_family_list(request):
    actor = request.actor
    _require(access.can_manage_catalogue(actor))
    context = {
        "families": list(access.visible_job_families(actor)),
        "positions": list(access.visible_positions(actor).select_related("job_family", "org_unit")),
    }
    return TemplateResponse(request, "organisation/job_family_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def job_family_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_catalogue(actor))
    family = get_or_404(access.visible_job_families(actor), pk=pk) if pk else None
    form = JobFamilyForm(request.POST or None, instance=family)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.job_family_save(actor=actor, job_family=family, data=form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Job family saved."))
                return redirect("organisation:job-family-list")
        return _invalid(request, "organisation/catalogue_form.html",
                        {"form": form, "kind": "family", "obj": family})
    return TemplateResponse(request, "organisation/catalogue_form.html",
                            {"form": form, "kind": "family", "obj": family})


@login_required
@require_http_methods(["GET", "POST"])
def position_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_catalogue(actor))
    position = get_or_404(access.visible_positions(actor), pk=pk) if pk else None
    form = PositionForm(request.POST or None, instance=position, actor=actor)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.position_save(actor=actor, position=position, data=form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Position saved."))
                return redirect("organisation:job-family-list")
        return _invalid(request, "organisation/catalogue_form.html",
                        {"form": form, "kind": "position", "obj": position})
    return TemplateResponse(request, "organisation/catalogue_form.html",
                            {"form": form, "kind": "position", "obj": position})


@login_required
def people_search(request):
    """The people picker's suggestions (an htmx partial). The typed text arrives under the picker's
    own field name (``field``) or ``q``; ``scope`` is the set the form accepts."""
    field = request.GET.get("field", "")[:60]
    term = request.GET.get("q") or (request.GET.get(field, "") if field else "")
    scope = request.GET.get("scope", "visible")[:40]
    people = selectors.employee_search(request.actor, term[:100], scope=scope)
    _require(people is not None)
    context = {"people": people, "term": term.strip()}
    return TemplateResponse(request, "organisation/_person_options.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def employee_account(request, pk: int):
    """Give a person a login: create one (and invite them) or link an existing account."""
    actor = request.actor
    employee = selectors.employee_get(actor, pk)
    _require(employee is not None and access.can_give_login(actor, employee))
    if employee.user_id is not None:
        return redirect("organisation:employee-detail", pk=employee.pk)
    suggestion = (employee.email.split("@")[0] if employee.email else employee.employee_number).lower()
    form = EmployeeAccountForm(request.POST if request.method == "POST" else None,
                               initial={"username": suggestion, "email": employee.email})
    context = {"employee": employee, "form": form}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["existing"]:
                    account = selectors.linkable_account_get(actor, data["existing"])
                    if account is None:
                        raise InvalidInput(_("This account cannot be linked."), {"existing": [
                            _("No free account with this username that you may link.")]})
                    services_accounts.account_link_to_employee(actor=actor, employee=employee, user=account)
                    messages.success(request, _("The account %(username)s now belongs to %(name)s.")
                                     % {"username": account.username, "name": employee.display_name})
                else:
                    account = services_accounts.account_create_for_employee(
                        actor=actor, employee=employee, username=data["username"], email=data["email"],
                        invite=data["invite"])
                    messages.success(request, (_("%(name)s can sign in as %(username)s; an invitation to choose a "
                                                 "password is on its way.") if data["invite"] else
                                               _("%(name)s can sign in as %(username)s once a password is set "
                                                 "(issue a reset code from the account page)."))
                                     % {"username": account.username, "name": employee.display_name})
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                return HttpResponseRedirect(reverse("organisation:employee-detail", args=[employee.pk]))
        return _invalid(request, "organisation/employee_account.html", context)
    return TemplateResponse(request, "organisation/employee_account.html", context)


@login_required
@require_POST
def employee_account_invite(request, pk: int):
    """Send the person a new link to choose their password (the last one may have expired)."""
    actor = request.actor
    employee = selectors.employee_get(actor, pk)
    _require(employee is not None and employee.user is not None and access.can_give_login(actor, employee))
    try:
        services_accounts.account_invite_resend(actor=actor, employee=employee)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("An invitation to choose a password was sent to %(email)s.")
                         % {"email": employee.user.email})
    return HttpResponseRedirect(reverse("organisation:employee-detail", args=[employee.pk]))
