"""Who may see and change mentoring data. Every view, endpoint, task and command comes through here.

- A mentor sees their own mentees' plans and only what mentoring needs (plan, schedule, sessions,
  assessments, reports) — never the mentee's HR record or scores.
- A mentee sees their own plans.
- HR sees everything whose person is in their scope, decides applications and approves plans.
- A mentor's manager (anyone above the mentor in the reporting tree) sees the overdue items of the
  mentors below them, and nothing else of the plans.
- Administrators read everything (they are technical accounts) but make no mentoring decisions.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from talentloop.core.access import Actor
from talentloop.mentoring.models import (
    ItemKind,
    MatchRun,
    MenteeSurvey,
    Mentor,
    MentorApplication,
    MentoringPlan,
    MentorPolicy,
    PlanItem,
    PlanStatus,
    ProgrammeTemplate,
)
from talentloop.organisation.access import hr_covers_unit
from talentloop.organisation.models import Employee


def _hr_people_q(actor: Actor, prefix: str) -> Q:
    """People inside the actor's HR scope, as a filter on ``<prefix>org_unit__path``."""
    if actor.hr_everywhere:
        # Not an empty Q(): OR-ing an empty Q drops it instead of matching everything.
        return Q(**{f"{prefix}pk__isnull": False})
    q = Q(pk__in=[])
    for path in actor.hr_unit_paths:
        q |= Q(**{f"{prefix}org_unit__path__startswith": path})
    return q


def _is_self(actor: Actor, employee_id: int | None) -> bool:
    return actor.employee is not None and employee_id is not None and actor.employee.pk == employee_id


# ---------------------------------------------------------------- configuration


def can_manage_mentoring(actor: Actor) -> bool:
    """The policy, programme templates, certifications and decisions are HR's."""
    return actor.is_authenticated and actor.is_hr


def visible_policies(actor: Actor) -> QuerySet[MentorPolicy]:
    """Everyone signed in may read the admission rules they are screened against."""
    return MentorPolicy.objects.all() if actor.is_authenticated else MentorPolicy.objects.none()


def visible_templates(actor: Actor) -> QuerySet[ProgrammeTemplate]:
    if not actor.is_authenticated:
        return ProgrammeTemplate.objects.none()
    if can_manage_mentoring(actor):
        return ProgrammeTemplate.objects.all()
    return ProgrammeTemplate.objects.filter(is_active=True)


# ---------------------------------------------------------------- qualification


def can_apply_as_mentor(actor: Actor) -> bool:
    return actor.is_authenticated and actor.employee is not None


def is_mentor(actor: Actor) -> bool:
    """A person holding the mentor role: their mentees, results and survey figures are theirs to read."""
    return actor.is_authenticated and actor.employee is not None and "mentor" in actor.roles


def can_become_mentor(actor: Actor) -> bool:
    """The invitation to apply is for employees who are not mentors already."""
    return can_apply_as_mentor(actor) and not is_mentor(actor)


def can_view_own_mentoring(actor: Actor) -> bool:
    """One's own mentoring page and surveys need an employee record."""
    return actor.is_authenticated and actor.employee is not None


def can_browse_mentors(actor: Actor) -> bool:
    """The mentor directory is for employees choosing a mentor, and for HR and admins."""
    return actor.is_authenticated and (actor.employee is not None or actor.is_hr or actor.is_admin)


def visible_applications(actor: Actor) -> QuerySet[MentorApplication]:
    """One's own applications; HR: those of people in their scope; admins: all (read only)."""
    qs = MentorApplication.objects.all()
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_admin:
        return qs
    q = Q(pk__in=[])
    if actor.employee is not None:
        q |= Q(employee=actor.employee)
    if actor.is_hr:
        q |= _hr_people_q(actor, "employee__")
    return qs.filter(q)


def can_decide_application(actor: Actor, application: MentorApplication) -> bool:
    """HR covering the applicant, never on their own application."""
    return (hr_covers_unit(actor, application.employee.org_unit)
            and not _is_self(actor, application.employee_id))


def can_list_qualified(actor: Actor) -> bool:
    return can_manage_mentoring(actor)


def screening_subjects(actor: Actor) -> QuerySet[Employee]:
    """Whom HR may screen and invite: active people in their scope."""
    if not can_manage_mentoring(actor):
        return Employee.objects.none()
    return Employee.objects.filter(_hr_people_q(actor, ""), status="active")


def visible_mentors(actor: Actor) -> QuerySet[Mentor]:
    """The mentor directory (name, expertise, profile) is open to everyone signed in, so mentees
    can see who mentors what; inactive mentors only to HR and admins."""
    if not actor.is_authenticated:
        return Mentor.objects.none()
    if actor.is_admin or actor.is_hr:
        return Mentor.objects.all()
    return Mentor.objects.filter(Q(active=True) | Q(employee=actor.employee) if actor.employee else Q(active=True))


def can_edit_mentor(actor: Actor, mentor: Mentor) -> bool:
    """HR covering the mentor changes capacity and status; the mentor edits their own profile."""
    return hr_covers_unit(actor, mentor.employee.org_unit) or _is_self(actor, mentor.employee_id)


def can_edit_mentor_capacity(actor: Actor, mentor: Mentor) -> bool:
    return hr_covers_unit(actor, mentor.employee.org_unit)


# ---------------------------------------------------------------- plans


def visible_plans(actor: Actor) -> QuerySet[MentoringPlan]:
    """The mentee's own plans, the mentor's plans, HR's scope; admins read all."""
    qs = MentoringPlan.objects.all()
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_admin:
        return qs
    q = Q(pk__in=[])
    if actor.employee is not None:
        q |= Q(mentee=actor.employee) | Q(mentor__employee=actor.employee)
    if actor.is_hr:
        q |= _hr_people_q(actor, "mentee__")
    return qs.filter(q)


def is_plan_mentor(actor: Actor, plan: MentoringPlan) -> bool:
    return _is_self(actor, plan.mentor.employee_id)


def is_plan_hr(actor: Actor, plan: MentoringPlan) -> bool:
    return hr_covers_unit(actor, plan.mentee.org_unit)


def can_start_plan(actor: Actor, mentor: Mentor | None = None, mentee: Employee | None = None) -> bool:
    """HR covering the mentee, or an active mentor for themselves."""
    if not actor.is_authenticated:
        return False
    if mentee is not None and hr_covers_unit(actor, mentee.org_unit):
        return True
    if mentee is None and actor.is_hr:
        return True
    own_mentor = actor.employee is not None and "mentor" in actor.roles
    if mentor is None:
        return own_mentor
    return own_mentor and mentor.active and mentor.employee_id == actor.employee.pk  # type: ignore[union-attr]


def can_edit_plan(actor: Actor, plan: MentoringPlan) -> bool:
    """The plan's mentor or HR tailor a plan while it is a draft or was returned."""
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
        return False
    return is_plan_mentor(actor, plan) or is_plan_hr(actor, plan)


def can_submit_plan(actor: Actor, plan: MentoringPlan) -> bool:
    return can_edit_plan(actor, plan)


def can_decide_plan(actor: Actor, plan: MentoringPlan) -> bool:
    """HR covering the mentee approves or returns a submitted plan — never their own as mentor."""
    return (plan.status == PlanStatus.SUBMITTED and is_plan_hr(actor, plan)
            and not is_plan_mentor(actor, plan))


def can_cancel_plan(actor: Actor, plan: MentoringPlan) -> bool:
    if plan.status in (PlanStatus.COMPLETED, PlanStatus.CANCELLED):
        return False
    return is_plan_hr(actor, plan) or (is_plan_mentor(actor, plan) and plan.status in (
        PlanStatus.DRAFT, PlanStatus.RETURNED, PlanStatus.SUBMITTED))


def visible_items(actor: Actor) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(plan__in=visible_plans(actor))


def can_complete_item(actor: Actor, item: PlanItem) -> bool:
    """The mentor records 1:1s and writes reports; a skill score may also be recorded by HR."""
    plan = item.plan
    if item.completed_on is not None or plan.status not in (PlanStatus.ACTIVE, PlanStatus.APPROVED,
                                                            PlanStatus.COMPLETED):
        return False
    if is_plan_mentor(actor, plan):
        return True
    return item.kind == ItemKind.SKILL_ASSESSMENT and is_plan_hr(actor, plan)


def can_view_overdue(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.has_reports or actor.is_hr or actor.is_admin)


def overdue_items_scope(actor: Actor) -> QuerySet[PlanItem]:
    """Items the mentor's management chain is alerted about: those of mentors below the actor
    (HR: mentors in their scope). Only the item, its due date, the mentor and the mentee are shown."""
    if not actor.is_authenticated:
        return PlanItem.objects.none()
    if actor.is_admin:
        return PlanItem.objects.all()
    q = Q(pk__in=[])
    if actor.has_reports:
        q |= Q(plan__mentor__employee__manager_path__startswith=actor.reports_prefix)
    if actor.is_hr:
        q |= _hr_people_q(actor, "plan__mentor__employee__")
    return PlanItem.objects.filter(q)


# ---------------------------------------------------------------- effectiveness, surveys and matching
#
# Survey answers are confidential: no scope below ever returns a single answer to anyone but the
# mentee who gave it. Mentors and HR read aggregates (selectors_effectiveness.survey_aggregate_get),
# and HR the unattributed comments of counted answers.


def can_view_mentor_effectiveness(actor: Actor, mentor: Mentor) -> bool:
    """The mentor, anyone above the mentor in the reporting tree (it feeds the mentor's evaluation),
    HR covering the mentor, and administrators (read only)."""
    if not actor.is_authenticated:
        return False
    if actor.is_admin or _is_self(actor, mentor.employee_id):
        return True
    if actor.has_reports and mentor.employee.manager_path.startswith(actor.reports_prefix):
        return True
    return hr_covers_unit(actor, mentor.employee.org_unit)


def can_view_mentee_growth(actor: Actor, mentor: Mentor) -> bool:
    """The per-mentee breakdown of a mentor's effectiveness (each mentee's ratings, final ones
    included) is HR's: the rule of final ratings (``performance.access.can_view_final_rating``) leaves
    the technical admin out. The mentor, their managers and the admin see the aggregated inputs only."""
    if not actor.is_authenticated or _is_self(actor, mentor.employee_id):
        return False
    return hr_covers_unit(actor, mentor.employee.org_unit)


def can_view_mentor_ranking(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def rankable_mentors(actor: Actor) -> QuerySet[Mentor]:
    """Mentors in the ranking: HR's scope; administrators read all."""
    if not can_view_mentor_ranking(actor):
        return Mentor.objects.none()
    if actor.is_admin:
        return Mentor.objects.all()
    return Mentor.objects.filter(_hr_people_q(actor, "employee__"))


def can_view_programme_results(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_manage_effectiveness_config(actor: Actor) -> bool:
    """The composite weights, thresholds and matching weights are organisation-wide settings."""
    return can_manage_mentoring(actor)


def visible_surveys(actor: Actor) -> QuerySet[MenteeSurvey]:
    """A survey is the mentee's alone: nobody else sees that it exists, let alone its answer."""
    if not actor.is_authenticated or actor.employee is None:
        return MenteeSurvey.objects.none()
    return MenteeSurvey.objects.filter(plan__mentee=actor.employee)


def can_answer_survey(actor: Actor, survey: MenteeSurvey, today: dt.date) -> bool:
    """The mentee, once, while the survey is open."""
    return (_is_self(actor, survey.plan.mentee_id) and not survey_answered(survey)
            and survey.sent_on <= today <= survey.closes_on)


def survey_answered(survey: MenteeSurvey) -> bool:
    try:
        return survey.answer is not None
    except MenteeSurvey.answer.RelatedObjectDoesNotExist:
        return False


def can_view_survey_aggregate(actor: Actor, mentor: Mentor) -> bool:
    """The mentor's own rates; HR covering the mentor; administrators (read only)."""
    if not actor.is_authenticated:
        return False
    return actor.is_admin or _is_self(actor, mentor.employee_id) or hr_covers_unit(actor, mentor.employee.org_unit)


def can_read_survey_comments(actor: Actor, mentor: Mentor) -> bool:
    """Unattributed comments: HR covering the mentor, never the mentor (not even an HR mentor)."""
    return hr_covers_unit(actor, mentor.employee.org_unit) and not _is_self(actor, mentor.employee_id)


def can_view_match_suggestions(actor: Actor, mentee: Employee, template: ProgrammeTemplate | None) -> bool:
    """HR covering the mentee; the mentee themselves when the programme lets mentees choose."""
    if not actor.is_authenticated:
        return False
    if hr_covers_unit(actor, mentee.org_unit):
        return True
    return _is_self(actor, mentee.pk) and template is not None and template.allow_mentee_choice


def match_mentees(actor: Actor) -> QuerySet[Employee]:
    """Whom HR may match (single suggestions and cohort runs): active people in their scope."""
    return screening_subjects(actor)


def can_run_matching(actor: Actor) -> bool:
    return can_manage_mentoring(actor)


def visible_match_runs(actor: Actor) -> QuerySet[MatchRun]:
    """HR for the whole organisation sees every run, scoped HR the runs they started;
    administrators read all."""
    if not actor.is_authenticated:
        return MatchRun.objects.none()
    if actor.is_admin or actor.hr_everywhere:
        return MatchRun.objects.all()
    if actor.is_hr:
        return MatchRun.objects.filter(created_by_id=actor.user_id)
    return MatchRun.objects.none()


def can_change_match_run(actor: Actor, run: MatchRun) -> bool:
    """HR reviews, changes, publishes or discards a draft run; administrators only read."""
    return run.is_draft and can_run_matching(actor)


def mentee_score_ids(actor: Actor) -> QuerySet | None:
    """A mentor may read the scores of the people they mentor in an active plan (performance asks
    through its registered score readers); None for anyone who is not a mentor."""
    if not actor.is_authenticated or actor.employee is None or "mentor" not in actor.roles:
        return None
    return active_mentee_ids(actor)


def active_mentee_ids(actor: Actor) -> QuerySet:
    """Ids of the people the actor mentors in an active plan (for read-only views of their scores)."""
    if not actor.is_authenticated or actor.employee is None:
        return MentoringPlan.objects.none().values("mentee_id")
    return MentoringPlan.objects.filter(mentor__employee=actor.employee,
                                        status=PlanStatus.ACTIVE).values("mentee_id")
