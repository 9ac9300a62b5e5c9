from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "talentloop.learning"
    label = "learning"

    def ready(self):
        # Imported here: apps.py is loaded before the app registry (models, signals) is ready.
        from talentloop.learning.services import behaviour_from_complaint
        from talentloop.performance.signals import work_result_complaint

        # A complaint about a person's work is a behaviour fact that complaint-handling content answers.
        work_result_complaint.connect(behaviour_from_complaint, dispatch_uid="learning-behaviour-from-complaint")

        from talentloop.core import cache
        from talentloop.learning import notification_kinds  # noqa: F401
        from talentloop.learning.models import ContentItem

        # The published catalogue (access.published_catalogue).
        cache.register("learning", ContentItem, ContentItem.org_units.through, ContentItem.job_families.through)
