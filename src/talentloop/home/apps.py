from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "talentloop.home"
    label = "home"

    def ready(self):
        from django.db.models.signals import post_save

        from talentloop.accounts.models import RoleAssignment, User
        from talentloop.core import generations
        from talentloop.learning.models import BehaviourEvent, ContentCompletion, Dismissal
        from talentloop.mentoring.models import (
            Mentor,
            MentoringPlan,
            PlanItem,
            PlanTopic,
            ProgrammeTemplate,
            SessionRecord,
            SkillAssessment,
        )
        from talentloop.onboarding.models import Checklist, ChecklistStep, ChecklistTemplate
        from talentloop.organisation.models import Employee, EmploymentEvent, OrgUnit
        from talentloop.performance.models import Alert, AlertRule, Feedback, FinalRating, Metric, RootCauseReview

        # Every model a kept home section reads (home.selectors.base.kept; configuration is watched by
        # its own app under "config"). Scores, bulk writes and raw SQL bump the generation where they
        # are written.
        generations.watch(
            Employee, EmploymentEvent, OrgUnit, RoleAssignment,
            FinalRating, Feedback, Alert, AlertRule, Metric, RootCauseReview,
            Mentor, MentoringPlan, PlanItem, PlanTopic, ProgrammeTemplate, SessionRecord, SkillAssessment,
            Checklist, ChecklistStep, ChecklistTemplate,
            BehaviourEvent, ContentCompletion, Dismissal,
            name=generations.PEOPLE)
        # A mentor's account e-mail is shown when their employee record has none; a sign-in only
        # stamps last_login, which no section shows.
        post_save.connect(_user_saved, sender=User, dispatch_uid="home-people-user")


def _user_saved(update_fields=None, **_kwargs):
    from talentloop.core import generations

    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    generations.bump(generations.PEOPLE)
