"""HR sets up a GitLab connector on the phone (390×844): the secret is shown once with the address the
tool sends to, "merged" is mapped to a metric, and a tool account nobody matched is matched to a person
found by typing their name in pinyin; its waiting fact becomes the person's observation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _wait_for(check, timeout=10.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_hr_sets_up_a_connector_and_matches_an_account(world, new_page, sign_in, shot):
    from talentloop.core.access import actor_for
    from talentloop.integrations.connectors.base import AccountRef, ToolFact
    from talentloop.integrations.models import Connector, ToolAccount, ToolEvent
    from talentloop.integrations.services.connector_events import tool_facts_store
    from talentloop.performance.models import Aggregation, Observation
    from talentloop.performance.services.config import metric_save
    from talentloop.testing.factories import EmployeeFactory

    metric_save(actor=actor_for(world.hr), data={"key": "mrs-merged", "name": "合并请求", "name_en": "Merged MRs",
                                                 "aggregation": Aggregation.COUNT})
    wang = EmployeeFactory(name="王小明", name_en="Wang Xiaoming", employee_number="TL0007", org_unit=world.platform,
                           job_family=world.engineering)

    page = new_page("phone")
    assert page.viewport_size == {"width": 390, "height": 844}
    sign_in(page, "hr")
    page.goto("/integrations/connectors/")
    expect(page.get_by_test_id("webhook-sources")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("new-connector").click()
    page.get_by_test_id("kind-choice").get_by_text("GitLab", exact=True).click()
    expect(page.get_by_test_id("settings-gitlab")).to_be_visible()
    expect(page.get_by_test_id("settings-jira")).to_be_hidden()
    page.fill("#id_key", "GitLab Main")
    page.fill("#id_name", "公司 GitLab")
    page.fill("#id_base_url", "https://gitlab.example.com")
    page.fill("#id_api_token", "glpat-e2e-token")
    page.fill("#id_projects", "platform/api")
    shot(page, "01-form")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    expect(page.locator(".has-error")).to_contain_text("lower-case")
    assert not Connector.objects.exists()

    page.fill("#id_key", "gitlab")
    page.fill("#id_api_token", "glpat-e2e-token")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    connector = Connector.objects.get()
    expect(page.get_by_test_id("connector-secret-value")).to_have_text(connector.secret)
    expect(page.get_by_test_id("inbound-url")).to_contain_text("/api/v1/connectors/gitlab/events")
    expect(page.get_by_test_id("connector-setup")).to_contain_text("X-Gitlab-Token")
    shot(page, "02-secret-shown-once")

    with page.expect_navigation():
        page.get_by_test_id("done").click()
    expect(page.get_by_test_id("connector-detail")).to_be_visible()
    assert connector.secret not in page.content() and "glpat-e2e-token" not in page.content()
    page.locator("[data-testid=mapping][data-kind=merged] select").select_option("mrs-merged")
    with page.expect_navigation():
        page.get_by_test_id("save-mappings").click()
    assert list(connector.mappings.values_list("event_kind", "metric_key")) == [("merged", "mrs-merged")]
    expect(page.locator("[data-testid=mapping][data-kind=merged] select")).to_have_value("mrs-merged")

    # A merge request of an account no one can match automatically arrives.
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    tool_facts_store(connector=connector, facts=[ToolFact(
        event_kind="merged", external_id="mr:42", occurred_at=at, value=Decimal(1),
        account=AccountRef(handle="xiaoming", email="xm@users.gitlab.example", display_name="Xiaoming W."))])
    assert _wait_for(lambda: ToolEvent.objects.get().status == "unmatched")
    page.reload()
    shot(page, "03-detail")
    with page.expect_navigation():
        page.get_by_test_id("match-accounts").click()
    account = ToolAccount.objects.get()
    card = page.locator("[data-testid=account][data-handle=xiaoming]")
    expect(card.get_by_test_id("waiting")).to_contain_text("1 fact waiting")
    box = card.locator(f"#id_a{account.pk}-employee")
    box.press_sequentially("wxm", delay=60)
    option = card.locator(f"[data-person-pick='{wang.pk}']")
    expect(option).to_be_visible()
    shot(page, "04-picker")
    option.click()
    with page.expect_navigation():
        card.get_by_test_id("match").click()
    expect(page.locator("[data-testid=account][data-handle=xiaoming] [data-testid=matched]")).to_contain_text(
        "Wang Xiaoming")
    shot(page, "05-matched")
    assert ToolAccount.objects.get().employee_id == wang.pk
    assert _wait_for(lambda: Observation.objects.filter(employee=wang, metric__key="mrs-merged",
                                                        source="connector:gitlab").exists())


def test_connector_pages_on_the_desktop_and_in_chinese(world, new_page, sign_in, shot):
    """The same pages on a desktop (a table of connectors) and on a phone in Chinese."""
    from talentloop.core.access import actor_for
    from talentloop.integrations.connectors.base import AccountRef, ToolFact
    from talentloop.integrations.services.connector_events import tool_facts_store
    from talentloop.integrations.services.connectors import connector_create

    hr = actor_for(world.hr)
    gitlab, _secret = connector_create(actor=hr, key="gitlab", name="公司 GitLab", kind="gitlab",
                                       base_url="https://gitlab.example.com")
    connector_create(actor=hr, key="jira", name="Jira", kind="jira", base_url="https://acme.atlassian.net")
    now = dt.datetime.now(dt.UTC)
    tool_facts_store(connector=gitlab, facts=[
        ToolFact(event_kind="merged", external_id=f"mr:{n}", occurred_at=now - dt.timedelta(days=n % 5),
                 value=Decimal(1), account=AccountRef(handle=f"dev{n % 4}", display_name=f"Dev {n % 4}"))
        for n in range(12)])

    desktop = new_page("desktop")
    sign_in(desktop, "hr")
    desktop.goto("/integrations/connectors/")
    expect(desktop.get_by_test_id("connector")).to_have_count(2)
    shot(desktop, "desktop-list")
    desktop.goto(f"/integrations/connectors/{gitlab.pk}/")
    shot(desktop, "desktop-detail")
    desktop.goto(f"/integrations/connectors/{gitlab.pk}/accounts/")
    shot(desktop, "desktop-accounts")
    desktop.goto("/integrations/connectors/new/")
    shot(desktop, "desktop-form")

    phone = new_page("phone", locale="zh-CN")
    sign_in(phone, "hr")
    phone.goto("/integrations/connectors/")
    expect(phone.locator("h1")).to_have_text("连接器")
    shot(phone, "zh-list")
    phone.goto(f"/integrations/connectors/{gitlab.pk}/")
    shot(phone, "zh-detail")
    phone.goto("/integrations/connectors/new/")
    phone.get_by_test_id("kind-choice").locator("label").nth(3).click()
    shot(phone, "zh-form-pull")
