from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "talentloop.mentoring"
    label = "mentoring"

    def ready(self):
        from talentloop.core import generations
        from talentloop.mentoring.models import MentorPolicy

        generations.watch(MentorPolicy)

        from talentloop.mentoring import selectors
        from talentloop.organisation import search

        search.register_scope("mentees", selectors.plan_mentee_candidates)
