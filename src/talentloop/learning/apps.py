from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "talentloop.learning"
    label = "learning"
