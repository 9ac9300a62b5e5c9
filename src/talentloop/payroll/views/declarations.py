"""Tax declarations on the phone: a person declares their special additional deductions and the other
deductions allowed by law (the fields each kind needs, its caps in words, the rules' errors under each
field), withdraws them, and states whether this employer pays their first wages of the year. Payroll
sees and imports the same for the people of their pay groups (a person picker, then the same page).

Anyone else gets the 404 of a page that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import require as _require
from talentloop.payroll import access, services
from talentloop.payroll import forms_setup as forms
from talentloop.payroll import selectors_setup as selectors
from talentloop.payroll.services import tax_year as tax_year_services

PAGE = "payroll/declaration_list.html"
#: What the page swaps in when the kind changes: the form with that kind's fields.
FORM_PARTIAL = PAGE + "#declaration_form"


def _status(request) -> int:
    return 422 if getattr(request, "htmx", False) else 200


def _own(request):
    actor = request.actor
    _require(access.can_have_payslips(actor))
    return actor.employee


def _subject(request, pk: int):
    actor = request.actor
    _require(access.can_use_payroll_pages(actor))
    person = selectors.salary_person_get(actor, pk)
    _require(person is not None and access.can_declare(actor, person))
    return person


def _urls(request, person) -> dict[str, str]:
    if access.is_self(request.actor, person):
        return {"self": reverse("payroll:declaration-list"), "year": reverse("payroll:declaration-tax-year")}
    return {
        "self": reverse("payroll:declaration-person", args=[person.pk]),
        "year": reverse("payroll:declaration-person-tax-year", args=[person.pk]),
    }


def _page(request, person, form=None, year_form=None, status: int = 200):
    actor = request.actor
    year = timezone.localdate().year
    if form is None:
        # The kind chosen (the form swaps in that kind's fields), keeping the months already typed.
        initial = {name: request.GET[name] for name in ("kind", "start", "end") if request.GET.get(name)}
        form = forms.DeclarationForm(initial=initial)
    statement = selectors.tax_year_statement_get(actor, person, year)
    if year_form is None:
        initial = {"year": year}
        if statement is not None:
            initial["first_wages_of_year"] = "1" if statement.first_wages_of_year else "0"
        year_form = forms.TaxYearForm(initial=initial)
    rows = list(selectors.declarations_of(actor, person))
    context = {
        "person": person,
        "own": access.is_self(actor, person),
        "urls": _urls(request, person),
        "form": form,
        "year": year,
        "year_form": year_form,
        "statement": statement,
        "active": [r for r in rows if r.active],
        "withdrawn": [r for r in rows if not r.active],
        "caps": selectors.deduction_caps(year),
    }
    partial = getattr(request, "htmx", False) and request.method == "GET" and "kind" in request.GET
    return TemplateResponse(request, FORM_PARTIAL if partial else PAGE, context, status=status)


def _declare(request, person):
    form = forms.DeclarationForm(request.POST)
    if form.is_valid():
        try:
            services.tax_declaration_save(actor=request.actor, employee=person, **form.service_values())
        except DomainError as exc:
            if exc.status == 403:
                _require(False)
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The declaration is recorded. Payroll uses it from its first month."))
            return redirect(_urls(request, person)["self"])
    return _page(request, person, form=form, status=_status(request))


def _state_year(request, person):
    form = forms.TaxYearForm(request.POST)
    if form.is_valid():
        try:
            tax_year_services.tax_year_statement_save(
                actor=request.actor, employee=person, year=form.cleaned_data["year"],
                first_wages_of_year=form.cleaned_data["first_wages_of_year"],
            )  # fmt: skip
        except DomainError as exc:
            if exc.status == 403:
                _require(False)
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your answer is recorded."))
            return redirect(_urls(request, person)["self"] + "#first-wages")
    return _page(request, person, year_form=form, status=_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def declaration_list(request):
    """My declarations, the form for a new one, and the first-wages question."""
    person = _own(request)
    if request.method == "POST":
        return _declare(request, person)
    return _page(request, person)


@login_required
@require_POST
def declaration_tax_year(request):
    return _state_year(request, _own(request))


@login_required
@require_POST
def declaration_withdraw(request, pk: int):
    actor = request.actor
    row = selectors.tax_declaration_get(actor, pk)
    _require(row is not None and access.can_declare(actor, row.employee))
    try:
        services.tax_declaration_withdraw(actor=actor, declaration=row)
    except DomainError as exc:
        if exc.status == 403:
            _require(False)
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The declaration is withdrawn from now on."))
    return redirect(_urls(request, row.employee)["self"])


# ------------------------------------------------------------------------------------------------ payroll


@login_required
@require_GET
def declaration_people(request):
    """Payroll chooses a person of their pay groups, then sees and imports their declarations."""
    actor = request.actor
    _require(access.can_use_payroll_pages(actor))
    form = forms.DeclarationPersonForm(request.GET or None, actor=actor)
    if form.is_bound and form.is_valid():
        return redirect("payroll:declaration-person", pk=form.cleaned_data["person"].pk)
    return TemplateResponse(request, "payroll/declaration_people.html", {"form": form},
                            status=422 if form.is_bound and request.htmx else 200)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def declaration_person(request, pk: int):
    person = _subject(request, pk)
    if request.method == "POST":
        return _declare(request, person)
    return _page(request, person)


@login_required
@require_POST
def declaration_person_tax_year(request, pk: int):
    return _state_year(request, _subject(request, pk))


urlpatterns = [
    path("declarations/", declaration_list, name="declaration-list"),
    path("declarations/first-wages/", declaration_tax_year, name="declaration-tax-year"),
    path("declarations/<int:pk>/withdraw/", declaration_withdraw, name="declaration-withdraw"),
    path("declarations/people/", declaration_people, name="declaration-people"),
    path("declarations/people/<int:pk>/", declaration_person, name="declaration-person"),
    path("declarations/people/<int:pk>/first-wages/", declaration_person_tax_year, name="declaration-person-tax-year"),
]
