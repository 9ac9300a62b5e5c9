"""Navigation: each link follows the access predicate of the page it opens, and is shown only to
those whose request the page answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from talentloop.home import nav
from talentloop.home.context_processors import forget_kept_bars
from talentloop.mentoring.tests.effectiveness_fixtures import mentor_of

pytestmark = pytest.mark.django_db


def names(actor) -> set[str]:
    return {link.url_name for group in nav.groups(actor) for link in group.links}


def test_employee_links(actor_of):
    got = names(actor_of("employee"))
    assert {"performance:result-submit", "performance:result-list", "onboarding:my-onboarding",
            "careers:my-path", "learning:my", "learning:session-list", "notifications:inbox",
            "notifications:preferences"} <= got
    assert not {"performance:result-queue", "onboarding:team-onboarding", "onboarding:template-list",
                "careers:ladder-list", "notifications:channel-list", "notifications:group-bot-list"} & got


def test_manager_hr_and_admin_links(actor_of):
    manager = names(actor_of("manager"))
    assert {"performance:result-queue", "onboarding:team-onboarding"} <= manager
    hr = names(actor_of("hr"))
    assert {"performance:result-settings", "onboarding:template-list", "onboarding:checklist-list",
            "careers:ladder-list", "notifications:group-bot-list", "notifications:im-identity-list"} <= hr
    assert "notifications:channel-list" not in hr
    admin = names(actor_of("admin"))
    assert {"notifications:channel-list", "onboarding:checklist-list"} <= admin
    assert not {"notifications:inbox", "performance:result-submit"} & admin  # no employee record


PERSONAS = ("employee", "manager", "mentor", "hr", "admin", "outsider")


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_link_is_shown_only_when_its_page_opens(world, actor_of, client_for, persona):
    """Each link's predicate (its app's access) agrees with the page it opens: for every persona,
    every link of the side bar, the More page and the tab bar answers 200 (after a redirect, if
    the page sends the reader on), never a 404 or the sign-in page."""
    mentor_of(world.emp(world.mentor))  # the mentor role comes with HR's approval, which makes the record
    actor = actor_of(persona)
    links = {link.url_name for group in nav.groups(actor) for link in group.links}
    links |= {link.url_name for link in nav.tabs(actor)}
    client = client_for(persona)
    for url_name in sorted(links):
        response = client.get(reverse(url_name), follow=True)
        assert response.status_code == 200, (persona, url_name)
        assert response.resolver_match.url_name != "login", (persona, url_name)


def test_every_link_names_a_predicate_and_an_existing_page():
    """No link is probed at request time: each one's page exists and its predicate comes from the
    access module of an app (or is the navigation's own ``signed_in``)."""
    for _title, links in nav.GROUPS:
        for link in (*links, *nav.TABS):
            reverse(link.url_name)
            module = getattr(link.allowed, "__module__", "")
            assert module.endswith("access") or module == nav.__name__, (link.url_name, module)


def test_every_page_renders_with_the_navigation(client_for):
    for persona in ("employee", "manager", "mentor", "hr", "admin"):
        response = client_for(persona).get("/more/")
        assert response.status_code == 200
    assert 'href="/onboarding/me/"' in client_for("employee").get("/more/").content.decode()


def test_tab_bar_has_at_most_five_places(actor_of):
    for persona in ("employee", "manager", "mentor", "hr", "admin"):
        assert len(nav.tabs(actor_of(persona))) <= 5


# ---------------------------------------------------------------- grouped by task, with a search box

HR_OR_API = {"organisation:unit-list", "organisation:job-family-list", "organisation:employee-import",
             "performance:metric-list", "performance:scorecard-list", "performance:alert-rule-list",
             "mentoring:policy-edit", "notifications:group-bot-list", "notifications:im-identity-list",
             "notifications:channel-list", "core:audit-list", "accounts:account-list", "accounts:token-list",
             "attendance:shift-list", "attendance:site-list", "attendance:imports", "leave:type-list",
             "leave:prior-service-review"}


@pytest.mark.parametrize("persona", ["employee", "mentor", "outsider", "manager"])
def test_employees_and_managers_see_no_hr_or_api_items(actor_of, client_for, persona):
    assert not names(actor_of(persona)) & HR_OR_API
    page = client_for(persona).get("/more/").content.decode()
    assert "/api/v1/docs" not in page and 'href="/accounts/tokens/"' not in page
    assert "data-nav-filter" in page


def test_hr_links_are_grouped_by_task(actor_of, client_for):
    titles = [str(g.title) for g in nav.groups(actor_of("hr"))]
    assert titles == ["", "My work", "Time & leave", "Pay & benefits", "Teams & reviews", "Mentoring", "Learning",
                      "People & organisation", "Payroll & benefits", "Performance & mentoring set-up", "Time set-up",
                      "Settings & integrations", "Me"]
    by_title = {str(g.title): {link.url_name for link in g.links} for g in nav.groups(actor_of("hr"))}
    assert {"organisation:unit-list", "organisation:employee-import"} <= by_title["People & organisation"]
    assert {"performance:metric-list", "mentoring:policy-edit"} <= by_title["Performance & mentoring set-up"]
    assert {"accounts:token-list", "core:audit-list"} <= by_title["Settings & integrations"]
    # No group is a long undifferentiated list.
    assert max(len(g.links) for g in nav.groups(actor_of("hr"))) <= 15
    page = client_for("hr").get("/more/").content.decode()
    assert "/api/v1/docs" in page and page.count("data-nav-group") == len(titles) + 1


def test_admin_keeps_accounts_and_api(actor_of):
    got = names(actor_of("admin"))
    assert {"accounts:account-list", "accounts:token-list", "notifications:channel-list"} <= got


def test_a_link_appears_once(actor_of):
    for persona in ("employee", "manager", "mentor", "hr", "admin"):
        links = [link.url_name for group in nav.groups(actor_of(persona)) for link in group.links]
        assert len(links) == len(set(links)), persona


def _bars(html: str) -> tuple[str, str]:
    side = html.split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]
    tabs = html.split('<nav class="tabbar"', 1)[1].split("</nav>", 1)[0]
    return side, tabs


def test_kept_bars_follow_the_reader_the_page_and_the_language(client_for):
    """The side bar and tab bar are kept as HTML per process; what is kept never shows one reader's
    links to another, marks the wrong page as current, or keeps the other language's labels."""
    hr, employee = client_for("hr"), client_for("employee")
    hr_side, _tabs = _bars(hr.get(reverse("home:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    emp_side, emp_tabs = _bars(employee.get(reverse("home:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    template_list = reverse("onboarding:template-list")
    assert template_list in hr_side and template_list not in emp_side
    home_url = reverse("home:index")
    assert f'href="{home_url}" aria-current="page"' in emp_side + emp_tabs
    inbox = reverse("notifications:inbox")
    other_side, _t = _bars(employee.get(inbox, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert f'href="{home_url}" aria-current="page"' not in other_side
    assert f'href="{inbox}" aria-current="page"' in other_side
    employee.post(reverse("set_language"), {"language": "en", "next": home_url})
    en_side, _t = _bars(employee.get(home_url).content.decode())
    employee.post(reverse("set_language"), {"language": "zh-hans", "next": home_url})
    zh_side, _t = _bars(employee.get(home_url).content.decode())
    assert en_side != zh_side
    assert "Notifications" in en_side and "Notifications" not in zh_side


def test_kept_bars_keep_each_readers_label_for_a_shared_page(client_for):
    """HR's "People" and a manager's "My team" open the same page: whoever is served first, the other
    still sees their own label in both bars."""
    for first, second in (("manager", "hr"), ("hr", "manager")):
        forget_kept_bars()
        bars = {}
        for persona in (first, second):
            html = client_for(persona).get(reverse("home:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
            bars[persona] = _bars(html)
        hr_side, hr_tabs = bars["hr"]
        manager_side, manager_tabs = bars["manager"]
        assert "<span>People</span>" in hr_side and "<span>My team</span>" not in hr_side
        assert "<span>My team</span>" in manager_side and "<span>People</span>" not in manager_side
        assert "<span>People</span>" in hr_tabs and "<span>People</span>" not in manager_tabs
