"""Effectiveness pages: a mentor's inputs and composite score, the ranking of mentors (HR),
programme results (HR) and HR's measurement settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404, render_partial
from talentloop.core.http import require as _require
from talentloop.mentoring import access
from talentloop.mentoring import scoring as S
from talentloop.mentoring import selectors_effectiveness as selectors
from talentloop.mentoring.forms.effectiveness import EffectivenessConfigForm
from talentloop.mentoring.models import EffectivenessConfig
from talentloop.mentoring.services import effectiveness as services

INPUT_LABELS = {
    S.GROWTH_RATING: gettext_lazy("Mentee rating growth"),
    S.GROWTH_SKILL: gettext_lazy("Mentee skill growth"),
    S.MENTEES: gettext_lazy("Mentees mentored"),
    S.HOURS: gettext_lazy("Hours of 1:1s"),
    S.PROMOTED: gettext_lazy("Mentees promoted"),
    S.TOP_DECILE: gettext_lazy("Mentees in their department's top 10%"),
    S.SURVEY_ON_TIME: gettext_lazy("Sessions on time"),
    S.SURVEY_FIT: gettext_lazy("Content fits needs"),
    S.SURVEY_SOLVED: gettext_lazy("Problems solved"),
}


def input_rows(stats) -> list[dict]:
    """The composite's inputs with their labels, for the templates."""
    return [{"key": i.key, "label": INPUT_LABELS[i.key], "value": None if i.value is None else S.round1(i.value),
             "weight": i.weight, "effective_weight": i.effective_weight} for i in stats.composite.inputs]


@login_required
@require_GET
def my_effectiveness(request):
    actor = request.actor
    mentor = selectors.own_mentor(actor)
    _require(mentor is not None)
    return redirect("mentoring:mentor-effectiveness", pk=mentor.pk)


@login_required
@require_GET
def mentor_effectiveness(request, pk: int):
    actor = request.actor
    mentor = get_or_404(access.visible_mentors(actor).select_related("employee", "employee__org_unit"), pk=pk)
    _require(access.can_view_mentor_effectiveness(actor, mentor))
    data = selectors.mentor_effectiveness_get(actor, mentor, as_of=timezone.localdate())
    return TemplateResponse(request, "mentoring/effectiveness/mentor.html", {
        **data, "mentor": mentor, "inputs": input_rows(data["stats"]),
        "is_self": actor.employee is not None and actor.employee.pk == mentor.employee_id,
        "can_view_surveys": access.can_view_survey_aggregate(actor, mentor)})


@login_required
@require_GET
def mentor_ranking(request):
    actor = request.actor
    _require(access.can_view_mentor_ranking(actor))
    data = selectors.mentor_ranking(actor, as_of=timezone.localdate())
    for row in data["rows"]:
        row["inputs"] = input_rows(row["stats"])
    return TemplateResponse(request, "mentoring/effectiveness/ranking.html", {
        **data, "labels": [INPUT_LABELS[k] for k in S.INPUT_KEYS],
        "can_configure": access.can_manage_effectiveness_config(actor)})


@login_required
@require_GET
def programme_results(request):
    actor = request.actor
    _require(access.can_view_programme_results(actor))
    return TemplateResponse(request, "mentoring/effectiveness/programmes.html",
                            selectors.programme_results(actor, as_of=timezone.localdate()))


@login_required
@require_http_methods(["GET", "POST"])
def effectiveness_settings(request):
    actor = request.actor
    _require(access.can_manage_effectiveness_config(actor))
    current = selectors.current_config()
    form = EffectivenessConfigForm(request.POST or None, instance=EffectivenessConfig(
        **{f: getattr(current, f) for f in services.SETTING_FIELDS}))
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.effectiveness_config_save(actor=actor, data=form.service_data(),
                                                           note=form.cleaned_data.get("note", ""))
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Settings saved as version %(version)s.") % {"version": saved.version})
                return redirect("mentoring:effectiveness-settings")
        status = 422 if getattr(request, "htmx", False) else 200
        return render_partial(request, "mentoring/effectiveness/settings.html",
                              {"form": form, "current": current}, status=status)
    return TemplateResponse(request, "mentoring/effectiveness/settings.html", {"form": form, "current": current})
