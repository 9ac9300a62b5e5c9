"""Planning a roster week on a phone (390×844): the manager puts two people on the night shift one
by one (each change saved on its own, the shortfall badge following), is warned of a short rest, then
copies the week into the next one; the employee sees their coming nights in My roster."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def scene(world):
    from django.utils import timezone

    from talentloop.attendance.models import Shift, ShiftRequirement, WorkSchedule

    day = Shift.objects.create(code="day", name="白班", name_en="Day", start=dt.time(8), end=dt.time(17))
    night = Shift.objects.create(code="night", name="夜班", name_en="Night", start=dt.time(22), end=dt.time(6),
                                 break_minutes=30)
    WorkSchedule.objects.create(org_unit=world.platform, kind="roster", effective_from=dt.date(2026, 1, 1))
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    # Platform needs two people on nights every Monday.
    ShiftRequirement.objects.create(org_unit=world.platform, shift=night, weekday=0, min_people=2)
    return {"day": day, "night": night, "monday": monday}


def choose(page, testid: str, value: str) -> None:
    """Change one planner cell and wait until its answer is swapped in and settled: a second change
    made while htmx is still wiring up the new planner would never be sent."""
    with page.expect_response(lambda r: "/time/rosters/cell" in r.url and r.request.method == "POST"):
        page.get_by_test_id(testid).select_option(value)
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_a_manager_plans_a_roster_week_and_copies_it(world, scene, new_page, sign_in, shot):
    monday, night, day = scene["monday"], scene["night"], scene["day"]
    tuesday = monday + dt.timedelta(days=1)
    employee, mentor = world.emp(world.employee), world.emp(world.mentor)
    page = new_page("phone")
    page.goto("/accounts/login/", timeout=60_000)  # the live server's first answer may be slow on a busy machine
    sign_in(page, "manager")
    page.goto(f"/time/rosters/?unit={world.platform.pk}")
    expect(page.get_by_test_id("roster-days")).to_be_visible()
    expect(page.get_by_test_id("roster-grid")).to_be_hidden()  # the grid is for wider screens
    expect(page.get_by_test_id(f"short-{monday:%Y-%m-%d}")).to_have_text("2 short")
    shot(page, "01-empty-week")

    page.evaluate("window.__marker = 'same page'")
    choose(page, f"cell-{employee.pk}-{monday:%Y-%m-%d}", str(night.pk))
    expect(page.get_by_test_id(f"short-{monday:%Y-%m-%d}")).to_have_text("1 short")
    choose(page, f"cell-{mentor.pk}-{monday:%Y-%m-%d}", str(night.pk))
    expect(page.get_by_test_id(f"short-{monday:%Y-%m-%d}")).to_have_count(0)
    # A day shift at 08:00 the morning after a night ending 06:00: 2 hours of rest, flagged.
    choose(page, f"cell-{employee.pk}-{tuesday:%Y-%m-%d}", str(day.pk))
    day_card = page.get_by_test_id(f"day-{tuesday:%Y-%m-%d}")
    expect(day_card.get_by_test_id("rest-warning")).to_have_text("rest 2.0 h")
    choose(page, f"cell-{employee.pk}-{tuesday:%Y-%m-%d}", "rest")
    expect(day_card.get_by_test_id("rest-warning")).to_have_count(0)
    assert page.evaluate("window.__marker") == "same page"  # every change without a reload
    shot(page, "02-planned")

    page.get_by_test_id("next-week").click()
    next_monday = monday + dt.timedelta(days=7)
    expect(page.get_by_test_id(f"short-{next_monday:%Y-%m-%d}")).to_have_text("2 short")
    page.get_by_test_id("copy-week").click()
    expect(page.locator(".messages")).to_contain_text("3 days copied from last week.")
    expect(page.get_by_test_id(f"cell-{employee.pk}-{next_monday:%Y-%m-%d}")).to_have_value(str(night.pk))
    expect(page.get_by_test_id(f"short-{next_monday:%Y-%m-%d}")).to_have_count(0)
    shot(page, "03-copied")

    mine = new_page("phone")
    sign_in(mine, "employee")
    mine.goto(f"/time/rosters/me/?week={monday:%Y-%m-%d}")
    expect(mine.get_by_test_id(f"my-{next_monday:%Y-%m-%d}")).to_contain_text("22:00–06:00")
    shot(mine, "04-my-roster")


def test_the_planner_grid_on_a_desktop(world, scene, new_page, sign_in, shot):
    page = new_page("desktop")
    page.goto("/accounts/login/", timeout=60_000)
    sign_in(page, "hr")
    page.goto(f"/time/rosters/?unit={world.platform.pk}")
    expect(page.get_by_test_id("roster-grid")).to_be_visible()
    employee = world.emp(world.employee)
    choose(page, f"grid-{employee.pk}-{scene['monday']:%Y-%m-%d}", str(scene["night"].pk))
    expect(page.get_by_test_id(f"need-{scene['monday']:%Y-%m-%d}-night")).to_have_text("Night 1/2")
    shot(page, "01-grid")
