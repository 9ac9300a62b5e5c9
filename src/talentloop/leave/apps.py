from django.apps import AppConfig


class LeaveConfig(AppConfig):
    name = "talentloop.leave"
    label = "leave"
