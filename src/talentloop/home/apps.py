from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "talentloop.home"
    label = "home"
