"""Clocking in on a phone (390×844) with the browser's geolocation: one tap on the home page inside the
company's geofence records the punch at the site; clocking out from a spot 600 m away asks for the
reason, says how far outside it is, and records the punch marked outside once the reason is given."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

INSIDE = {"latitude": 31.2309, "longitude": 121.473701, "accuracy": 12}  # 54 m north of the centre
OUTSIDE = {"latitude": 31.236, "longitude": 121.473701, "accuracy": 20}  # 621 m north of the centre: 421 m outside


def test_clock_in_inside_the_geofence_and_out_outside_with_a_reason(world, new_page, sign_in, shot):
    from talentloop.attendance.models import ClockEvent, WorkSite

    site = WorkSite.objects.create(org_unit=world.company, name="总部", name_en="HQ", latitude=Decimal("31.230416"),
                                   longitude=Decimal("121.473701"), radius_m=200)
    page = new_page("phone")
    context = page.context
    context.grant_permissions(["geolocation"])
    context.set_geolocation(INSIDE)
    sign_in(page, "employee")
    section = page.get_by_test_id("section-clock")
    expect(section).to_be_visible()
    expect(section.get_by_test_id("privacy-notice")).to_have_count(0)  # the notice is on the clock page
    shot(page, "01-home")
    with page.expect_navigation():
        section.get_by_test_id("clock-in").click()
    expect(page.locator(".messages")).to_contain_text("Clocked in at")
    expect(page.locator(".messages")).to_contain_text("HQ")
    shot(page, "02-clocked-in")
    event = ClockEvent.objects.get()
    assert (event.site_id, event.outside, event.direction) == (site.pk, False, "in")
    assert event.latitude == Decimal("31.230900") and event.accuracy_m == 12

    context.set_geolocation(OUTSIDE)
    page.goto("/time/")
    expect(page.get_by_test_id("privacy-notice")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("clock-out").click()
    expect(page.get_by_test_id("clock-outside")).to_contain_text("421 m outside the nearest work site")
    shot(page, "03-reason-asked")
    assert ClockEvent.objects.count() == 1
    page.get_by_test_id("clock-reason").fill("Visiting a client")
    with page.expect_navigation():
        page.get_by_test_id("clock-out").click()
    expect(page.locator(".messages")).to_contain_text("Clocked out at")
    expect(page.get_by_test_id("clock-events")).to_contain_text("outside, 421 m away")
    shot(page, "04-clocked-out")
    out = ClockEvent.objects.get(direction="out")
    assert (out.outside, out.distance_m, out.reason, out.site_id) == (True, 421, "Visiting a client", None)
