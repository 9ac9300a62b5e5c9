from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "talentloop.attendance"
    label = "attendance"
