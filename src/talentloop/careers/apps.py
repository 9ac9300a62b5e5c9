from django.apps import AppConfig


class CareersConfig(AppConfig):
    name = "talentloop.careers"
    label = "careers"
