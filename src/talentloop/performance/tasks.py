"""Background jobs of the performance app: thin wrappers around services."""

from huey.contrib.djhuey import db_task

from talentloop.performance import periods as P
from talentloop.performance.services.scores import recompute_period


@db_task(retries=2, retry_delay=2)
def recompute_scores(period_key: str, employee_ids: list[int] | None = None):
    """Recompute only the affected people of one period (enqueued after observations commit)."""
    return recompute_period(P.parse(period_key), employee_ids).scored
