"""Who may see and change performance data."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from talentloop.core.access import Actor
from talentloop.organisation.access import hr_covers_unit, visible_employees
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance.models import (
    Alert,
    AlertRule,
    Appeal,
    Feedback,
    FeedbackRequest,
    FinalRating,
    ImprovementPlan,
    Metric,
    Observation,
    ObservationImportJob,
    PeriodState,
    Review,
    ReviewCycle,
    RootCauseReview,
    Score,
    Scorecard,
    ScoreError,
    WebhookSource,
    WorkResult,
    WorkResultStatus,
)
from talentloop.performance.signals import score_readers


def can_ingest_observations(actor: Actor) -> bool:
    """Integrations send observations with the token of an HR or administrator account."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_manage_config(actor: Actor) -> bool:
    """Metrics, scorecards and periods are organisation-wide configuration owned by HR."""
    return actor.is_authenticated and actor.is_hr


def can_close_period(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr and actor.hr_everywhere


def visible_metrics(actor: Actor) -> QuerySet[Metric]:
    return Metric.objects.all() if actor.is_authenticated else Metric.objects.none()


def visible_scorecards(actor: Actor) -> QuerySet[Scorecard]:
    return Scorecard.objects.all() if actor.is_authenticated else Scorecard.objects.none()


def score_subjects(actor: Actor) -> QuerySet[Employee]:
    """Whose scores the actor may open: themselves, their reporting tree, their HR scope and — read
    only, scores and nothing else of performance — whom a registered reader grants (signals.py: a
    mentor, the people they mentor in an active plan)."""
    people = visible_employees(actor)
    if actor.is_authenticated and actor.employee is not None:
        for reader in score_readers():
            granted = reader(actor)
            if granted is not None:
                people = people | Employee.objects.filter(pk__in=granted)
    return people


def visible_scores(actor: Actor) -> QuerySet[Score]:
    return Score.objects.filter(employee__in=score_subjects(actor))


def can_recompute(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr


# ---------------------------------------------------------------- pages: scores, dashboards, configuration


def visible_observations(actor: Actor) -> QuerySet[Observation]:
    """The facts behind the scores the actor may open; org-unit context observations are HR's."""
    people = Q(employee__in=score_subjects(actor))
    if not actor.is_authenticated:
        return Observation.objects.none()
    if actor.is_admin or actor.hr_everywhere:
        return Observation.objects.filter(people | Q(employee__isnull=True))
    units = Q(pk__in=[])
    for path in actor.hr_unit_paths:
        units |= Q(org_unit__path__startswith=path)
    return Observation.objects.filter(people | units)


def can_view_team_dashboard(actor: Actor, manager: Employee) -> bool:
    """A manager sees their own team; HR and admins may open the team of any manager they can see
    (the caller fetches ``manager`` through ``score_subjects``)."""
    if not actor.is_authenticated:
        return False
    if actor.employee is not None and actor.employee.pk == manager.pk:
        return actor.has_reports
    return actor.is_hr or actor.is_admin or manager.manager_path.startswith(actor.reports_prefix or "\x00")


def team_members(actor: Actor, manager: Employee) -> QuerySet[Employee]:
    """Everyone below ``manager`` in the reporting tree that the actor may see."""
    return score_subjects(actor).filter(manager_path__startswith=manager.reports_prefix)


def can_view_org_dashboard(actor: Actor) -> bool:
    """HR's organisation view (over their HR scope); admins see it for the whole organisation."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def can_upload_observations(actor: Actor) -> bool:
    """The upload page is HR's web door to ``observations_ingest`` (integrations with an administrator
    token use the API); between the dry run and the confirm step the file waits in HR's import storage."""
    return can_ingest_observations(actor) and actor.is_hr


def visible_period_states(actor: Actor) -> QuerySet[PeriodState]:
    return PeriodState.objects.all() if actor.is_authenticated else PeriodState.objects.none()


# ---------------------------------------------------------------- reviews, feedback and decisions
#
# People decide here: reviews, final ratings, appeals, potentials, feedback and improvement plans.
# "Manages" means the actor is above the person in the reporting tree, or HR covering the person's
# unit — never the person themselves. The technical admin takes no part and sees none of it.


def _managed_q(actor: Actor, prefix: str = "") -> Q:
    """People below the actor in the reporting tree or in their HR scope, never the actor.
    ``prefix`` leads from the queried model to the Employee (e.g. ``"employee__"``)."""
    none = Q(pk__in=[])
    if not actor.is_authenticated:
        return none
    q = none
    if actor.employee is not None and actor.has_reports:
        q |= Q(**{f"{prefix}manager_path__startswith": actor.reports_prefix})
    if actor.is_hr:
        if actor.hr_everywhere:
            q |= Q(**{f"{prefix}pk__isnull": False}) if prefix else Q(pk__isnull=False)
        for path in actor.hr_unit_paths:
            q |= Q(**{f"{prefix}org_unit__path__startswith": path})
    if actor.employee is not None:
        q &= ~Q(**{f"{prefix}pk" if prefix else "pk": actor.employee.pk})
    return q


def managed_employees(actor: Actor) -> QuerySet[Employee]:
    """Whose reviews, final ratings, appeals and plans the actor handles as their manager or HR."""
    return Employee.objects.filter(_managed_q(actor))


def is_self(actor: Actor, employee: Employee) -> bool:
    return actor.is_authenticated and actor.employee is not None and actor.employee.pk == employee.pk


def manages(actor: Actor, employee: Employee) -> bool:
    """In-memory twin of ``managed_employees`` for one person."""
    if not actor.is_authenticated or is_self(actor, employee):
        return False
    if actor.employee is not None and actor.has_reports and employee.manager_path.startswith(actor.reports_prefix):
        return True
    return hr_covers_unit(actor, employee.org_unit)


# Review cycles


def visible_review_cycles(actor: Actor) -> QuerySet[ReviewCycle]:
    """HR sees every cycle; a manager sees the cycles that review someone in their tree."""
    if not actor.is_authenticated:
        return ReviewCycle.objects.none()
    if actor.is_hr:
        return ReviewCycle.objects.all()
    if actor.employee is not None and actor.has_reports:
        return ReviewCycle.objects.filter(
            pk__in=Review.objects.filter(reviewee__manager_path__startswith=actor.reports_prefix)
            .values("cycle_id")).exclude(status=ReviewCycle.Status.DRAFT)
    return ReviewCycle.objects.none()


def can_create_review_cycle(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr


def can_manage_review_cycle(actor: Actor, cycle: ReviewCycle) -> bool:
    """Opening, calibrating and closing: HR covering the cycle's unit (the whole organisation: HR
    for the whole organisation)."""
    if cycle.org_unit_id is None:
        return actor.is_authenticated and actor.is_hr and actor.hr_everywhere
    return hr_covers_unit(actor, cycle.org_unit)


def can_calibrate(actor: Actor, cycle: ReviewCycle) -> bool:
    """The calibration page: HR, and managers of people in the cycle, once the cycle is open."""
    if cycle.status == ReviewCycle.Status.DRAFT:
        return False
    return actor.is_authenticated and (actor.is_hr or (actor.employee is not None and actor.has_reports))


# Reviews


def visible_reviews(actor: Actor) -> QuerySet[Review]:
    """A reviewer reads only their own form. Submitted reviews of a person are read by their
    management chain and HR (never by the person or another peer); the person reads their manager's
    review once the cycle is closed."""
    if not actor.is_authenticated or actor.employee is None and not actor.is_hr:
        return Review.objects.none()
    q = Q(status=Review.Status.SUBMITTED) & _managed_q(actor, "reviewee__")
    if actor.employee is not None:
        me = actor.employee.pk
        q |= Q(reviewer_id=me)
        q |= Q(reviewee_id=me, kind="manager", status=Review.Status.SUBMITTED, cycle__status=ReviewCycle.Status.CLOSED)
    return Review.objects.filter(q)


def can_write_review(actor: Actor, review: Review) -> bool:
    return (is_self(actor, review.reviewer) and review.status == Review.Status.PENDING
            and review.cycle.status == ReviewCycle.Status.OPEN)


def visible_peer_nominations(actor: Actor) -> QuerySet[Review]:
    """Peer reviews as nominations (who reviews whom, not what they wrote): seen by the person
    reviewed and whoever manages them, who pick and take back peers."""
    if not actor.is_authenticated:
        return Review.objects.none()
    q = _managed_q(actor, "reviewee__")
    if actor.employee is not None:
        q |= Q(reviewee_id=actor.employee.pk)
    return Review.objects.filter(Q(kind="peer") & q)


def can_pick_peers(actor: Actor, cycle: ReviewCycle, reviewee: Employee) -> bool:
    """The reviewee or their manager (anyone above them, or HR) picks peers while the cycle is open."""
    if cycle.status != ReviewCycle.Status.OPEN:
        return False
    return is_self(actor, reviewee) or manages(actor, reviewee)


# Final ratings, potentials and appeals


def visible_final_ratings(actor: Actor) -> QuerySet[FinalRating]:
    if not actor.is_authenticated:
        return FinalRating.objects.none()
    q = _managed_q(actor, "employee__")
    if actor.employee is not None:
        q |= Q(employee_id=actor.employee.pk)
    return FinalRating.objects.filter(q)


def can_decide_final_rating(actor: Actor, employee: Employee, period_closed: bool = False) -> bool:
    """HR covering the person decides at any time; a manager above them while the period is open."""
    if not actor.is_authenticated or is_self(actor, employee):
        return False
    if hr_covers_unit(actor, employee.org_unit):
        return True
    return (not period_closed and actor.employee is not None and actor.has_reports
            and employee.manager_path.startswith(actor.reports_prefix))


def can_view_final_rating(actor: Actor, employee: Employee) -> bool:
    """The one rule for a person's final ratings wherever they show (the final-ratings pages, the
    score page and API, the career path, the home sections): the person, whoever manages them (anyone
    above them in the reporting tree, HR covering them). Never the mentor nor the technical admin.
    In-memory twin of ``visible_final_ratings``."""
    return is_self(actor, employee) or manages(actor, employee)


def can_view_review_breakdown(actor: Actor, employee: Employee) -> bool:
    """The review ratings of a closed cycle as they count in a score (the ratings part of a dimension
    and its mean per kind of rater): the same people as a final rating. Ratings of a cycle that is not
    closed count nowhere yet (see ``can_view_running_ratings``)."""
    return can_view_final_rating(actor, employee)


def can_view_running_ratings(actor: Actor, employee: Employee) -> bool:
    """The ratings submitted in a cycle that is not closed yet: HR covering the person alone (not the
    person, their managers, their mentor nor the technical admin) until the cycle closes."""
    return (actor.is_authenticated and actor.is_hr and not is_self(actor, employee)
            and hr_covers_unit(actor, employee.org_unit))


def can_set_potential(actor: Actor, employee: Employee) -> bool:
    return manages(actor, employee)


def can_acknowledge_final_rating(actor: Actor, final_rating: FinalRating) -> bool:
    return is_self(actor, final_rating.employee)


def can_appeal(actor: Actor, employee: Employee) -> bool:
    """Only the person rated appeals (or asks for a human review of a computed result)."""
    return is_self(actor, employee)


def visible_appeals(actor: Actor) -> QuerySet[Appeal]:
    if not actor.is_authenticated:
        return Appeal.objects.none()
    q = _managed_q(actor, "employee__")
    if actor.employee is not None:
        q |= Q(employee_id=actor.employee.pk)
    return Appeal.objects.filter(q)


def can_answer_appeal(actor: Actor, appeal: Appeal) -> bool:
    """The person's manager (anyone above them) or HR covering them; whether the appeal is still
    open is the service's business (a second answer is a conflict, not a permission matter)."""
    return manages(actor, appeal.employee)


# Feedback


def feedback_colleagues(actor: Actor) -> QuerySet[Employee]:
    """Anyone may give feedback to, or ask it from, any current colleague (names only)."""
    if not actor.is_authenticated or actor.employee is None:
        return Employee.objects.none()
    return Employee.objects.exclude(status="terminated").exclude(pk=actor.employee.pk)


def can_give_feedback(actor: Actor) -> bool:
    return actor.is_authenticated and actor.employee is not None


def visible_feedback(actor: Actor) -> QuerySet[Feedback]:
    """The giver; the person when shared; their management chain always; HR only shared feedback."""
    if not actor.is_authenticated:
        return Feedback.objects.none()
    q = Q(pk__in=[])
    if actor.employee is not None:
        me = actor.employee.pk
        q |= Q(giver_id=me) | Q(recipient_id=me, visibility=Feedback.Visibility.SHARED)
        if actor.has_reports:
            q |= Q(recipient__manager_path__startswith=actor.reports_prefix)
    if actor.is_hr:
        q |= Q(visibility=Feedback.Visibility.SHARED) & _managed_q(actor, "recipient__")
    return Feedback.objects.filter(q)


def visible_feedback_requests(actor: Actor) -> QuerySet[FeedbackRequest]:
    if not actor.is_authenticated or actor.employee is None:
        return FeedbackRequest.objects.none()
    me = actor.employee.pk
    return FeedbackRequest.objects.filter(Q(requester_id=me) | Q(responder_id=me))


def can_request_feedback_about(actor: Actor, subject: Employee) -> bool:
    """About oneself, or (a manager) about someone in the reporting tree."""
    if is_self(actor, subject):
        return True
    return (actor.employee is not None and actor.has_reports
            and subject.manager_path.startswith(actor.reports_prefix))


# Improvement plans


def visible_improvement_plans(actor: Actor) -> QuerySet[ImprovementPlan]:
    if not actor.is_authenticated:
        return ImprovementPlan.objects.none()
    q = _managed_q(actor, "employee__")
    if actor.employee is not None:
        q |= Q(employee_id=actor.employee.pk)
    return ImprovementPlan.objects.filter(q)


def can_manage_improvement_plan(actor: Actor, employee: Employee) -> bool:
    return manages(actor, employee)


def can_check_in(actor: Actor, plan: ImprovementPlan) -> bool:
    """The person and whoever manages them add check-ins while the plan is active."""
    return plan.status == ImprovementPlan.Status.ACTIVE and (is_self(actor, plan.employee)
                                                            or manages(actor, plan.employee))


# ---------------------------------------------------------------- decline alerts and root-cause reviews
#
# An alert is about a person: their management chain and HR covering them see and handle it (the
# technical admin sees every record, read-only); the person sees it only when the rule says they are
# told. A root-cause review is about an org unit: its head (and the heads above it) and HR covering
# the unit. Mentors see neither.


def can_manage_alert_rules(actor: Actor) -> bool:
    """Alert rules and the root-cause settings are organisation-wide configuration owned by HR."""
    return actor.is_authenticated and actor.is_hr


def can_view_alert_rules(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def visible_alert_rules(actor: Actor) -> QuerySet[AlertRule]:
    return AlertRule.objects.all() if can_view_alert_rules(actor) else AlertRule.objects.none()


def can_run_alert_checks(actor: Actor | None) -> bool:
    """``None`` is the scheduler (the daily job, the command, the check after new observations)."""
    return actor is None or (actor.is_authenticated and actor.is_hr)


def visible_alerts(actor: Actor) -> QuerySet[Alert]:
    if not actor.is_authenticated:
        return Alert.objects.none()
    if actor.is_admin or actor.hr_everywhere:
        return Alert.objects.all()
    q = Q(pk__in=[])
    if actor.employee is not None:
        q |= Q(employee_id=actor.employee.pk, rule__notify_employee=True)
        if actor.has_reports:
            q |= Q(employee__manager_path__startswith=actor.reports_prefix)
    for path in actor.hr_unit_paths:
        q |= Q(employee__org_unit__path__startswith=path)
    return Alert.objects.filter(q)


def _handles(actor: Actor, employee: Employee) -> bool:
    """Above the person in the reporting tree, or HR covering them; never the person themselves."""
    if not actor.is_authenticated:
        return False
    if actor.employee is not None and actor.employee.pk == employee.pk:
        return False
    if actor.employee is not None and actor.has_reports and employee.manager_path.startswith(actor.reports_prefix):
        return True
    return hr_covers_unit(actor, employee.org_unit)


def can_acknowledge_alert(actor: Actor, alert: Alert) -> bool:
    return _handles(actor, alert.employee)


def can_resolve_alert(actor: Actor, alert: Alert) -> bool:
    return _handles(actor, alert.employee)


def _headed_unit_paths(actor: Actor) -> list[str]:
    if actor.employee is None:
        return []
    return list(OrgUnit.objects.filter(manager_id=actor.employee.pk).values_list("path", flat=True))


def visible_root_cause_reviews(actor: Actor) -> QuerySet[RootCauseReview]:
    if not actor.is_authenticated:
        return RootCauseReview.objects.none()
    if actor.is_admin or actor.hr_everywhere:
        return RootCauseReview.objects.all()
    q = Q(pk__in=[])
    for path in [*actor.hr_unit_paths, *_headed_unit_paths(actor)]:
        q |= Q(org_unit__path__startswith=path)
    return RootCauseReview.objects.filter(q)


def can_decide_root_cause(actor: Actor, review: RootCauseReview) -> bool:
    """The head of the unit (or of a unit above it) and HR covering it record the decision."""
    if not actor.is_authenticated:
        return False
    if hr_covers_unit(actor, review.org_unit):
        return True
    return any(review.org_unit.path.startswith(p) for p in _headed_unit_paths(actor))


# ---------------------------------------------------------------- work results (issue 5)
#
# A person submits their own results and sees them; whoever manages the person (anyone above them
# in the reporting tree, or HR covering them) sees and decides them — never the person themselves.
# The technical admin takes no part. HR owns the settings (which kinds are trusted, which metrics).


def visible_work_results(actor: Actor) -> QuerySet[WorkResult]:
    if not actor.is_authenticated:
        return WorkResult.objects.none()
    q = _managed_q(actor, "employee__")
    if actor.employee is not None:
        q |= Q(employee_id=actor.employee.pk)
    return WorkResult.objects.filter(q)


def work_results_to_decide(actor: Actor) -> QuerySet[WorkResult]:
    """The pending results of people the actor manages: the confirmation queue."""
    return WorkResult.objects.filter(_managed_q(actor, "employee__"), status=WorkResultStatus.PENDING)


def can_submit_work_result(actor: Actor) -> bool:
    return actor.is_authenticated and actor.employee is not None


def can_decide_work_result(actor: Actor, result: WorkResult) -> bool:
    """Confirm or reject: the person's manager (anyone above them) or HR covering them."""
    return manages(actor, result.employee)


def can_withdraw_work_result(actor: Actor, result: WorkResult) -> bool:
    return is_self(actor, result.employee) and result.status == WorkResultStatus.PENDING


def can_manage_work_result_settings(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr


def can_manage_webhook_sources(actor: Actor) -> bool:
    """Webhook sources carry signing secrets for integrations: HR or the technical administrator."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def visible_webhook_sources(actor: Actor) -> QuerySet[WebhookSource]:
    if not can_manage_webhook_sources(actor):
        return WebhookSource.objects.none()
    return WebhookSource.objects.select_related("act_as").order_by("-is_active", "key")


# ---------------------------------------------------------------- recomputation failures


def visible_score_errors(actor: Actor) -> QuerySet[ScoreError]:
    """The people whose score failed, for those who may rebuild scores, within their scope."""
    if not can_recompute(actor):
        return ScoreError.objects.none()
    return ScoreError.objects.filter(employee__in=score_subjects(actor))


# ---------------------------------------------------------------- background observation uploads


def visible_import_jobs(actor: Actor) -> QuerySet[ObservationImportJob]:
    """A background upload is seen by the person who started it, while they may upload."""
    if not can_upload_observations(actor):
        return ObservationImportJob.objects.none()
    return ObservationImportJob.objects.filter(created_by_id=actor.user_id)


# ---------------------------------------------------------------- pages of one's own and of one's team
# Predicates on the actor alone (no query): the pages below check them, and the navigation shows a
# link to each page only to those they allow.


def can_view_own_dashboard(actor: Actor) -> bool:
    """One's own scores, feedback, reviews, ratings and results need an employee record."""
    return actor.is_authenticated and actor.employee is not None


def can_write_reviews(actor: Actor) -> bool:
    return can_view_own_dashboard(actor)


def can_view_own_ratings(actor: Actor) -> bool:
    return can_view_own_dashboard(actor)


def can_view_alerts(actor: Actor) -> bool:
    """Alerts concern people: about oneself, or about the team one manages."""
    return can_view_own_dashboard(actor)


def can_view_team_performance(actor: Actor) -> bool:
    """The team dashboard and root-cause reviews start from the reader's own team."""
    return actor.is_authenticated and actor.employee is not None and actor.has_reports


def _handles_team_reviews(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.has_reports or actor.is_hr)


def can_confirm_work_results(actor: Actor) -> bool:
    """Managers confirm their people's results; HR those in their scope."""
    return _handles_team_reviews(actor)


def can_view_review_cycles(actor: Actor) -> bool:
    return _handles_team_reviews(actor)


def can_handle_appeals(actor: Actor) -> bool:
    """Managers and HR answer appeals (a person's own appeals are reached from their ratings)."""
    return _handles_team_reviews(actor)


def can_handle_improvement_plans(actor: Actor) -> bool:
    """Managers and HR run improvement plans (a person reaches their own from their dashboard)."""
    return _handles_team_reviews(actor)
