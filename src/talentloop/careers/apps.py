from django.apps import AppConfig

from talentloop.core import cache


class CareersConfig(AppConfig):
    name = "talentloop.careers"
    label = "careers"

    def ready(self):
        # Imported here: models load only once the app registry is ready.
        from talentloop.careers.models import CareerLadder, LadderLevel
        from talentloop.learning.models import ContentItem  # a model: see above

        # The ladders of the job families (selectors.family_ladder), with their courses' titles.
        cache.register("careers", CareerLadder, LadderLevel, LadderLevel.required_courses.through, ContentItem)
