from django.apps import AppConfig


class CareersConfig(AppConfig):
    name = "talentloop.careers"
    label = "careers"

    def ready(self):
        # Imported here: apps.py is loaded before the app registry (models, signals) is ready.
        from talentloop.careers.models import CareerLadder, LadderLevel
        from talentloop.core import cache
        from talentloop.learning.models import ContentItem

        # The ladders of the job families (selectors.family_ladder), with their courses' titles.
        cache.register("careers", CareerLadder, LadderLevel, LadderLevel.required_courses.through, ContentItem)
