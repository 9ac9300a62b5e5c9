from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "talentloop.onboarding"
    label = "onboarding"
