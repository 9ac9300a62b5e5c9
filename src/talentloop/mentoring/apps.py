from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "talentloop.mentoring"
    label = "mentoring"

    def ready(self):
        from talentloop.core import generations
        from talentloop.mentoring.models import MentorPolicy

        generations.watch(MentorPolicy)

        from talentloop.mentoring import access, selectors
        from talentloop.organisation import search

        # Whom the people pickers of a new plan and of HR's matching offer.
        search.register_scope("mentees", selectors.plan_mentee_candidates)
        search.register_scope("match-mentees", access.match_mentees)
