from django.apps import AppConfig

from talentloop.organisation import search


class OnboardingConfig(AppConfig):
    name = "talentloop.onboarding"
    label = "onboarding"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        from talentloop.onboarding import access, notification_kinds  # noqa: F401 — notification_kinds registers the kinds

        search.register_scope("new-hires", access.start_subjects)
