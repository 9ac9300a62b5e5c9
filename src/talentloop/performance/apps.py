from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "talentloop.performance"
    label = "performance"

    def ready(self):
        from talentloop.performance import notification_kinds  # noqa: F401
