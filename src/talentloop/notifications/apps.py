from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "talentloop.notifications"
    label = "notifications"
