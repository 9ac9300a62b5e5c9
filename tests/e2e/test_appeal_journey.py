"""An employee on a phone acknowledges and appeals a final rating; their manager answers and
changes it; the employee sees the outcome and the new rating, with the history of why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def rated(world):
    """HR ran the 2026 Q1 review cycle; lead (the employee's manager) set a final rating of 2.5."""
    import datetime as dt

    from talentloop.core.access import actor_for
    from talentloop.performance.services.decisions import final_rating_set
    from talentloop.performance.services.reviews import review_cycle_create, review_cycle_open

    hr = actor_for(world.hr)
    cycle = review_cycle_create(actor=hr, name="2026 Q1", period_key="2026-Q1", self_due=dt.date(2026, 4, 10),
                                peer_due=dt.date(2026, 4, 12), manager_due=dt.date(2026, 4, 20))
    cycle = review_cycle_open(actor=hr, cycle=cycle)
    return final_rating_set(actor=actor_for(world.lead), employee=world.emp(world.employee), period_key="2026-Q1",
                            rating="2.5", note="Delivery was behind plan.", cycle=cycle)


def test_an_employee_appeals_a_final_rating(world, rated, new_page, sign_in, shot):
    page = new_page("phone")
    sign_in(page, "employee")
    page.goto("/performance/ratings/")
    card = page.get_by_test_id("final-2026-Q1")
    expect(card.get_by_test_id("final-rating")).to_have_text("2.5")
    expect(card).to_contain_text("Delivery was behind plan.")
    shot(page, "01-my-rating")

    # Acknowledging says "I have seen it"; the appeal stays possible.
    card.get_by_test_id("acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("You acknowledged your 2026-Q1 rating.")
    expect(card.get_by_test_id("acknowledge")).to_have_count(0)
    expect(card).to_contain_text("Acknowledged")

    card.get_by_test_id("appeal").click()
    expect(page).to_have_url(re.compile(r"/performance/ratings/2026-Q1/appeal/$"))
    # An empty reason is refused with a clear error, and nothing is sent.
    page.get_by_test_id("send-appeal").click()
    expect(page.locator(".field.has-error")).to_contain_text("This field is required.")
    page.fill("#id_reason", "Two of my releases slipped because of the February outage, not my work.")
    shot(page, "02-appeal-form")
    page.get_by_test_id("send-appeal").click()
    expect(page).to_have_url(re.compile(r"/performance/ratings/$"))
    expect(page.get_by_test_id("final-2026-Q1").get_by_test_id("appeal-open")).to_be_visible()
    shot(page, "03-appeal-sent")

    # The manager answers on their phone: the rating is changed to 3.0.
    manager_page = new_page("phone")
    sign_in(manager_page, "lead")
    manager_page.goto("/performance/appeals/")
    inbox = manager_page.get_by_test_id("appeal-inbox")
    inbox.get_by_role("link", name="Employee").click()
    expect(manager_page.get_by_test_id("appeal")).to_contain_text("February outage")
    manager_page.get_by_label("Rating changed").check()
    manager_page.fill("#id_rating", "3.0")
    manager_page.fill("#id_answer", "Agreed: the outage delayed both releases. Raised to 3.0.")
    shot(manager_page, "04-manager-answers")
    manager_page.get_by_test_id("send-answer").click()
    expect(manager_page.locator(".messages")).to_contain_text("Your answer was sent.")

    # Back to the employee: the new final rating, to be acknowledged again, and the kept outcome.
    page.goto("/performance/ratings/")
    card = page.get_by_test_id("final-2026-Q1")
    expect(card.get_by_test_id("final-rating")).to_have_text("3.0")
    expect(card.get_by_test_id("acknowledge")).to_be_visible()
    card.locator("summary").click()
    expect(card.locator("ol.timeline li")).to_have_count(2)
    expect(card.locator("ol.timeline")).to_contain_text("Appeal")
    shot(page, "05-new-rating")
    page.goto("/performance/appeals/")
    page.get_by_test_id("my-appeals").get_by_role("link", name="2026-Q1").click()
    expect(page.get_by_test_id("appeal-outcome")).to_have_text("Rating changed")
    expect(page.get_by_test_id("appeal-answer")).to_contain_text("Raised to 3.0.")
    shot(page, "06-outcome")
