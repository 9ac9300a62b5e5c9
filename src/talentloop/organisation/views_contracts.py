"""The employment contract on the person's page: HR records a new contract row (a renewal, a change
of working-hour system, pay group or social-insurance city). The section itself is part of the
profile (``selectors.contract_section``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.core.widgets import DateInput
from talentloop.organisation import access, selectors, services_contracts
from talentloop.organisation.models import ComprehensivePeriod, ContractTerm, WorkingHourSystem


class ContractForm(forms.Form):
    start_date = forms.DateField(label=gettext_lazy("Contract start"), widget=DateInput)
    term = forms.ChoiceField(label=gettext_lazy("Term"), choices=ContractTerm.choices)
    end_date = forms.DateField(label=gettext_lazy("Contract end"), widget=DateInput, required=False,
                               help_text=gettext_lazy("Empty for an open-ended contract."))
    working_hours = forms.ChoiceField(label=gettext_lazy("Working-hour system"), choices=WorkingHourSystem.choices)
    comprehensive_period = forms.ChoiceField(
        label=gettext_lazy("Comprehensive period"), required=False,
        choices=[("", "—"), *ComprehensivePeriod.choices],
        help_text=gettext_lazy("Comprehensive hours only: the period the hours are counted over."))
    probation_end = forms.DateField(label=gettext_lazy("Probation end"), widget=DateInput, required=False)
    pay_group = forms.CharField(label=gettext_lazy("Pay group"), max_length=40, required=False)
    social_insurance_city = forms.CharField(label=gettext_lazy("Social-insurance city"), max_length=40,
                                            required=False)
    notice_period_days = forms.IntegerField(label=gettext_lazy("Notice period (days)"), min_value=0,
                                            max_value=services_contracts.MAX_NOTICE_DAYS, initial=30)
    effective_from = forms.DateField(
        label=gettext_lazy("Effective from"), widget=DateInput, required=False,
        help_text=gettext_lazy("When this row takes effect; empty: the contract's start. A change during a "
                               "contract (another city, another working-hour system) takes effect on its own date."))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request, pk: int):
    actor = request.actor
    employee = get_or_404(access.visible_employees(actor), pk=pk)
    _require(access.can_manage_contract(actor, employee))
    current = selectors.contract_as_of(employee, services_contracts.today())
    initial = {"notice_period_days": 30, "term": ContractTerm.FIXED, "working_hours": WorkingHourSystem.STANDARD}
    if current is not None:
        initial.update({key: getattr(current, key) for key in (
            "start_date", "end_date", "term", "working_hours", "comprehensive_period", "probation_end", "pay_group",
            "social_insurance_city", "notice_period_days")})
    else:
        initial["start_date"] = employee.hire_date
    form = ContractForm(request.POST or None, initial=initial)
    context = {"form": form, "employee": employee, "current": current}
    if request.method == "POST":
        if form.is_valid():
            try:
                services_contracts.employment_contract_record(actor=actor, employee=employee, **form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The contract was recorded."))
                return HttpResponseRedirect(reverse("organisation:employee-detail", args=[employee.pk]) + "#contract")
        return _invalid(request, "organisation/contract_form.html", context)
    return TemplateResponse(request, "organisation/contract_form.html", context)
