from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "talentloop.notifications"
    label = "notifications"

    def ready(self):
        # The kinds of the performance and mentoring events, and the mentoring delivery hook.
        from talentloop.notifications import kinds  # noqa: F401
