from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "talentloop.onboarding"
    label = "onboarding"

    def ready(self):
        # Imported here: apps.py is loaded before the app registry (models, signals) is ready.
        from talentloop.onboarding import access, notification_kinds  # noqa: F401
        from talentloop.organisation import search

        search.register_scope("new-hires", access.start_subjects)
