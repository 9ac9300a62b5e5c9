"""The top bar at phone size (390×844): the language menu shows its whole label and "Sign out" (退出登录)
stays on one line, in Chinese and in English, for a person with the notification bell."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

GEOMETRY = """() => {
  const select = document.querySelector('#lang-select');
  const natural = select.cloneNode(true);
  natural.style.cssText = 'position:absolute;left:0;top:0;width:auto;flex:none';
  select.parentNode.appendChild(natural);
  const need = natural.getBoundingClientRect().width;
  natural.remove();
  const out = document.querySelector('[data-testid=sign-out]');
  const range = document.createRange();
  range.selectNodeContents(out);
  const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
  const box = e => e.getBoundingClientRect();
  return {select: box(select).width, need, lines, outRight: box(out).right, selectRight: box(select).right,
          width: innerWidth, scroll: document.documentElement.scrollWidth};
}"""


@pytest.mark.parametrize(("locale", "label"), [("zh-CN", "退出登录"), ("en-US", "Sign out")])
def test_language_menu_and_sign_out_fit_a_phone(world, new_page, sign_in, shot, locale, label):
    page = new_page("phone", locale=locale)
    sign_in(page, "hr")
    page.goto("/")
    assert page.locator("[data-testid=sign-out]").inner_text().strip() == label
    g = page.evaluate(GEOMETRY)
    shot(page, "topbar")
    assert g["select"] + 0.5 >= g["need"], f"the language menu is {g['select']}px wide but needs {g['need']}px"
    assert g["lines"] == 1, f"{label} wraps onto {g['lines']} lines"
    assert g["outRight"] <= g["width"] and g["scroll"] <= g["width"]
    # The brand's name stays for screen readers even where it is not drawn.
    assert page.locator(".brand").get_attribute("href") == "/"
    assert page.locator(".brand-name").text_content().strip()  # the name stays in the link for screen readers
