"""Background jobs of payroll: calculating a run (thin: the service does the work and re-checks access).

A large pay group takes longer than a request may, so the run page asks for the calculation, the
worker does it, and the page polls :func:`calculation_status` until it is finished. The status lives
in the shared cache (every web and worker process sees it) and expires on its own: a worker that died
leaves no run "calculating" for ever."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from talentloop.core.access import Actor, actor_for
from talentloop.core.errors import Conflict, DomainError, PermissionDenied
from talentloop.payroll import access
from talentloop.payroll.models import PayrollRun, RunKind, RunState
from talentloop.payroll.services.runs import payroll_run_calculate

#: How long a queued or finished calculation's status is kept (seconds).
STATUS_SECONDS = 30 * 60
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def _key(run_id: int) -> str:
    return f"payroll.run.{run_id}.calculation"


def calculation_status(run_id: int) -> dict[str, Any] | None:
    """``{"state": queued|running|done|failed, "message": ..., "people": n}`` of the run's latest
    calculation asked for from a page, or None."""
    return cache.get(_key(run_id))


def _set(run_id: int, state: str, **values: Any) -> None:
    cache.set(_key(run_id), {"state": state, "at": timezone.now().isoformat(), **values}, STATUS_SECONDS)


def calculation_clear(run_id: int) -> None:
    cache.delete(_key(run_id))


def calculation_request(*, actor: Actor, run: PayrollRun) -> None:
    """Queue the run's calculation for ``actor`` after the same checks the service makes, so a page
    says at once what is wrong instead of after the worker tried."""
    if not access.can_run_payroll(actor, run.pay_group):
        raise PermissionDenied(_("You may not run this pay group's payroll."))
    if run.kind == RunKind.REVERSAL:
        raise Conflict(_("A reversal run is not calculated: it undoes the run it reverses."))
    if run.state not in (RunState.DRAFT, RunState.CALCULATED):
        raise Conflict(_("The run is %(state)s: this step is not possible now.") % {"state": run.get_state_display()})
    status = calculation_status(run.pk)
    if status is not None and status["state"] in (QUEUED, RUNNING):
        raise Conflict(_("This run is being calculated already."))
    _set(run.pk, QUEUED)
    payroll_run_calculate_job(run.pk, actor.user_id)


@db_task()
def payroll_run_calculate_job(run_id: int, user_id: int | None) -> dict[str, Any]:
    """Calculate the run as the person who asked (their access checked again by the service)."""
    _set(run_id, RUNNING)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    actor = actor_for(user)
    run = PayrollRun.objects.select_related("pay_group").filter(pk=run_id).first()
    try:
        if run is None or not actor.is_authenticated:
            raise PermissionDenied(_("You may not run this pay group's payroll."))
        result = payroll_run_calculate(actor=actor, run=run)
    except DomainError as exc:
        _set(run_id, FAILED, message=exc.detail)
        return {"state": FAILED}
    except Exception:
        _set(run_id, FAILED, message=_("The calculation failed. Please try again or contact the administrator."))
        raise
    _set(run_id, DONE, people=result.people, refused=result.refused, seconds=round(result.seconds, 2))
    return {"state": DONE, "people": result.people, "refused": result.refused}
