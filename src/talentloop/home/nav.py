"""The navigation: which links each person sees, in one place for the side bar, the phone tab
bar and the "More" page. Links follow the same predicates as the pages they open."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.access import Actor


@dataclass(frozen=True)
class Link:
    url_name: str
    label: str
    icon: str = "list"
    # Other URL names under which this link is shown as the current one.
    also: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def names(self) -> tuple[str, ...]:
        return (self.url_name, *self.also)


@dataclass(frozen=True)
class Group:
    title: str
    links: list[Link]


@lru_cache(maxsize=512)
def _exists(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


def _present(links: list[Link]) -> list[Link]:
    """Links whose page exists in this build (an app being built alongside may not offer it yet)."""
    return [link for link in links if _exists(link.url_name)]


def groups(actor: Actor) -> list[Group]:
    """Every link the actor may follow, grouped by task: one's own work, one's team, reviews,
    mentoring, learning, then the organisation's set-up (people, performance, settings and
    integrations) for HR and administrators only. Employees see no HR, set-up or API link."""
    if not actor.is_authenticated:
        return []
    has_emp = actor.employee is not None
    is_mgr, is_hr, is_admin = actor.is_manager, actor.is_hr, actor.is_admin
    is_mentor = "mentor" in actor.roles
    out: list[Group] = []

    def add(title, links: list[Link]) -> None:
        links = _present(links)
        if links:
            out.append(Group(title, links))

    start = [Link("home:index", _("Home"), "home")]
    if has_emp:
        start.append(Link("organisation:me", _("Profile"), "me"))
    if is_mgr or is_hr or is_admin:
        start.append(Link("organisation:employee-list", _("People") if (is_hr or is_admin) else _("My team"),
                          "people", also=("organisation:employee-detail", "organisation:employee-create",
                                          "organisation:employee-account")))
    start.append(Link("organisation:org-chart", _("Org chart"), "org"))
    add("", start)

    mine: list[Link] = []
    if has_emp:
        mine += [Link("performance:dashboard", _("My performance"), "chart", also=("performance:score-detail",)),
                 Link("performance:feedback-list", _("Feedback"), "chat",
                      also=("performance:feedback-give", "performance:feedback-request")),
                 Link("performance:review-list", _("My reviews"), "list", also=("performance:review-edit",)),
                 Link("performance:final-rating-list", _("My ratings"), "star"),
                 Link("performance:alert-list", _("Alerts"), "bell", also=("performance:alert-detail",)),
                 Link("performance:result-submit", _("Submit a result"), "upload"),
                 Link("performance:result-list", _("My results"), "list", also=("performance:result-detail",)),
                 Link("onboarding:my-onboarding", _("My onboarding"), "list"),
                 Link("careers:my-path", _("My career path"), "star")]
    add(pgettext_lazy("navigation group", "My work"), mine)

    team: list[Link] = []
    if is_mgr:
        team += [Link("performance:team-dashboard", _("Team performance"), "chart"),
                 Link("performance:root-cause-list", _("Root-cause reviews"), "search",
                      also=("performance:root-cause-detail",)),
                 Link("onboarding:team-onboarding", _("Team onboarding"), "people")]
    if is_mgr or is_hr:
        team.append(Link("performance:result-queue", _("Results to confirm"), "list"))
    if is_mgr or is_hr:
        team += [Link("performance:review-cycle-list", _("Review cycles"), "list",
                      also=("performance:review-cycle-detail", "performance:review-cycle-create")),
                 Link("performance:appeal-list", _("Appeals"), "list", also=("performance:appeal-detail",)),
                 Link("performance:plan-list", _("Improvement plans"), "list", also=("performance:plan-detail",))]
    if is_hr or is_admin:
        team.append(Link("performance:org-dashboard", _("Organisation performance"), "chart"))
    add(pgettext_lazy("navigation group", "Teams & reviews"), team)

    mentoring: list[Link] = []
    if has_emp:
        mentoring += [Link("mentoring:my-mentoring", _("My mentoring"), "mentor"),
                      Link("mentoring:survey-list", _("Mentoring surveys"), "list")]
        if not is_mentor:
            mentoring.append(Link("mentoring:apply", _("Become a mentor"), "star"))
    if is_mentor:
        mentoring += [Link("mentoring:my-mentees", _("My mentees"), "people"),
                      Link("mentoring:my-effectiveness", _("My mentoring results"), "chart"),
                      Link("mentoring:survey-results", _("Survey results"), "chart")]
    if has_emp or is_hr or is_admin:
        mentoring.append(Link("mentoring:mentor-list", _("Mentors"), "people", also=("mentoring:mentor-detail",)))
    if is_mgr or is_hr or is_admin:
        mentoring.append(Link("mentoring:overdue-list", _("Overdue mentoring"), "bell"))
    if is_hr:
        mentoring += [Link("mentoring:application-list", _("Mentor applications"), "list",
                           also=("mentoring:application-detail",)),
                      Link("mentoring:qualified-list", _("Who qualifies"), "star"),
                      Link("mentoring:plan-list", _("Mentoring plans"), "list", also=("mentoring:plan-detail",)),
                      Link("mentoring:match-run-list", _("Matching"), "people",
                           also=("mentoring:match-run-detail", "mentoring:match-suggestions"))]
    if is_hr or is_admin:
        mentoring += [Link("mentoring:mentor-ranking", _("Mentor ranking"), "chart"),
                      Link("mentoring:programme-results", _("Programme results"), "chart")]
    add(_("Mentoring"), mentoring)

    learning: list[Link] = [Link("learning:content-list", _("Library"), "grid",
                                 also=("learning:content-detail", "learning:content-create", "learning:content-edit"))]
    if has_emp:
        learning += [Link("learning:my", _("My learning"), "star"),
                     Link("learning:recommendation-list", _("Recommended"), "star")]
    learning.append(Link("learning:session-list", _("Training sessions"), "list", also=("learning:session-detail",)))
    add(_("Learning"), learning)

    people: list[Link] = []
    if is_hr:
        people += [Link("organisation:unit-list", _("Org units"), "org", also=("organisation:unit-create",
                                                                               "organisation:unit-edit")),
                   Link("organisation:job-family-list", _("Job families & positions"), "list"),
                   Link("organisation:employee-import", _("Import & export"), "upload"),
                   Link("onboarding:template-list", _("Onboarding templates"), "list",
                        also=("onboarding:template-create", "onboarding:template-edit")),
                   Link("careers:ladder-list", _("Career ladders"), "list",
                        also=("careers:ladder-create", "careers:ladder-edit", "careers:level-create",
                              "careers:level-edit"))]
    if is_hr or is_admin:
        people.append(Link("onboarding:checklist-list", _("Onboarding checklists"), "list",
                           also=("onboarding:checklist-detail", "onboarding:checklist-start")))
    add(pgettext_lazy("navigation group", "People & organisation"), people)

    setup: list[Link] = []
    if is_hr:
        setup += [Link("performance:metric-list", _("Metrics"), "list"),
                  Link("performance:scorecard-list", _("Scorecards"), "list",
                       also=("performance:scorecard-detail", "performance:scorecard-create")),
                  Link("performance:period-list", _("Periods"), "list"),
                  Link("performance:observation-upload", _("Upload observations"), "upload"),
                  Link("performance:alert-rule-list", _("Alert rules"), "bell"),
                  Link("performance:result-settings", _("Work result settings"), "shield"),
                  Link("mentoring:policy-edit", _("Mentor policy"), "shield"),
                  Link("mentoring:template-list", _("Programme templates"), "list")]
    add(pgettext_lazy("navigation group", "Performance & mentoring set-up"), setup)

    settings: list[Link] = []
    if is_hr:
        settings.append(Link("notifications:group-bot-list", _("Group bots"), "chat",
                             also=("notifications:group-bot-create", "notifications:group-bot-edit")))
    if is_hr or is_admin:
        settings += [Link("notifications:im-identity-list", _("Chat app accounts"), "people",
                          also=("notifications:im-identity-import",)),
                     Link("core:audit-list", _("Audit log"), "shield")]
    if is_admin:
        settings += [Link("notifications:channel-list", _("Notification channels"), "bell",
                          also=("notifications:channel-credentials",)),
                     Link("accounts:account-list", _("Accounts & roles"), "people", also=("accounts:account-detail",))]
    if is_hr or is_admin:
        # Integrations are set up by HR and administrators; employees never need an API token.
        settings.append(Link("accounts:token-list", _("API tokens"), "key"))
    add(pgettext_lazy("navigation group", "Settings & integrations"), settings)

    me_links = []
    if has_emp:
        me_links += [Link("notifications:inbox", _("Notifications"), "bell"),
                     Link("notifications:preferences", _("Notification settings"), "bell")]
    me_links.append(Link("accounts:password-change", _("Change password"), "key"))
    add(_("Me"), me_links)
    return out


def shows_api(actor: Actor) -> bool:
    """The API documentation is offered to those who set up integrations."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def tabs(actor: Actor) -> list[Link]:
    """The phone tab bar: at most five places; everything else is on the More page."""
    if not actor.is_authenticated:
        return []
    out = [Link("home:index", _("Home"), "home")]
    if actor.employee is not None:
        out.append(Link("performance:dashboard", _("Performance"), "chart", also=("performance:score-detail",)))
        out.append(Link("mentoring:my-mentees" if "mentor" in actor.roles else "mentoring:my-mentoring",
                        _("Mentoring"), "mentor"))
    if actor.is_manager or actor.is_hr or actor.is_admin:
        out.append(Link("organisation:employee-list", _("People") if (actor.is_hr or actor.is_admin) else _("Team"),
                        "people", also=("organisation:employee-detail",)))
    else:
        out.append(Link("organisation:me", _("Profile"), "me"))
    out.append(Link("home:more", _("More"), "more"))
    return out[:5]
