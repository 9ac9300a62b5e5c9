"""Mentee surveys: the mentee's list and form; the aggregated results for the mentor and HR.

No page shows a single answer to anyone but the mentee who gave it: the results page reads only
``selectors_effectiveness.survey_aggregate_get`` (rates over whole steps of answers of at least
3 distinct mentees, ``core.smallgroups``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404, render_partial
from talentloop.core.http import require as _require
from talentloop.mentoring import access
from talentloop.mentoring import selectors_effectiveness as selectors
from talentloop.mentoring.forms.surveys import SurveyAnswerForm
from talentloop.mentoring.services import surveys as services


@login_required
@require_GET
def survey_list(request):
    actor = request.actor
    _require(access.can_view_own_mentoring(actor))
    return TemplateResponse(request, "mentoring/surveys/list.html",
                            {"surveys": selectors.survey_list(actor, timezone.localdate())})


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request, pk: int):
    actor = request.actor
    survey = selectors.survey_get(actor, pk)
    _require(survey is not None)
    today = timezone.localdate()
    can_answer = access.can_answer_survey(actor, survey, today)
    form = SurveyAnswerForm(request.POST or None)
    context = {"survey": survey, "form": form, "can_answer": can_answer,
               "answered": access.survey_answered(survey), "floor": selectors.survey_floor()}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.survey_answer(actor=actor, survey=survey, **form.service_data())
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Thank you. Your answer is confidential."))
                return redirect("mentoring:survey-list")
        status = 422 if getattr(request, "htmx", False) else 200
        return render_partial(request, "mentoring/surveys/answer.html", context, status=status)
    return TemplateResponse(request, "mentoring/surveys/answer.html", context)


@login_required
@require_GET
def survey_results(request, mentor_pk: int | None = None):
    actor = request.actor
    if mentor_pk is None:
        mentor = selectors.own_mentor(actor)
        _require(mentor is not None)
    else:
        mentor = get_or_404(access.visible_mentors(actor).select_related("employee", "employee__org_unit"),
                            pk=mentor_pk)
    _require(access.can_view_survey_aggregate(actor, mentor))
    data = selectors.survey_aggregate_get(actor, mentor)
    return TemplateResponse(request, "mentoring/surveys/results.html", {
        **data, "is_self": actor.employee is not None and actor.employee.pk == mentor.employee_id})
