from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "talentloop.mentoring"
    label = "mentoring"
