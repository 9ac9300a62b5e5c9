"""Every score explains itself: one person's score for a period, and the observations behind it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from talentloop.core.http import get_or_404, render_partial
from talentloop.performance import access, selectors_dashboards
from talentloop.performance import periods as P
from talentloop.performance.forms import ObservationFilterForm, PeriodForm


def chosen_period(form, default: P.Period) -> P.Period:
    if form.is_valid() and form.cleaned_data.get("period") is not None:
        return form.cleaned_data["period"]
    return default


@login_required
@require_GET
def my_score(request):
    employee = request.actor.employee
    if employee is None:
        raise Http404
    url = reverse("performance:score-detail", args=[employee.pk])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@login_required
@require_GET
def score_detail(request, pk: int):
    actor = request.actor
    employee = get_or_404(access.score_subjects(actor).select_related("org_unit"), pk=pk)
    today = timezone.localdate()
    period = chosen_period(PeriodForm(request.GET), P.containing(today))
    score = selectors_dashboards.score_page(actor, employee, period)
    is_self = actor.employee is not None and actor.employee.pk == employee.pk
    context = {
        "employee": employee,
        "period": period,
        "previous": period.previous(),
        "next": period.next() if period.next().start <= today else None,
        "choices": selectors_dashboards.period_choices(today, period),
        "score": score,
        "is_self": is_self,
        # A person asks for a human review of their own result (final, else computed) through an appeal.
        "review_url": reverse("performance:appeal-create", args=[period.key])
        if is_self and score["effective_rating"] is not None else "",
    }
    return TemplateResponse(request, "performance/scores/detail.html", context)


@login_required
@require_GET
def score_observations(request, pk: int):
    actor = request.actor
    employee = get_or_404(access.score_subjects(actor), pk=pk)
    form = ObservationFilterForm(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    period = data["period"] or P.containing(timezone.localdate())
    page = selectors_dashboards.score_observations(actor, employee, period, metric_key=data["metric"] or "",
                                                   include_replaced=data["replaced"], page=data["page"] or 1)
    context = {"employee": employee, "period": period, "metric_key": data["metric"] or "",
               "replaced": data["replaced"], **page}
    return render_partial(request, "performance/scores/observations.html", context, partial="observations")
