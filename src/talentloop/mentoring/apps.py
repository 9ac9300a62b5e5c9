from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "talentloop.mentoring"
    label = "mentoring"

    def ready(self):
        # Imported here: apps.py is loaded before the app registry (models, signals) is ready.
        from talentloop.core import cache
        from talentloop.mentoring import notification_kinds  # noqa: F401  (registers the kinds)
        from talentloop.mentoring.models import MentorPolicy

        cache.register("mentoring", MentorPolicy)  # the current policy (services.qualification)

        from talentloop.mentoring import access, selectors
        from talentloop.mentoring.services.results_bridge import skill_assessment_from_result
        from talentloop.organisation import search
        from talentloop.performance import signals as performance_signals

        # Whom the people pickers of a new plan and of HR's matching offer.
        search.register_scope("mentees", selectors.plan_mentee_candidates)
        search.register_scope("match-mentees", access.match_mentees)

        # What performance asks of mentoring (performance.signals): a mentor reads their mentees'
        # scores; a confirmed skill test becomes a skill assessment.
        performance_signals.register_score_reader("mentees", access.mentee_score_ids)
        performance_signals.register_skill_test_recorder(skill_assessment_from_result)
