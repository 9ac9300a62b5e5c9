from django.apps import AppConfig

from talentloop.core import cache
from talentloop.organisation import search


class PerformanceConfig(AppConfig):
    name = "talentloop.performance"
    label = "performance"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        from talentloop.organisation.models import OrgUnit
        from talentloop.performance import access, notification_kinds  # noqa: F401 — notification_kinds registers the kinds
        from talentloop.performance.models import (  # see above
            Dimension,
            DimensionMetric,
            Feedback,
            FinalRating,
            Metric,
            Score,
            Scorecard,
            ScorecardVersion,
        )

        # Kept in the shared cache (performance.selectors: metric labels, the scorecard in force; a
        # scorecard applies by its org unit's path).
        cache.register("performance", Metric, Scorecard, ScorecardVersion, Dimension, DimensionMetric, OrgUnit)
        # A person's own results, kept for them (home's own sections) until one of these is written.
        # Scores are deleted only in bulk by the score writers, which renew the people themselves.
        cache.register_personal(Score, lambda row: (row.employee_id,), deletes=False)
        cache.register_personal(FinalRating, lambda row: (row.employee_id,))
        cache.register_personal(Feedback, lambda row: (row.giver_id, row.recipient_id))

        # What the people pickers of feedback, peer nomination and improvement plans offer.
        search.register_scope("colleagues", access.feedback_colleagues)
        search.register_scope("managed", access.managed_employees)
