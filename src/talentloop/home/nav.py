"""The navigation: which links each person sees, in one place for the side bar, the phone tab
bar and the "More" page. Each link names the predicate of its app's ``access`` that decides
whether the reader is shown it; that predicate allows the link only to those whose request the
page answers (``home/tests/test_nav.py`` opens every shown link for every persona)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.accounts import access as accounts_access
from talentloop.attendance import access as time_access
from talentloop.benefits import access as benefits_access
from talentloop.careers import access as careers_access
from talentloop.core.access import Actor
from talentloop.core.audit import access as audit_access
from talentloop.integrations import access as integrations_access
from talentloop.learning import access as learning_access
from talentloop.leave import access as leave_access
from talentloop.mentoring import access as mentoring_access
from talentloop.notifications import access as notifications_access
from talentloop.notifications import channel_access
from talentloop.onboarding import access as onboarding_access
from talentloop.organisation import access as org_access
from talentloop.payroll import access as payroll_access
from talentloop.performance import access as perf_access

Predicate = Callable[[Actor], bool]


def signed_in(actor: Actor) -> bool:
    """Pages every signed-in person may open (home, org chart, library, password)."""
    return actor.is_authenticated


@dataclass(frozen=True)
class Link:
    url_name: str
    label: str
    icon: str = "list"
    # Other URL names under which this link is shown as the current one.
    also: tuple[str, ...] = ()
    # Who is shown the link: a predicate of the app that owns the page.
    allowed: Predicate = signed_in

    @property
    def url(self) -> str:
        return _reversed(self.url_name)

    def names(self) -> tuple[str, ...]:
        return (self.url_name, *self.also)


# A link's URL takes no argument, so it is the same on every page of a process for a given URL
# configuration and script prefix: reversed once (every page shows some thirty links, and reverse is
# not free).
_URLS: dict[tuple[str, str, str], str] = {}


def _reversed(url_name: str) -> str:
    key = (str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix(), url_name)
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(url_name)
    return url


@dataclass(frozen=True)
class Group:
    title: str
    links: list[Link]


def _unless(shown: Predicate, instead: Predicate) -> Predicate:
    """``shown`` for readers to whom ``instead`` does not apply (one place, two pages: the tab bar)."""
    return lambda actor: shown(actor) and not instead(actor)


_PEOPLE_ALSO = ("organisation:employee-detail", "organisation:employee-create", "organisation:employee-account")

# The groups by task, in the order they are shown: one's own work, one's team, reviews, mentoring,
# learning, then the organisation's set-up (people, performance, settings and integrations).
GROUPS: tuple[tuple[str, tuple[Link, ...]], ...] = (
    ("", (
        Link("home:index", _("Home"), "home"),
        Link("organisation:me", _("Profile"), "me", allowed=org_access.can_view_own_profile),
        Link("organisation:employee-list", _("People"), "people", also=_PEOPLE_ALSO,
             allowed=org_access.can_view_people_directory),
        Link("organisation:employee-list", _("My team"), "people", also=_PEOPLE_ALSO,
             allowed=org_access.can_view_team_directory),
        Link("organisation:org-chart", _("Org chart"), "org"),
    )),
    (pgettext_lazy("navigation group", "My work"), (
        Link("performance:dashboard", _("My performance"), "chart", also=("performance:score-detail",),
             allowed=perf_access.can_view_own_dashboard),
        Link("performance:feedback-list", _("Feedback"), "chat",
             also=("performance:feedback-give", "performance:feedback-request"),
             allowed=perf_access.can_give_feedback),
        Link("performance:review-list", _("My reviews"), "list", also=("performance:review-edit",),
             allowed=perf_access.can_write_reviews),
        Link("performance:final-rating-list", _("My ratings"), "star", allowed=perf_access.can_view_own_ratings),
        Link("performance:alert-list", _("Alerts"), "bell", also=("performance:alert-detail",),
             allowed=perf_access.can_view_alerts),
        Link("performance:result-submit", _("Submit a result"), "upload",
             allowed=perf_access.can_submit_work_result),
        Link("performance:result-list", _("My results"), "list", also=("performance:result-detail",),
             allowed=perf_access.can_submit_work_result),
        Link("onboarding:my-onboarding", _("My onboarding"), "list", allowed=onboarding_access.can_view_own_onboarding),
        Link("careers:my-path", _("My career path"), "star", allowed=careers_access.can_view_own_path),
    )),
    (pgettext_lazy("navigation group", "Time & leave"), (
        Link("attendance:clock", _("Clock in and out"), "clock", also=("attendance:clock-month",),
             allowed=time_access.can_clock),
        Link("leave:request-list", _("My leave"), "calendar",
             also=("leave:request-new", "leave:request-detail", "leave:balance-list", "leave:prior-service"),
             allowed=leave_access.can_request_leave),
        Link("attendance:roster-me", _("My roster"), "calendar", allowed=time_access.can_clock),
        Link("attendance:overtime-list", _("Overtime"), "clock", also=("attendance:overtime-detail",),
             allowed=time_access.can_request_time),
        Link("attendance:correction-list", _("Missed punches"), "list", also=("attendance:correction-detail",),
             allowed=time_access.can_request_time),
        Link("leave:calendar", _("Team calendar"), "calendar", allowed=leave_access.can_view_team_calendar),
        Link("attendance:calendar", _("Holiday calendar"), "calendar", also=("attendance:calendar-year",),
             allowed=time_access.can_view_calendar),
        Link("leave:approval-list", _("Leave to approve"), "list", allowed=time_access.approves_by_role),
        Link("attendance:approvals", _("Overtime and punches to approve"), "list",
             allowed=time_access.approves_by_role),
        Link("leave:delegation-list", _("Delegate approvals"), "people", allowed=time_access.approves_by_role),
        Link("attendance:exceptions-today", _("Today's attendance"), "bell",
             allowed=time_access.can_view_exceptions_today),
        Link("attendance:roster", _("Rosters"), "calendar", allowed=time_access.can_plan_rosters),
        Link("attendance:summary-list", _("Attendance summaries"), "chart", also=("attendance:summary-person",),
             allowed=time_access.can_review_summaries),
    )),
    (pgettext_lazy("navigation group", "Pay & benefits"), (
        Link("payroll:payslip-list", _("My payslips"), "list", also=("payroll:payslip-detail",),
             allowed=payroll_access.can_have_payslips),
        Link("payroll:my-salary", _("My salary"), "chart", allowed=payroll_access.can_have_payslips),
        Link("payroll:declaration-list", _("Tax deductions"), "list", allowed=payroll_access.can_have_payslips),
        Link("benefits:mine", _("My benefits"), "star", allowed=benefits_access.can_use_benefits),
        Link("payroll:si-policy-list", _("Social insurance"), "grid", allowed=payroll_access.can_view_si_policies),
    )),
    (pgettext_lazy("navigation group", "Teams & reviews"), (
        Link("performance:team-dashboard", _("Team performance"), "chart",
             allowed=perf_access.can_view_team_performance),
        Link("performance:root-cause-list", _("Root-cause reviews"), "search",
             also=("performance:root-cause-detail",), allowed=perf_access.can_view_team_performance),
        Link("onboarding:team-onboarding", _("Team onboarding"), "people", allowed=onboarding_access.can_view_team),
        Link("performance:result-queue", _("Results to confirm"), "list",
             allowed=perf_access.can_confirm_work_results),
        Link("performance:review-cycle-list", _("Review cycles"), "list",
             also=("performance:review-cycle-detail", "performance:review-cycle-create"),
             allowed=perf_access.can_view_review_cycles),
        Link("performance:appeal-list", _("Appeals"), "list", also=("performance:appeal-detail",),
             allowed=perf_access.can_handle_appeals),
        Link("performance:plan-list", _("Improvement plans"), "list", also=("performance:plan-detail",),
             allowed=perf_access.can_handle_improvement_plans),
        Link("performance:org-dashboard", _("Organisation performance"), "chart",
             allowed=perf_access.can_view_org_dashboard),
    )),
    (_("Mentoring"), (
        Link("mentoring:my-mentoring", _("My mentoring"), "mentor", allowed=mentoring_access.can_view_own_mentoring),
        Link("mentoring:survey-list", _("Mentoring surveys"), "list", allowed=mentoring_access.can_view_own_mentoring),
        Link("mentoring:apply", _("Become a mentor"), "star", allowed=mentoring_access.can_become_mentor),
        Link("mentoring:my-mentees", _("My mentees"), "people", allowed=mentoring_access.is_mentor),
        Link("mentoring:my-effectiveness", _("My mentoring results"), "chart", allowed=mentoring_access.is_mentor),
        Link("mentoring:survey-results", _("Survey results"), "chart", allowed=mentoring_access.is_mentor),
        Link("mentoring:mentor-list", _("Mentors"), "people", also=("mentoring:mentor-detail",),
             allowed=mentoring_access.can_browse_mentors),
        Link("mentoring:overdue-list", _("Overdue mentoring"), "bell", allowed=mentoring_access.can_view_overdue),
        Link("mentoring:application-list", _("Mentor applications"), "list",
             also=("mentoring:application-detail",), allowed=mentoring_access.can_manage_mentoring),
        Link("mentoring:qualified-list", _("Who qualifies"), "star", allowed=mentoring_access.can_list_qualified),
        Link("mentoring:plan-list", _("Mentoring plans"), "list", also=("mentoring:plan-detail",),
             allowed=mentoring_access.can_manage_mentoring),
        Link("mentoring:match-run-list", _("Matching"), "people",
             also=("mentoring:match-run-detail", "mentoring:match-suggestions"),
             allowed=mentoring_access.can_run_matching),
        Link("mentoring:mentor-ranking", _("Mentor ranking"), "chart",
             allowed=mentoring_access.can_view_mentor_ranking),
        Link("mentoring:programme-results", _("Programme results"), "chart",
             allowed=mentoring_access.can_view_programme_results),
    )),
    (_("Learning"), (
        Link("learning:content-list", _("Library"), "grid",
             also=("learning:content-detail", "learning:content-create", "learning:content-edit")),
        Link("learning:my", _("My learning"), "star", allowed=learning_access.can_learn),
        Link("learning:recommendation-list", _("Recommended"), "star", allowed=learning_access.can_learn),
        Link("learning:session-list", _("Training sessions"), "list", also=("learning:session-detail",)),
    )),
    (pgettext_lazy("navigation group", "People & organisation"), (
        Link("organisation:unit-list", _("Org units"), "org",
             also=("organisation:unit-create", "organisation:unit-edit"), allowed=org_access.can_view_org_units),
        Link("organisation:job-family-list", _("Job families & positions"), "list",
             allowed=org_access.can_manage_catalogue),
        Link("organisation:employee-import", _("Import & export"), "upload",
             allowed=org_access.can_import_employees),
        Link("onboarding:template-list", _("Onboarding templates"), "list",
             also=("onboarding:template-create", "onboarding:template-edit"),
             allowed=onboarding_access.can_manage_onboarding),
        Link("careers:ladder-list", _("Career ladders"), "list",
             also=("careers:ladder-create", "careers:ladder-edit", "careers:level-create", "careers:level-edit"),
             allowed=careers_access.can_manage_ladders),
        Link("onboarding:checklist-list", _("Onboarding checklists"), "list",
             also=("onboarding:checklist-detail", "onboarding:checklist-start"),
             allowed=onboarding_access.can_list_checklists),
    )),
    (pgettext_lazy("navigation group", "Payroll & benefits"), (
        Link("payroll:run-list", _("Payroll runs"), "chart",
             also=("payroll:run-detail", "payroll:run-payslip", "payroll:run-create", "payroll:run-exports"),
             allowed=payroll_access.can_use_payroll_pages),
        Link("payroll:pay-items", _("One-off pay items"), "list", also=("payroll:bonus-cliffs",),
             allowed=payroll_access.can_use_payroll_pages),
        Link("payroll:attendance-import", _("Import attendance"), "upload",
             allowed=payroll_access.can_use_payroll_pages),
        Link("payroll:question-list", _("Payslip questions"), "chat", also=("payroll:question-detail",),
             allowed=payroll_access.can_use_payroll_pages),
        Link("payroll:salary-list", _("Salaries"), "people", also=("payroll:salary-detail",),
             allowed=payroll_access.can_use_payroll_pages),
        Link("payroll:declaration-people", _("Tax declarations"), "list", also=("payroll:declaration-person",),
             allowed=payroll_access.can_use_payroll_pages),
        Link("payroll:component-list", _("Salary components"), "list",
             also=("payroll:component-create", "payroll:component-edit"),
             allowed=payroll_access.can_manage_components),
        Link("payroll:pay-group-list", _("Pay groups"), "people",
             also=("payroll:pay-group-create", "payroll:pay-group-edit"), allowed=payroll_access.can_manage_pay_groups),
        Link("payroll:export-layouts", _("Export layouts"), "upload",
             also=("payroll:export-layout-create", "payroll:export-layout-edit"),
             allowed=payroll_access.can_manage_export_layouts),
        Link("benefits:plan-list", _("Benefit plans"), "star",
             also=("benefits:plan-create", "benefits:plan-edit", "benefits:plan-enrolments"),
             allowed=benefits_access.can_manage_plans),
    )),
    (pgettext_lazy("navigation group", "Performance & mentoring set-up"), (
        Link("performance:metric-list", _("Metrics"), "list", allowed=perf_access.can_manage_config),
        Link("performance:scorecard-list", _("Scorecards"), "list",
             also=("performance:scorecard-detail", "performance:scorecard-create"),
             allowed=perf_access.can_manage_config),
        Link("performance:period-list", _("Periods"), "list", allowed=perf_access.can_manage_config),
        Link("performance:observation-upload", _("Upload observations"), "upload",
             allowed=perf_access.can_upload_observations),
        Link("performance:alert-rule-list", _("Alert rules"), "bell", allowed=perf_access.can_manage_alert_rules),
        Link("performance:result-settings", _("Work result settings"), "shield",
             allowed=perf_access.can_manage_work_result_settings),
        Link("mentoring:policy-edit", _("Mentor policy"), "shield", allowed=mentoring_access.can_manage_mentoring),
        Link("mentoring:template-list", _("Programme templates"), "list",
             allowed=mentoring_access.can_manage_mentoring),
    )),
    (pgettext_lazy("navigation group", "Time set-up"), (
        Link("attendance:shift-list", _("Shifts"), "clock",
             also=("attendance:shift-create", "attendance:shift-edit"),
             allowed=time_access.can_view_attendance_settings),
        Link("attendance:schedule-list", _("Work schedules"), "calendar",
             allowed=time_access.can_view_attendance_settings),
        Link("attendance:site-list", _("Work sites"), "org", also=("attendance:site-create", "attendance:site-edit"),
             allowed=time_access.can_view_attendance_settings),
        Link("attendance:policy", _("Attendance policy"), "shield", allowed=time_access.can_view_attendance_settings),
        Link("attendance:imports", _("Clock imports"), "upload", also=("attendance:import-detail",),
             allowed=time_access.can_view_clock_imports),
        Link("attendance:vendors", _("Attendance apps"), "chat", allowed=time_access.can_view_clock_imports),
        Link("leave:type-list", _("Leave types"), "list", also=("leave:type-create", "leave:type-edit"),
             allowed=leave_access.can_manage_leave_types),
        Link("leave:prior-service-review", _("Prior service to verify"), "star",
             allowed=leave_access.can_review_prior_service),
    )),
    (pgettext_lazy("navigation group", "Settings & integrations"), (
        Link("notifications:group-bot-list", _("Group bots"), "chat",
             also=("notifications:group-bot-create", "notifications:group-bot-edit"),
             allowed=channel_access.can_manage_group_bots),
        Link("notifications:im-identity-list", _("Chat app accounts"), "people",
             also=("notifications:im-identity-import",), allowed=channel_access.can_manage_im_identities),
        Link("core:audit-list", _("Audit log"), "shield", allowed=audit_access.can_view_audit),
        Link("notifications:channel-list", _("Notification channels"), "bell",
             also=("notifications:channel-credentials",), allowed=channel_access.can_manage_channel_credentials),
        Link("accounts:account-list", _("Accounts & roles"), "people", also=("accounts:account-detail",),
             allowed=accounts_access.can_manage_accounts),
        # Integrations are set up by HR and administrators; employees are not pointed to API tokens.
        Link("accounts:token-list", _("API tokens"), "key", allowed=accounts_access.can_set_up_integrations),
        Link("integrations:subscription-list", _("Webhooks"), "key",
             also=("integrations:subscription-create", "integrations:subscription-detail",
                   "integrations:subscription-edit"), allowed=integrations_access.can_use_webhooks),
        Link("integrations:connector-list", _("Connectors"), "upload",
             also=("integrations:connector-create", "integrations:connector-detail", "integrations:connector-edit",
                   "integrations:connector-secret", "integrations:connector-accounts"),
             allowed=integrations_access.can_manage_connectors),
    )),
    (_("Me"), (
        Link("notifications:inbox", _("Notifications"), "bell", allowed=notifications_access.can_have_preferences),
        Link("notifications:preferences", _("Notification settings"), "bell",
             allowed=notifications_access.can_have_preferences),
        Link("accounts:password-change", _("Change password"), "key"),
        Link("integrations:calendar", _("Calendar feed"), "calendar",
             allowed=integrations_access.can_have_calendar_feed),
    )),
)

TABS: tuple[Link, ...] = (
    Link("home:index", _("Home"), "home"),
    Link("performance:dashboard", _("Performance"), "chart", also=("performance:score-detail",),
         allowed=perf_access.can_view_own_dashboard),
    Link("mentoring:my-mentees", _("Mentoring"), "mentor", allowed=mentoring_access.is_mentor),
    Link("mentoring:my-mentoring", _("Mentoring"), "mentor",
         allowed=_unless(mentoring_access.can_view_own_mentoring, mentoring_access.is_mentor)),
    Link("organisation:employee-list", _("People"), "people", also=("organisation:employee-detail",),
         allowed=org_access.can_view_people_directory),
    Link("organisation:employee-list", _("Team"), "people", also=("organisation:employee-detail",),
         allowed=org_access.can_view_team_directory),
    Link("organisation:me", _("Profile"), "me",
         allowed=_unless(org_access.can_view_own_profile, org_access.can_view_org_directory)),
    Link("home:more", _("More"), "more"),
)


def groups(actor: Actor) -> list[Group]:
    """Every link the actor may follow, grouped by task; a group with no link for the actor is left
    out. Employees see no HR, set-up or API link."""
    if not actor.is_authenticated:
        return []
    out = []
    for title, links in GROUPS:
        shown = [link for link in links if link.allowed(actor)]
        if shown:
            out.append(Group(title, shown))
    return out


def shows_api(actor: Actor) -> bool:
    """The API documentation is offered to those who set up integrations."""
    return accounts_access.can_set_up_integrations(actor)


def tabs(actor: Actor) -> list[Link]:
    """The phone tab bar: at most five places; everything else is on the More page."""
    if not actor.is_authenticated:
        return []
    return [link for link in TABS if link.allowed(actor)][:5]
