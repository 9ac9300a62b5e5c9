"""Payroll setup pages: salary components (with the formula's variables), pay groups and who runs
them, people's salaries (the history, audited, and a new structure from a date), my own salary on the
phone, and the social-insurance policies.

Components: payroll and administrators. Pay groups: administrators. Salaries: payroll for the people of
their groups and administrators; everyone their own, read-only. SI policies: everyone signed in. A page
the actor may not use is the 404 of a page that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, render_partial
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.payroll import access, selectors, services
from talentloop.payroll import forms_setup as forms
from talentloop.payroll import selectors_setup as setup_selectors
from talentloop.payroll.formula import FUNCTIONS, PAYROLL_VARIABLES
from talentloop.payroll.services import pay_groups as pay_group_services

PEOPLE_PER_PAGE = 30
HISTORY_PER_PAGE = 24


def _status(request) -> int:
    return 422 if getattr(request, "htmx", False) else 200


def _refuse_403(exc: DomainError) -> None:
    if exc.status in (403, 404):
        _require(False)


# ------------------------------------------------------------------------------------------------ components


@login_required
@require_GET
def component_list(request):
    actor = request.actor
    _require(access.can_manage_components(actor))
    return TemplateResponse(request, "payroll/setup_components.html", {
        "components": list(selectors.salary_component_list(actor))})  # fmt: skip


def _component_page(request, form, component=None, status: int = 200):
    variables = [(name, spec.label, spec.help_text) for name, spec in PAYROLL_VARIABLES.items()]
    functions = [(spec.usage, spec.description) for spec in FUNCTIONS.values()]
    return TemplateResponse(request, "payroll/setup_component_form.html", {
        "form": form, "component": component, "variables": variables, "functions": functions},
        status=status)  # fmt: skip


def _component_save(request, form, component=None):
    if form.is_valid():
        data = dict(form.cleaned_data)
        if component is not None:
            data["key"] = component.key
        try:
            saved, created = services.salary_component_save(actor=request.actor, **data)
        except DomainError as exc:
            _refuse_403(exc)
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Component created.") if created else _("Component saved."))
            return redirect("payroll:component-list")
    return _component_page(request, form, component, status=_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def component_create(request):
    _require(access.can_manage_components(request.actor))
    if request.method == "POST":
        return _component_save(request, forms.ComponentForm(request.POST))
    initial = {"taxable": True, "shown_on_payslip": True, "active": True, "order": 100}
    return _component_page(request, forms.ComponentForm(initial=initial))


@login_required
@require_http_methods(["GET", "POST"])
def component_edit(request, key: str):
    component = setup_selectors.component_get(request.actor, key)
    _require(component is not None)
    if request.method == "POST":
        return _component_save(
            request, forms.ComponentForm(request.POST, editing=True, initial={"key": key}), component
        )
    return _component_page(request, forms.ComponentForm.for_component(component), component)


# ------------------------------------------------------------------------------------------------ pay groups


@login_required
@require_GET
def pay_group_list(request):
    actor = request.actor
    _require(access.can_manage_pay_groups(actor))
    return TemplateResponse(request, "payroll/setup_pay_groups.html", {
        "groups": list(setup_selectors.pay_group_list(actor))})  # fmt: skip


def _group_page(request, form, group=None, access_form=None, status: int = 200):
    context = {"form": form, "group": group}
    if group is not None:
        context["access_form"] = access_form or forms.PayGroupAccessForm(actor=request.actor)
        context["accesses"] = list(group.accesses.all())
    return TemplateResponse(request, "payroll/setup_pay_group_form.html", context, status=status)


def _group_save(request, form, group=None):
    if form.is_valid():
        data = dict(form.cleaned_data)
        if group is not None:
            data["key"] = group.key
        try:
            saved, created = pay_group_services.pay_group_setup_save(actor=request.actor, new=group is None, **data)
        except DomainError as exc:
            _refuse_403(exc)
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Pay group created.") if created else _("Pay group saved."))
            return redirect("payroll:pay-group-edit", key=saved.key)
    return _group_page(request, form, group, status=_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def pay_group_create(request):
    _require(access.can_manage_pay_groups(request.actor))
    if request.method == "POST":
        return _group_save(request, forms.PayGroupForm(request.POST))
    return _group_page(request, forms.PayGroupForm(initial={"active": True, "attendance_lag": 1}))


def _group_initial(group) -> dict:
    initial = {f: getattr(group, f) for f in ("key", "name", "name_en", "attendance_lag", "active")}
    return initial | {"sick_pay": forms.sick_pay_text(group.sick_pay)}


def _group_or_404(request, key: str):
    group = setup_selectors.pay_group_get(request.actor, key)
    _require(group is not None)
    return group


@login_required
@require_http_methods(["GET", "POST"])
def pay_group_edit(request, key: str):
    group = _group_or_404(request, key)
    if request.method == "POST":
        return _group_save(request, forms.PayGroupForm(request.POST, editing=True, initial={"key": key}), group)
    initial = _group_initial(group)
    return _group_page(request, forms.PayGroupForm(initial=initial, editing=True), group)


@login_required
@require_POST
def pay_group_grant(request, key: str):
    group = _group_or_404(request, key)
    form = forms.PayGroupAccessForm(request.POST, actor=request.actor)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.pay_group_access_grant(actor=request.actor, pay_group=group, user=person.user)
        except DomainError as exc:
            _refuse_403(exc)
            form_errors_from(form, exc)
        else:
            messages.success(request, _("%(name)s now runs this pay group.") % {"name": person.display_name})
            return redirect("payroll:pay-group-edit", key=group.key)
    initial = _group_initial(group)
    return _group_page(request, forms.PayGroupForm(initial=initial, editing=True), group, form, status=_status(request))


@login_required
@require_POST
def pay_group_revoke(request, key: str, user_id: int):
    group = _group_or_404(request, key)
    row = next((a for a in group.accesses.all() if a.user_id == user_id), None)
    _require(row is not None)
    services.pay_group_access_revoke(actor=request.actor, pay_group=group, user=row.user)
    messages.success(request, _("%(name)s no longer runs this pay group.") % {"name": str(row.user)})
    return redirect("payroll:pay-group-edit", key=group.key)


# ------------------------------------------------------------------------------------------------ salaries


@login_required
@require_GET
def salary_list(request):
    """The people whose salaries I keep, found by name, pinyin or number."""
    actor = request.actor
    _require(access.can_use_payroll_pages(actor))
    search = forms.PeopleSearchForm(request.GET or None)
    term = search.cleaned_data["q"] if search.is_valid() else ""
    page_obj = paginate(request, setup_selectors.salary_person_list(actor, search=term), per_page=PEOPLE_PER_PAGE)
    return render_partial(request, "payroll/setup_salaries.html", {
        "search": search, "page_obj": page_obj, "people": list(page_obj.object_list)}, partial="people")  # fmt: skip


def _salary_page(request, person, form, status: int = 200):
    actor = request.actor
    history = paginate(request, selectors.salary_structure_history(actor, person), per_page=HISTORY_PER_PAGE)
    return TemplateResponse(request, "payroll/setup_salary_detail.html", {
        "person": person, "page_obj": history, "structures": list(history.object_list), "form": form,
        "can_set": form is not None}, status=status)  # fmt: skip


def _salary_form(request, data=None):
    return forms.SalaryForm(data, components=setup_selectors.fixed_components(request.actor))


@login_required
@require_http_methods(["GET", "POST"])
def salary_detail(request, pk: int):
    """A person's salary history, newest first (the read is audited), and a new structure from a date."""
    actor = request.actor
    _require(access.can_use_payroll_pages(actor))
    person = setup_selectors.salary_person_get(actor, pk)
    _require(person is not None)
    can_set = access.can_set_salary(actor, person)
    if request.method == "GET":
        return _salary_page(request, person, _salary_form(request) if can_set else None)
    _require(can_set)
    form = _salary_form(request, request.POST)
    if form.is_valid():
        try:
            services.salary_structure_set(
                actor=actor, employee=person, effective_from=form.cleaned_data["effective_from"],
                items=form.items(), note=form.cleaned_data["note"],
            )  # fmt: skip
        except DomainError as exc:
            _refuse_403(exc)
            _salary_errors(form, exc)
        else:
            messages.success(request, _("The salary is recorded."))
            return redirect("payroll:salary-detail", pk=person.pk)
    return _salary_page(request, person, form, status=_status(request))


def _salary_errors(form, exc: DomainError) -> None:
    """The service names an amount's errors ``items.<key>``; the form's field is ``item_<key>``."""
    placed = False
    for field, msgs in exc.errors.items():
        name = forms.ITEM_PREFIX + field.removeprefix("items.") if field.startswith("items.") else field
        for message in msgs:
            form.add_error(name if name in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


@login_required
@require_GET
def my_salary(request):
    """My own salary history, read-only (no audit: it is mine)."""
    actor = request.actor
    _require(access.can_have_payslips(actor))
    history = paginate(request, selectors.salary_structure_history(actor, actor.employee), per_page=HISTORY_PER_PAGE)
    return TemplateResponse(request, "payroll/setup_my_salary.html", {
        "page_obj": history, "structures": list(history.object_list)})  # fmt: skip


# ------------------------------------------------------------------------------------------------ SI policies


@login_required
@require_GET
def si_policy_list(request):
    actor = request.actor
    _require(access.can_view_si_policies(actor))
    policies = setup_selectors.si_policy_views(actor)
    cities = sorted({p.city for p in policies})
    city = request.GET.get("city", "")
    if city in cities:
        policies = [p for p in policies if p.city == city]
    else:
        city = ""
    return TemplateResponse(request, "payroll/setup_si_policies.html", {
        "policies": policies, "cities": cities, "city": city})  # fmt: skip


urlpatterns = [
    path("components/", component_list, name="component-list"),
    path("components/new/", component_create, name="component-create"),
    path("components/<slug:key>/", component_edit, name="component-edit"),
    path("pay-groups/", pay_group_list, name="pay-group-list"),
    path("pay-groups/new/", pay_group_create, name="pay-group-create"),
    path("pay-groups/<str:key>/", pay_group_edit, name="pay-group-edit"),
    path("pay-groups/<str:key>/grant/", pay_group_grant, name="pay-group-grant"),
    path("pay-groups/<str:key>/revoke/<int:user_id>/", pay_group_revoke, name="pay-group-revoke"),
    path("salaries/", salary_list, name="salary-list"),
    path("salaries/<int:pk>/", salary_detail, name="salary-detail"),
    path("my-salary/", my_salary, name="my-salary"),
    path("si-policies/", si_policy_list, name="si-policy-list"),
]
