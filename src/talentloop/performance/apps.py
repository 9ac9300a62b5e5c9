from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "talentloop.performance"
    label = "performance"

    def ready(self):
        from talentloop.core import generations
        from talentloop.performance import notification_kinds  # noqa: F401
        from talentloop.performance.models import Dimension, DimensionMetric, Metric, Scorecard, ScorecardVersion

        generations.watch(Metric, Scorecard, ScorecardVersion, Dimension, DimensionMetric)

        from talentloop.organisation import search
        from talentloop.performance import access

        # What the people pickers of feedback, peer nomination and improvement plans offer.
        search.register_scope("colleagues", access.feedback_colleagues)
        search.register_scope("managed", access.managed_employees)
