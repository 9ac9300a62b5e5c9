"""Background observation uploads: the progress page of a big file checked or imported by the worker.

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- A job is seen by the person who started it (HR, who may upload observations) and nobody else:
  a 404 for everyone else, as for a record that does not exist.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

#                                                                           anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("performance/observations/upload/jobs/<int:pk>/", "GET", "/performance/observations/upload/jobs/{perf_job}/",
        (302, 404, 404, 404, 200, 404, 404)),
]

API: list[Row] = []


def keys(world) -> dict:
    """A running background check started by HR."""
    from talentloop.performance.models import ImportJobState, ObservationImportJob

    job = ObservationImportJob.objects.create(created_by=world.hr, token="m" * 32, file_name="matrix.csv",
                                              mode="all", state=ImportJobState.RUNNING, total=3000, done=10)
    return {"perf_job": job.pk}
