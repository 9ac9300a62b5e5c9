"""Career pages: my career path, someone's path (managers, HR, mentors), HR's ladder editor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.careers import access, selectors, services
from talentloop.careers.forms import LadderForm, LevelForm
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form
from talentloop.core.http import require as _require


@login_required
@require_GET
def my_path(request):
    actor = request.actor
    _require(access.can_view_own_path(actor))
    return TemplateResponse(request, "careers/path.html",
                            {"path": selectors.promotion_path(actor, actor.employee), "employee": actor.employee,
                             "mine": True})


@login_required
@require_GET
def person_path(request, pk: int):
    actor = request.actor
    employee = selectors.path_subject_get(actor, pk)
    _require(employee is not None)
    return TemplateResponse(request, "careers/path.html",
                            {"path": selectors.promotion_path(actor, employee), "employee": employee,
                             "mine": actor.employee is not None and actor.employee.pk == employee.pk})


@login_required
@require_GET
def ladder_list(request):
    actor = request.actor
    _require(access.can_manage_ladders(actor) or actor.is_admin)
    return TemplateResponse(request, "careers/ladder_list.html", {
        "ladders": selectors.ladder_list(actor), "can_manage": access.can_manage_ladders(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def ladder_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_ladders(actor))
    ladder = selectors.ladder_get(actor, pk) if pk else None
    _require(pk is None or ladder is not None)
    form = LadderForm(request.POST or None, initial=LadderForm.initial_from(ladder))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.career_ladder_save(actor=actor, ladder=ladder, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Ladder “%(name)s” saved.") % {"name": saved.label})
            return redirect("careers:ladder-edit", pk=saved.pk)
    context = {"form": form, "ladder": ladder}
    if request.method == "POST":
        return invalid_form(request, "careers/ladder_form.html", context)
    return TemplateResponse(request, "careers/ladder_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def level_edit(request, ladder_pk: int | None = None, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_ladders(actor))
    level = selectors.level_get(actor, pk) if pk else None
    ladder = level.ladder if level is not None else (selectors.ladder_get(actor, ladder_pk) if ladder_pk else None)
    _require(ladder is not None)
    form = LevelForm(request.POST or None, initial=LevelForm.initial_from(level))
    if request.method == "POST" and form.is_valid():
        try:
            services.ladder_level_save(actor=actor, ladder=ladder, level_obj=level, **form.service_data())
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Level saved."))
            return redirect("careers:ladder-edit", pk=ladder.pk)
    context = {"form": form, "ladder": ladder, "level": level}
    if request.method == "POST":
        return invalid_form(request, "careers/level_form.html", context)
    return TemplateResponse(request, "careers/level_form.html", context)


@login_required
@require_POST
def level_delete(request, pk: int):
    actor = request.actor
    _require(access.can_manage_ladders(actor))
    level = selectors.level_get(actor, pk)
    _require(level is not None)
    ladder_pk = level.ladder_id
    services.ladder_level_delete(actor=actor, level=level)
    messages.success(request, _("Level deleted."))
    return redirect("careers:ladder-edit", pk=ladder_pk)
