from django.apps import AppConfig

from talentloop.core import cache
from talentloop.organisation import search
from talentloop.performance import signals as performance_signals


class MentoringConfig(AppConfig):
    name = "talentloop.mentoring"
    label = "mentoring"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        from talentloop.mentoring import (  # noqa: F401 — notification_kinds registers the kinds
            access,
            notification_kinds,
            people,  # models: see above
            selectors,
        )
        from talentloop.mentoring.models import (  # models: see above
            Mentor,
            MentoringPlan,
            MentorPolicy,
            PlanItem,
            PlanTopic,
            SessionRecord,
        )
        from talentloop.mentoring.services.results_bridge import skill_assessment_from_result  # models: see above

        cache.register("mentoring", MentorPolicy)  # the current policy (services.qualification)
        # A plan and what hangs on it concern its mentee and its mentor (home's own sections of both).
        cache.register_personal(MentoringPlan, people.of_plan)
        for model in (PlanItem, PlanTopic, SessionRecord):
            cache.register_personal(model, people.of_plan_part)
        cache.register_personal(Mentor, people.of_mentor)

        # Whom the people pickers of a new plan and of HR's matching offer.
        search.register_scope("mentees", selectors.plan_mentee_candidates)
        search.register_scope("match-mentees", access.match_mentees)

        # What performance asks of mentoring (performance.signals): a mentor reads their mentees'
        # scores; a confirmed skill test becomes a skill assessment.
        performance_signals.register_score_reader("mentees", access.mentee_score_ids)
        performance_signals.register_skill_test_recorder(skill_assessment_from_result)
