from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "talentloop.organisation"
    label = "organisation"
