"""Matching pages: ranked mentor suggestions for one mentee (HR, or the mentee when the programme
lets mentees choose), and cohort runs that HR starts, reviews, changes and publishes."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, render_partial
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.mentoring import access
from talentloop.mentoring import selectors_matching as selectors
from talentloop.mentoring.forms.matching import MatchRunForm, SuggestionForm
from talentloop.mentoring.services import matching as services

PAGE_SIZE = 50


# ---------------------------------------------------------------- suggestions for one mentee


@login_required
@require_GET
def match_suggestions(request):
    """HR picks a mentee and a programme; anyone else sees suggestions for themselves, for the
    programmes that let mentees choose their mentor."""
    actor = request.actor
    hr_mode = access.can_run_matching(actor)
    _require(hr_mode or actor.employee is not None)
    form = SuggestionForm(request.GET or None, actor=actor, for_self=not hr_mode)
    context = {"form": form, "hr_mode": hr_mode, "result": None}
    if request.GET and form.is_valid():
        template = form.cleaned_data["template"]
        if hr_mode:
            mentee = form.cleaned_data["mentee"]  # the field accepts only people HR may match
        else:
            mentee = actor.employee
        _require(access.can_view_match_suggestions(actor, mentee, template))
        context["result"] = selectors.match_suggestions(actor, mentee, template, as_of=timezone.localdate())
    elif request.GET:
        return _invalid(request, "mentoring/matching/suggestions.html", context)
    return render_partial(request, "mentoring/matching/suggestions.html", context, partial="results")


# ---------------------------------------------------------------- cohort runs


@login_required
@require_GET
def match_run_list(request):
    actor = request.actor
    _require(access.can_run_matching(actor) or actor.is_admin)
    return TemplateResponse(request, "mentoring/matching/run_list.html", {
        "runs": selectors.match_run_list(actor), "can_run": access.can_run_matching(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def match_run_create(request):
    actor = request.actor
    _require(access.can_run_matching(actor))
    form = MatchRunForm(request.POST or None, actor=actor, initial={"starts_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            mentees = selectors.cohort_mentees(actor, **form.cohort_filters())
            if d["numbers"]:
                found = {m.employee_number for m in mentees}
                missing = [n for n in d["numbers"] if n not in found]
                if missing:
                    form.add_error("numbers", _("Not found or not someone you can match: %(numbers)s")
                                   % {"numbers": ", ".join(missing[:10])})
            if not form.errors:
                try:
                    run = services.match_run_create(actor=actor, template=d["template"], mentees=mentees,
                                                    starts_on=d["starts_on"], name=d["name"])
                except DomainError as exc:
                    form_errors_from(form, exc)
                else:
                    messages.success(request, _("Matching done: review the proposal before publishing it."))
                    return redirect("mentoring:match-run-detail", pk=run.pk)
        return _invalid(request, "mentoring/matching/run_create.html", {"form": form})
    return TemplateResponse(request, "mentoring/matching/run_create.html", {"form": form})


@login_required
@require_GET
def match_run_detail(request, pk: int):
    actor = request.actor
    run = selectors.match_run_get(actor, pk)
    _require(run is not None)
    show = request.GET.get("show", "")
    placed = {"placed": True, "unplaced": False}.get(show)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    proposals, count = selectors.match_run_proposals(actor, run, placed=placed, limit=PAGE_SIZE,
                                                     offset=(page - 1) * PAGE_SIZE)
    return render_partial(request, "mentoring/matching/run_detail.html", {
        "run": run, "proposals": proposals, "count": count, "page": page, "show": show,
        "pages": max(1, math.ceil(count / PAGE_SIZE)), "can_change": access.can_change_match_run(actor, run)},
        partial="proposals")


def _run_action(request, pk: int, action: str):
    actor = request.actor
    run = selectors.match_run_get(actor, pk)
    _require(run is not None)
    try:
        if action == "publish":
            services.match_run_publish(actor=actor, run=run)
            messages.success(request, _("Published: a draft plan was created for every placed mentee."))
        else:
            services.match_run_discard(actor=actor, run=run)
            messages.success(request, _("The run was discarded."))
    except DomainError as exc:
        if exc.status == 403:
            raise Http404 from exc
        messages.error(request, exc.detail)
    return redirect("mentoring:match-run-detail", pk=run.pk)


@login_required
@require_POST
def match_run_publish(request, pk: int):
    return _run_action(request, pk, "publish")


@login_required
@require_POST
def match_run_discard(request, pk: int):
    return _run_action(request, pk, "discard")


@login_required
@require_http_methods(["GET", "POST"])
def match_proposal_change(request, pk: int, proposal_pk: int):
    """GET: the mentee's ranked alternatives; POST ``mentor`` (an id, or empty to take the mentee
    out of the run)."""
    actor = request.actor
    run = selectors.match_run_get(actor, pk)
    _require(run is not None and access.can_change_match_run(actor, run))
    proposal = selectors.match_proposal_get(actor, run, proposal_pk)
    _require(proposal is not None)
    error = ""
    if request.method == "POST":
        raw = (request.POST.get("mentor") or "").strip()
        mentor = None
        if raw:
            mentor = access.visible_mentors(actor).select_related("employee").filter(
                pk=int(raw) if raw.isdigit() else 0).first()
            if mentor is None:
                error = _("No such mentor.")
        if not error:
            try:
                services.match_proposal_change(actor=actor, proposal=proposal, mentor=mentor)
            except DomainError as exc:
                error = exc.detail
            else:
                messages.success(request, _("Proposal changed."))
                return redirect("mentoring:match-run-detail", pk=run.pk)
    context = {"run": run, "proposal": proposal, "error": error,
               "result": selectors.match_suggestions(actor, proposal.mentee, run.template, as_of=timezone.localdate())}
    if error:
        return _invalid(request, "mentoring/matching/proposal.html", context)
    return TemplateResponse(request, "mentoring/matching/proposal.html", context)

