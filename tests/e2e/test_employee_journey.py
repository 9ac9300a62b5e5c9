"""An employee on a phone (and once on a desktop): home, own profile, sensitive value, language, sign out."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _zh(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_employee_signs_in_sees_profile_switches_language_and_signs_out(
        world, new_page, sign_in, shot, device):
    # The browser asks for Chinese (zh-CN), so the first pages come in 简体中文 without any choice made.
    page = new_page(device, locale="zh-CN")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    shot(page, "01-login")

    sign_in(page, "employee")
    greeting = page.get_by_test_id("home-greeting")
    expect(greeting).to_be_visible()
    expect(greeting).to_contain_text("employee-中文")
    tabbar, sidebar = page.locator("nav.tabbar"), page.locator("nav.sidebar")
    if device == "phone":
        expect(tabbar).to_be_visible()
        expect(sidebar).to_be_hidden()
        # The tab bar sits at the very bottom of the screen and spans its width.
        box = tabbar.bounding_box()
        assert box is not None
        assert box["width"] == 390 and abs(box["y"] + box["height"] - 844) <= 1, box
    else:
        expect(sidebar).to_be_visible()
        expect(tabbar).to_be_hidden()
    shot(page, "02-home")

    # Own profile: the name, and the national ID masked to its last 4 characters until revealed.
    page.get_by_test_id("open-profile").click()
    expect(page.get_by_test_id("profile-name")).to_have_text("employee-中文")
    national_id = page.locator("#sensitive-national_id")
    expect(national_id).to_contain_text("••••1234")
    expect(national_id).not_to_contain_text("110101199001011234")
    shot(page, "03-profile-masked")
    page.get_by_test_id("reveal-national-id").click()
    expect(page.get_by_test_id("sensitive-value")).to_have_text("110101199001011234")
    shot(page, "04-profile-revealed")

    # Language: English, then back to 简体中文; the page text follows each time (the html lang, the
    # person's name, which has a Chinese and an English form, and the navigation labels once the
    # zh-Hans catalogue translates them; a separate catalogue test makes sure it does).
    nav = tabbar if device == "phone" else sidebar
    home_zh = _zh("Home")
    expect(nav.get_by_role("link", name=home_zh, exact=True)).to_be_visible()
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-select")).to_have_value("en")
    expect(page.get_by_test_id("profile-name")).to_have_text("Employee")
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_visible()
    shot(page, "05-profile-en")
    with page.expect_navigation():
        page.select_option("#lang-select", label="简体中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#lang-select")).to_have_value("zh-hans")
    expect(page.get_by_test_id("profile-name")).to_have_text("employee-中文")
    expect(nav.get_by_role("link", name=home_zh, exact=True)).to_be_visible()
    if home_zh != "Home":
        expect(nav.get_by_role("link", name="Home", exact=True)).to_have_count(0)
    shot(page, "06-profile-zh")

    # Sign out: back at the sign-in page, and the profile is no longer reachable.
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    expect(page.get_by_test_id("sign-out")).to_have_count(0)
    shot(page, "07-signed-out")
    page.goto("/me/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/me/$"))
