from django.apps import AppConfig


class CareersConfig(AppConfig):
    name = "talentloop.careers"
    label = "careers"

    def ready(self):
        from talentloop.careers.models import CareerLadder, LadderLevel
        from talentloop.core import generations

        generations.watch(CareerLadder, LadderLevel, LadderLevel.required_courses.through)
