"""A manager on a phone sees their whole reporting tree in the org chart, not only direct reports."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_manager_sees_their_reporting_tree_in_the_org_chart(world, new_page, sign_in, shot):
    page = new_page("phone")
    sign_in(page, "manager")
    # On a phone the org chart is one tap away under "More".
    page.locator("nav.tabbar").get_by_role("link", name="More", exact=True).click()
    page.locator("main").get_by_role("link", name="Org chart", exact=True).click()
    expect(page).to_have_url(re.compile(r"/org/$"))

    tree = page.get_by_test_id("team-tree")
    expect(tree).to_be_visible()
    # manager ── lead ── employee, and manager ── mentor: three people below, ordered as a tree.
    rows = tree.locator("li")
    expect(rows).to_have_count(3)
    expect(page.locator("section", has=tree)).to_contain_text("3 people below you")
    lead = rows.filter(has_text="Lead")
    employee = rows.filter(has_text="Employee")
    mentor = rows.filter(has_text="Mentor")
    for row in (lead, employee, mentor):
        expect(row).to_have_count(1)
    expect(lead).to_contain_text("1 report")
    names = [text.split("\n")[0].strip() for text in rows.all_inner_texts()]
    assert names.index("Lead") + 1 == names.index("Employee"), names
    # employee (reporting to lead) is drawn indented under lead; mentor sits at lead's depth.
    lead_x = lead.bounding_box()["x"]
    assert employee.bounding_box()["x"] > lead_x + 8
    assert mentor.bounding_box()["x"] == lead_x
    expect(tree).not_to_contain_text("Outsider")
    expect(tree).not_to_contain_text("Hr")
    shot(page, "01-org-chart")

    # The tree links to the people in it: the manager may open the indirect report's profile.
    employee.get_by_role("link").click()
    expect(page.get_by_test_id("profile-name")).to_have_text("Employee")
    shot(page, "02-indirect-report")
