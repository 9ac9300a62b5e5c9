"""Cohort matching runs: solve, let HR review and change, publish as draft plans.

``match_run_create`` scores every allowed mentee–mentor pair (``selectors_matching``) and lets
``solver.assign`` place the cohort so that the total pair score is the highest possible under the
mentors' free places; the result is a draft run HR reviews. HR may move a mentee to another
mentor or take them out; publishing re-checks every place and creates one draft plan per placed
mentee through ``services.programmes.mentoring_plan_create`` — the plans' own rules apply — in one
transaction: a problem with any pair publishes nothing and names the pair.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.mentoring import access, solver
from talentloop.mentoring.models import (
    MatchProposal,
    MatchRun,
    MatchRunStatus,
    Mentor,
    ProgrammeTemplate,
    UnplacedReason,
)
from talentloop.mentoring.selectors_matching import (
    evaluate,
    explain,
    match_context,
    mentee_blockers,
    mentee_needs,
    pair_problems,
    places_taken,
    score_matrix,
)
from talentloop.mentoring.services.programmes import mentoring_plan_create
from talentloop.organisation.models import Employee

MAX_COHORT = 2000


def _check_template(template: ProgrammeTemplate) -> None:
    if not template.is_active:
        raise InvalidInput(_("Please correct the errors below."),
                           {"template": [_("This programme is no longer offered.")]})


@transaction.atomic
def match_run_create(*, actor: Actor, template: ProgrammeTemplate, mentees: list[Employee], starts_on: dt.date,
                     name: str = "") -> MatchRun:
    """Match a cohort for a programme and keep the result as a draft run for HR's review.

    ``mentees`` come from ``access.match_mentees(actor)``; each is checked again here."""
    if not access.can_run_matching(actor):
        raise PermissionDenied(_("Only HR matches mentees to mentors."))
    _check_template(template)
    mentees = list({m.pk: m for m in mentees}.values())
    if not mentees:
        raise InvalidInput(_("Please correct the errors below."), {"mentees": [_("Choose at least one mentee.")]})
    if len(mentees) > MAX_COHORT:
        raise InvalidInput(_("Please correct the errors below."),
                           {"mentees": [_("At most %(max)s mentees in one run.") % {"max": MAX_COHORT}]})
    allowed = set(access.match_mentees(actor).filter(pk__in=[m.pk for m in mentees]).values_list("pk", flat=True))
    outside = [m for m in mentees if m.pk not in allowed]
    if outside:
        raise InvalidInput(_("Please correct the errors below."), {"mentees": [
            _("%(name)s is not someone you can match.") % {"name": outside[0].display_name}]})
    started = time.perf_counter()
    ctx = match_context(template, as_of=timezone.localdate())
    needs = mentee_needs([m.pk for m in mentees], template, ctx.config, ctx.as_of)
    blockers = mentee_blockers(mentees, template)
    cohort = [m for m in mentees if m.pk not in blockers]
    columns = [c for c in ctx.candidates if c.free > 0]
    scores = score_matrix(ctx, cohort, needs, columns)
    solved_at = time.perf_counter()
    placements = solver.assign(scores, [c.free for c in columns])
    solve_seconds = time.perf_counter() - solved_at
    greedy_total = solver.total(solver.greedy(scores, [c.free for c in columns]))

    run = MatchRun(template=template, name=(name or "").strip()[:120] or f"{template.label} · {starts_on}",
                   starts_on=starts_on, config=ctx.config if ctx.config.pk else None, created_by=actor.user)
    run.full_clean(exclude=["config", "summary"])
    run.save()
    proposals = []
    for placement, mentee in zip(placements, cohort, strict=True):
        if placement.mentor is None:
            problems = Counter(p for c in columns for p in pair_problems(ctx, c, mentee))
            proposals.append(MatchProposal(
                run=run, mentee=mentee, unplaced_reason=placement.reason,
                explanation={"needs": [{"label": n.label, "source": n.source} for n in needs[mentee.pk]],
                             "problems": dict(problems.most_common(5)),
                             "full": sum(1 for c in ctx.candidates if c.free <= 0)}))
        else:
            result = evaluate(ctx, mentee, needs[mentee.pk], columns[placement.mentor])
            proposals.append(MatchProposal(run=run, mentee=mentee, mentor=result.candidate.mentor,
                                           score=result.score, explanation=explain(ctx, result, needs[mentee.pk],
                                                                                   mentee)))
    for mentee in mentees:
        if mentee.pk in blockers:
            proposals.append(MatchProposal(run=run, mentee=mentee, unplaced_reason=blockers[mentee.pk],
                                           explanation={}))
    MatchProposal.objects.bulk_create(proposals, batch_size=1000)
    placed = [p for p in proposals if p.mentor_id]
    total = sum((cast(Decimal, p.score) for p in placed), Decimal(0))  # a placed mentee has a pair score
    run.summary = {
        "mentees": len(mentees), "placed": len(placed), "unplaced": len(proposals) - len(placed),
        "reasons": dict(Counter(p.unplaced_reason for p in proposals if not p.mentor_id)),
        "mentors": len(columns), "places": sum(c.free for c in columns),
        "total_score": str(total), "average_score": str((total / len(placed)).quantize(Decimal("0.1"))) if placed
        else None, "greedy_total_score": str(greedy_total),
        "seconds": round(time.perf_counter() - started, 3), "solver_seconds": round(solve_seconds, 3),
    }
    run.save(update_fields=["summary"])
    audit_record(actor=actor, action="create", obj=run, changes={
        "template": str(template.pk), "starts_on": str(starts_on), "mentees": len(mentees), "placed": len(placed)})
    return run


def _locked_run(actor: Actor, run: MatchRun) -> MatchRun:
    run = MatchRun.objects.select_for_update().select_related("template").get(pk=run.pk)
    if not access.can_change_match_run(actor, run):
        if run.status != MatchRunStatus.DRAFT:
            raise Conflict(_("This run is already %(status)s.") % {"status": run.get_status_display()})
        raise PermissionDenied(_("Only HR reviews a matching run."))
    return run


def _run_load(run: MatchRun) -> dict[int, int]:
    """Places the run's proposals take per mentor."""
    return Counter(run.proposals.filter(mentor__isnull=False).values_list("mentor_id", flat=True))


@transaction.atomic
def match_proposal_change(*, actor: Actor, proposal: MatchProposal, mentor: Mentor | None) -> MatchProposal:
    """HR moves a mentee of a draft run to another mentor, or takes them out (``mentor=None``).
    The same rules as the solver apply: the pair must be allowed and the mentor must have a place."""
    run = _locked_run(actor, proposal.run)
    proposal = MatchProposal.objects.select_related("mentee", "mentee__org_unit").get(pk=proposal.pk, run=run)
    before = proposal.mentor_id
    if mentor is None:
        proposal.mentor, proposal.score = None, None
        proposal.unplaced_reason = UnplacedReason.REMOVED_BY_HR
        proposal.explanation = {**(proposal.explanation or {}), "problems": {}}
    else:
        if proposal.unplaced_reason in (UnplacedReason.ALREADY_IN_PROGRAMME, UnplacedReason.OUTSIDE_PROGRAMME):
            raise InvalidInput(proposal.get_unplaced_reason_display(),
                               {"mentor": [proposal.get_unplaced_reason_display()]})
        ctx = match_context(run.template, as_of=timezone.localdate())
        candidate = next((c for c in ctx.candidates if c.mentor.pk == mentor.pk), None)
        if candidate is None:
            raise InvalidInput(_("Please correct the errors below."), {"mentor": [_("The mentor is not active.")]})
        load = _run_load(run)
        if before:
            load[before] = load.get(before, 0) - 1
        if mentor.pk != before and candidate.free - load.get(mentor.pk, 0) <= 0:
            raise Conflict(_("%(mentor)s has no free place left in this run.")
                           % {"mentor": mentor.employee.display_name}, {"mentor": [_("The mentor has no free place.")]})
        needs = mentee_needs([proposal.mentee_id], run.template, ctx.config, ctx.as_of)[proposal.mentee_id]
        result = evaluate(ctx, proposal.mentee, needs, candidate)
        if result.score is None:
            raise InvalidInput(result.problems[0], {"mentor": result.problems})
        proposal.mentor, proposal.score, proposal.unplaced_reason = mentor, result.score, ""
        proposal.explanation = explain(ctx, result, needs, proposal.mentee)
    proposal.changed_by_hr = True
    proposal.full_clean(exclude=["run", "mentee", "mentor", "plan"])
    proposal.save()
    audit_record(actor=actor, action="update", obj=run, summary="matching proposal changed",
                 changes={"mentee": str(proposal.mentee_id),
                          "mentor": {"before": str(before) if before else None,
                                     "after": str(proposal.mentor_id) if proposal.mentor_id else None}})
    return proposal


@transaction.atomic
def match_run_publish(*, actor: Actor, run: MatchRun) -> MatchRun:
    """Create a draft plan for every placed mentee, starting on the run's date, then mark the run
    published. All or nothing."""
    run = _locked_run(actor, run)
    proposals = list(run.proposals.filter(mentor__isnull=False)
                     .select_related("mentee", "mentee__org_unit", "mentor", "mentor__employee")
                     .order_by("id"))
    if not proposals:
        raise InvalidInput(_("Nobody is placed in this run."), {"__all__": [_("Nobody is placed in this run.")]})
    # Places may have gone since the run was made: check them all before creating anything.
    mentors = {m.pk: m for p in proposals if (m := p.mentor) is not None}  # every proposal read is placed
    list(Mentor.objects.select_for_update().filter(pk__in=list(mentors)).values_list("pk", flat=True))
    taken = places_taken()
    load = Counter(m.pk for m in (p.mentor for p in proposals) if m is not None)
    full = [mentors[pk] for pk, n in load.items() if taken.get(pk, 0) + n > mentors[pk].capacity]
    if full:
        names = ", ".join(m.employee.display_name for m in full[:5])
        raise Conflict(_("Not enough free places any more with: %(names)s. Move their mentees first.")
                       % {"names": names}, {"__all__": [names]})
    for p in proposals:
        assert p.mentor is not None  # only placed proposals are read above
        try:
            plan = mentoring_plan_create(actor=actor, mentor=p.mentor, mentee=p.mentee, template=run.template,
                                         starts_on=run.starts_on)
        except (InvalidInput, PermissionDenied, Conflict) as exc:
            raise InvalidInput(_("%(mentee)s with %(mentor)s: %(problem)s") % {
                "mentee": p.mentee.display_name, "mentor": p.mentor.employee.display_name, "problem": exc.detail},
                {"__all__": [exc.detail, *[m for ms in exc.errors.values() for m in ms if m != exc.detail]]}) from exc
        p.plan = plan
    MatchProposal.objects.bulk_update(proposals, ["plan"], batch_size=1000)
    run.status, run.published_by, run.published_at = MatchRunStatus.PUBLISHED, actor.user, timezone.now()
    run.save(update_fields=["status", "published_by", "published_at"])
    audit_record(actor=actor, action="update", obj=run, summary="matching run published",
                 changes={"status": "published", "plans": len(proposals)})
    return run


@transaction.atomic
def match_run_discard(*, actor: Actor, run: MatchRun) -> MatchRun:
    run = _locked_run(actor, run)
    run.status = MatchRunStatus.DISCARDED
    run.save(update_fields=["status"])
    audit_record(actor=actor, action="update", obj=run, summary="matching run discarded",
                 changes={"status": "discarded"})
    return run


__all__ = ["match_proposal_change", "match_run_create", "match_run_discard", "match_run_publish"]
