from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "talentloop.learning"
    label = "learning"

    def ready(self):
        from talentloop.core import generations
        from talentloop.learning import notification_kinds  # noqa: F401
        from talentloop.learning.models import ContentItem

        generations.watch(ContentItem, ContentItem.org_units.through, ContentItem.job_families.through)
