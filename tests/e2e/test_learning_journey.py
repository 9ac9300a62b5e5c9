"""Learning on a phone: an employee who opened Python courses sees a Python recommendation with its
reason, dismisses it (gone, and still gone after a reload), and signs up for a training session."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def library(world):
    from django.utils import timezone

    from talentloop.learning.models import BehaviourEvent
    from talentloop.learning.tests.factories import ContentItemFactory, TrainingSessionFactory

    me = world.emp(world.employee)
    for i in range(3):
        item = ContentItemFactory(title="Python", title_en=f"Python part {i + 1}", tags=["python"])
        BehaviourEvent.objects.create(employee=me, verb="open", content=item, tags=item.tags,
                                      occurred_at=timezone.now() - dt.timedelta(days=i + 1))
    advanced = ContentItemFactory(title="Python 进阶", title_en="Advanced Python", tags=["python", "testing"])
    lean = ContentItemFactory(title="精益", title_en="Lean basics", tags=["lean-manufacturing"],
                              published_at=timezone.now())
    review = ContentItemFactory(title="代码评审", title_en="The art of code review", tags=["code-review"])
    session = TrainingSessionFactory(content=review, capacity=10, location="A-301",
                                     starts_at=timezone.now() + dt.timedelta(days=3))
    return {"advanced": advanced, "lean": lean, "session": session}


def test_an_employee_dismisses_a_recommendation_and_signs_up(library, new_page, sign_in, shot):
    page = new_page("phone")
    # The first request of a fresh live server imports and compiles everything: on a loaded machine
    # it can take longer than the default navigation timeout.
    page.goto("/accounts/login/", timeout=60_000)
    sign_in(page, "employee")
    page.goto("/learning/my/")
    recs = page.get_by_test_id("recommendations")
    card = recs.locator(f"[data-content='{library['advanced'].pk}']")
    expect(card).to_be_visible()
    expect(card.get_by_test_id("reason")).to_have_text("Because you opened 3 Python courses")
    shot(page, "01-recommendations")

    card.get_by_test_id("dismiss").click()
    expect(card).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("recommendations").locator(f"[data-content='{library['advanced'].pk}']")) \
        .to_have_count(0)
    # Other Python items are still offered; the dismissal only lowered them.
    expect(page.get_by_test_id("recommendation").first).to_be_visible()
    shot(page, "02-dismissed")

    page.goto(f"/learning/content/{library['session'].content_id}/")
    box = page.get_by_test_id("signup-box")
    expect(box).to_contain_text("0 of 10 places taken")
    box.get_by_test_id("signup").click()
    expect(page.get_by_test_id("signed-up")).to_have_text("You are signed up")
    expect(page.get_by_test_id("signup-box")).to_contain_text("1 of 10 places taken")
    shot(page, "03-signed-up")
    page.goto("/learning/my/")
    expect(page.get_by_test_id("my-signup")).to_contain_text("The art of code review")
    page.goto("/learning/?tag=python")
    expect(page.get_by_test_id("count")).to_have_text("4 items")
    shot(page, "04-library")
