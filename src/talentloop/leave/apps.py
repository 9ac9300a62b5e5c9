from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "talentloop.leave"
    label = "leave"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        # notification_kinds registers the kinds, tasks the periodic jobs, receivers the signal handlers.
        from talentloop.leave import notification_kinds, receivers, tasks  # noqa: F401
