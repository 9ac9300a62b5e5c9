"""Leave pages: balances as of a date with their ledger lines, HR's adjustment, prior service (the
person states it with evidence; HR covering them verifies or rejects it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form
from talentloop.core.http import require as _require
from talentloop.leave import access
from talentloop.leave.core_forms import AdjustForm, BalanceFilterForm, PriorServiceDecisionForm, PriorServiceForm
from talentloop.leave.selectors.balances import (
    balance_person_get,
    balance_report,
    can_choose_person,
    my_prior_services,
    prior_service_get,
    prior_services_to_review,
)
from talentloop.leave.services.balances import leave_balance_adjust
from talentloop.leave.services.prior_service import prior_service_decide, prior_service_submit


def _balances_context(actor, filters: BalanceFilterForm, adjust: AdjustForm | None = None) -> dict:
    """Whose balances (a person outside the actor's scope is a 404) as of which date (a bad date shows
    its error and today's balances)."""
    valid = filters.is_valid() if filters.is_bound else True
    if not valid and "employee" in filters.errors:
        raise Http404
    data = filters.cleaned_data if filters.is_bound else {}
    chosen = data.get("employee")
    person = balance_person_get(actor, chosen.pk if chosen else None)
    _require(person is not None)
    as_of = data.get("as_of") or timezone.localdate()
    can_adjust = access.can_manage_leave_of(actor, person) and not access.is_self(actor, person)
    if can_adjust and adjust is None:
        adjust = AdjustForm(actor=actor, initial={"effective_date": as_of})
    return {"person": person, "as_of": as_of, "filters": filters, "rows": balance_report(actor, person, as_of),
            "mine": access.is_self(actor, person), "adjust": adjust if can_adjust else None,
            "can_choose": can_choose_person(actor)}


@login_required
@require_GET
def balance_list(request):
    filters = BalanceFilterForm(request.GET or None, actor=request.actor)
    return TemplateResponse(request, "leave/balances_list.html", _balances_context(request.actor, filters))


@login_required
@require_POST
def balance_adjust(request):
    actor = request.actor
    raw = request.POST.get("employee_id", "")
    _require(raw.isdigit() and len(raw) < 18)
    person = balance_person_get(actor, int(raw))
    _require(person is not None and access.can_manage_leave_of(actor, person) and not access.is_self(actor, person))
    form = AdjustForm(request.POST, actor=actor)
    if form.is_valid():
        d = form.cleaned_data
        try:
            leave_balance_adjust(actor=actor, employee=person, leave_type=d["leave_type"], days=d["days"],
                                 effective_date=d["effective_date"], reason=d["reason"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("The balance was adjusted."))
            query = urlencode({"employee_id": person.pk,
                               "employee": f"{person.display_name} ({person.employee_number})",
                               "as_of": max(d["effective_date"], timezone.localdate()).isoformat()})
            return redirect(f"{reverse('leave:balance-list')}?{query}")
    filters = BalanceFilterForm({"employee_id": person.pk, "employee": person.employee_number}, actor=actor)
    return invalid_form(request, "leave/balances_list.html", _balances_context(actor, filters, form))


@login_required
@require_http_methods(["GET", "POST"])
def prior_service_mine(request):
    actor = request.actor
    _require(access.can_request_leave(actor))
    form = PriorServiceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            prior_service_submit(actor=actor, employer=d["employer"], start=d["start"], end=d["end"],
                                 evidence=d["evidence"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Prior service sent to HR for verification."))
            return redirect("leave:prior-service")
    context = {"form": form, "rows": my_prior_services(actor)}
    if request.method == "POST":
        return invalid_form(request, "leave/balances_prior_service.html", context)
    return TemplateResponse(request, "leave/balances_prior_service.html", context)


REVIEW_STATUSES = ("pending", "verified", "rejected", "all")


@login_required
@require_GET
def prior_service_review(request):
    actor = request.actor
    _require(access.can_review_prior_service(actor))
    status = request.GET.get("status", "pending")
    if status not in REVIEW_STATUSES:
        status = "pending"
    return TemplateResponse(request, "leave/balances_prior_review.html",
                            {"rows": prior_services_to_review(actor, status=status), "status": status,
                             "statuses": REVIEW_STATUSES})


@login_required
@require_POST
def prior_service_decision(request, pk: int):
    actor = request.actor
    row = prior_service_get(actor, pk)
    _require(row is not None and access.can_manage_leave_of(actor, row.employee)
             and not access.is_self(actor, row.employee))
    form = PriorServiceDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to verify or to reject."))
        return redirect("leave:prior-service-review")
    try:
        prior_service_decide(actor=actor, prior_service=row, verify=form.cleaned_data["decision"] == "verify")
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Prior service at %(employer)s decided.") % {"employer": row.employer})
    return redirect("leave:prior-service-review")


@login_required
@require_GET
def prior_service_evidence(request, pk: int):
    actor = request.actor
    row = prior_service_get(actor, pk)
    _require(row is not None and bool(row.evidence)
             and (access.is_self(actor, row.employee) or access.can_manage_leave_of(actor, row.employee)))
    try:
        handle = row.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=row.evidence.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("balances/", balance_list, name="balance-list"),
    path("balances/adjust/", balance_adjust, name="balance-adjust"),
    path("prior-service/", prior_service_mine, name="prior-service"),
    path("prior-service/review/", prior_service_review, name="prior-service-review"),
    path("prior-service/<int:pk>/decide/", prior_service_decision, name="prior-service-decide"),
    path("prior-service/<int:pk>/evidence/", prior_service_evidence, name="prior-service-evidence"),
]
