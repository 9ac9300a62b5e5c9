from django.apps import AppConfig

from talentloop.core import cache
from talentloop.organisation import search


class OnboardingConfig(AppConfig):
    name = "talentloop.onboarding"
    label = "onboarding"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        from talentloop.onboarding import access, notification_kinds  # noqa: F401 — notification_kinds registers the kinds
        from talentloop.onboarding.models import Checklist, ChecklistStep  # models: see above

        # A new hire's checklist and its steps: what is kept for them (home's own sections).
        cache.register_personal(Checklist, lambda row: (row.employee_id,))
        cache.register_personal(ChecklistStep, lambda row: Checklist.objects.filter(pk=row.checklist_id)
                                .values_list("employee_id", flat=True))

        search.register_scope("new-hires", access.start_subjects)
