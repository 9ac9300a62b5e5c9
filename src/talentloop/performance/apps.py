from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "talentloop.performance"
    label = "performance"

    def ready(self):
        # Imported here: apps.py is loaded before the app registry (models, signals) is ready.
        from talentloop.core import cache
        from talentloop.organisation.models import OrgUnit
        from talentloop.performance import notification_kinds  # noqa: F401
        from talentloop.performance.models import Dimension, DimensionMetric, Metric, Scorecard, ScorecardVersion

        # Kept in the shared cache (performance.selectors: metric labels, the scorecard in force; a
        # scorecard applies by its org unit's path).
        cache.register("performance", Metric, Scorecard, ScorecardVersion, Dimension, DimensionMetric, OrgUnit)

        from talentloop.organisation import search
        from talentloop.performance import access

        # What the people pickers of feedback, peer nomination and improvement plans offer.
        search.register_scope("colleagues", access.feedback_colleagues)
        search.register_scope("managed", access.managed_employees)
