from django.apps import AppConfig


class CareersConfig(AppConfig):
    name = "talentloop.careers"
    label = "careers"

    def ready(self):
        from talentloop.careers.models import CareerLadder, LadderLevel
        from talentloop.core import cache
        from talentloop.learning.models import ContentItem

        # The ladders of the job families (selectors.family_ladder), with their courses' titles.
        cache.register("careers", CareerLadder, LadderLevel, LadderLevel.required_courses.through, ContentItem)
