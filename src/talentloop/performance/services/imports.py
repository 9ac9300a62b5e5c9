"""Big observation files checked or imported by the worker, with progress the page polls.

A file of more than ``BACKGROUND_ROWS`` rows would keep a web worker busy past its timeout, so the
upload page stores it (encrypted, as for the small files) and records an ``ObservationImportJob``;
the worker runs the same ``observations_ingest`` as the page and the API (a dry run first, then the
import once HR confirms), reporting how many rows it has checked.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor, actor_for
from talentloop.core.errors import DomainError, PermissionDenied
from talentloop.organisation import importing
from talentloop.performance import access
from talentloop.performance.forms import read_observation_file
from talentloop.performance.models import ImportJobState, ObservationImportJob
from talentloop.performance.services.observations import observations_ingest

logger = logging.getLogger(__name__)

BACKGROUND_ROWS = 2000  # files with more rows run in the worker


@transaction.atomic
def observation_import_job_start(
    *, actor: Actor, token: str, file_name: str, mode: str, dry_run: bool, total: int
) -> ObservationImportJob:
    """Record a job for a stored upload and hand it to the worker once this transaction commits."""
    if not access.can_upload_observations(actor):
        raise PermissionDenied(_("You may not upload observations."))
    assert actor.user is not None  # can_upload_observations: a signed-in user
    job = ObservationImportJob.objects.create(
        created_by=actor.user, token=token, file_name=file_name[:200], mode=mode, dry_run=dry_run, total=total
    )
    # the tasks module imports this one: looked up when enqueueing
    from talentloop.performance.tasks import run_observation_import

    transaction.on_commit(lambda: run_observation_import(job.pk))
    return job


def _rows_for(actor: Actor, job: ObservationImportJob) -> list[tuple[int, dict[str, Any]]] | None:
    content = importing.import_upload_load(actor=actor, token=job.token)
    if content is None:
        return None
    return read_observation_file(content)


def observation_import_job_run(job_id: int) -> str:
    """Run a job (the worker's side): check or import the stored file, recording progress and the
    outcome. Runs once: a job no longer queued is left alone."""
    claimed = ObservationImportJob.objects.filter(pk=job_id, state=ImportJobState.QUEUED).update(
        state=ImportJobState.RUNNING
    )
    if not claimed:
        return "skipped"
    job = ObservationImportJob.objects.select_related("created_by").get(pk=job_id)
    actor = actor_for(job.created_by)

    def progress(done: int) -> None:
        ObservationImportJob.objects.filter(pk=job_id).update(done=done)

    try:
        rows = _rows_for(actor, job)
        if rows is None:
            raise DomainError(_("This upload has expired or was already imported. Upload the file again."))
        ObservationImportJob.objects.filter(pk=job_id).update(total=len(rows))
        result = observations_ingest(
            actor=actor,
            items=[item for _line, item in rows],
            partial=job.dry_run or job.mode == "valid_only",
            channel="upload",
            dry_run=job.dry_run,
            progress=progress,
        )
    except DomainError as exc:
        _finish(
            job_id,
            ImportJobState.FAILED,
            error=str(exc.detail)[:500],
            result={"rejected": getattr(exc, "extra", {}).get("rejected") or []},
        )
        return "failed"
    except Exception:  # noqa: BLE001 - the page must learn that the job ended
        logger.exception("observation import job %s failed", job_id)
        _finish(job_id, ImportJobState.FAILED, error=_("The file could not be processed. Try again or split it."))
        return "failed"
    outcome = {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "corrections": result.corrections,
        "rejected": result.rejected,
    }
    if job.dry_run:
        outcome["outcomes"] = {str(k): v for k, v in result.outcomes.items()}
        outcome["after_close"] = sorted(result.after_close)
    else:
        outcome["rejected_rows"] = [
            {"line": rows[r["index"]][0], "item": rows[r["index"]][1], "errors": r["errors"]}
            for r in result.rejected[:1000]
        ]
        importing.import_upload_discard(actor=actor, token=job.token)
    _finish(job_id, ImportJobState.DONE, result=outcome)
    return "done"


def _finish(job_id: int, state: str, *, error: str = "", result: dict | None = None) -> None:
    ObservationImportJob.objects.filter(pk=job_id).update(
        state=state, error=error, result=result or {}, finished_at=timezone.now()
    )
