from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "talentloop.onboarding"
    label = "onboarding"

    def ready(self):
        from talentloop.onboarding import notification_kinds  # noqa: F401
