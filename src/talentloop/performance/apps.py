from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "talentloop.performance"
    label = "performance"
