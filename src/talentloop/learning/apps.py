from django.apps import AppConfig

from talentloop.core import cache
from talentloop.performance.signals import work_result_complaint


class LearningConfig(AppConfig):
    name = "talentloop.learning"
    label = "learning"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        from talentloop.learning import notification_kinds  # noqa: F401 — registers the kinds
        from talentloop.learning.models import (  # models: see above
            BehaviourEvent,
            ContentCompletion,
            ContentItem,
            Dismissal,
        )
        from talentloop.learning.services import behaviour_from_complaint  # models: see above

        # A complaint about a person's work is a behaviour fact that complaint-handling content answers.
        work_result_complaint.connect(behaviour_from_complaint, dispatch_uid="learning-behaviour-from-complaint")

        # The published catalogue (access.published_catalogue).
        cache.register("learning", ContentItem, ContentItem.org_units.through, ContentItem.job_families.through)
        # What a person finished, dismissed or did: their recommendations (home's own sections).
        for model in (BehaviourEvent, ContentCompletion, Dismissal):
            cache.register_personal(model, lambda row: (row.employee_id,))
