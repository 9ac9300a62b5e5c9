from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "talentloop.learning"
    label = "learning"

    def ready(self):
        from talentloop.learning import notification_kinds  # noqa: F401
