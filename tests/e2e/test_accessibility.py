"""Every page passes an automated accessibility scan (axe-core run in the page) on a phone.

The pages come from the access matrix (``tests/test_access_matrix.py`` and ``tests/matrix/*.py``):
every GET row of a web page is scanned as one persona that gets a 200 for it, so a page added by a
later area is scanned as soon as it has its matrix rows. The home page is role-based, so it is
scanned as every persona. One browser context per persona, signed in once with a session cookie.

A page fails on any axe-core violation of impact "serious" or "critical" (WCAG 2.x A/AA rules and
axe's best practices), with ``target-size`` switched on and set to the 44 × 44 CSS px that mobile
guidance asks for (a smaller target passes only when nothing else is within 44 px, axe's spacing
exception; links inside running text are exempt, as in WCAG), and when the body text is smaller
than 16 px or a form control's text is smaller than 16 px (phones zoom into such a field).
``TALENTLOOP_A11Y_ALL_PERSONAS=1`` scans every page as every persona that gets a 200 (slower).
"""

from __future__ import annotations

import importlib.util
import os
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TESTS = Path(__file__).resolve().parents[1]
PREFERRED = ("employee", "manager", "mentor", "hr", "admin", "outsider", "anonymous")
MIN_TARGET = 44  # CSS px, on a phone
MIN_FONT = 16  # CSS px
FAILING_IMPACTS = {"serious", "critical"}
# HTML pages the matrix leaves out on purpose (public shell pages); scanned as the anonymous visitor.
EXTRA_PAGES = [("offline/", "/offline/")]


def _matrix():
    """The access-matrix module, loaded from its file (the tests folder is not a package)."""
    spec = importlib.util.spec_from_file_location("a11y_access_matrix", TESTS / "test_access_matrix.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


MATRIX = _matrix()


def _plan() -> dict[str, list[tuple[str, str]]]:
    """persona -> [(row id, url template)] of the GET pages it scans."""
    every = os.environ.get("TALENTLOOP_A11Y_ALL_PERSONAS") == "1"
    plan: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: set[str] = set()
    for row in MATRIX.WEB:
        if row.method != "GET" or row.url in seen:
            continue
        seen.add(row.url)
        ok = [p for p, status in zip(MATRIX.PERSONAS, row.expected, strict=True) if status == 200]
        if not ok:
            continue
        if every or row.route == "":
            chosen = ok
        else:
            chosen = [min(ok, key=PREFERRED.index)]
        for persona in chosen:
            plan[persona].append((row.id, row.url))
    for route, url in EXTRA_PAGES:
        plan["anonymous"].append((f"GET {route}", url))
    return plan


PLAN = _plan()


def test_every_scanned_persona_has_pages():
    """The plan is derived from the matrix; an empty plan would make the scan pass by scanning nothing."""
    assert sum(len(v) for v in PLAN.values()) >= 20
    assert {"employee", "manager", "hr", "anonymous"} <= set(PLAN)


# Tap-target and font checks axe does not make: sizes of controls and text as the phone lays them out.
SIZE_CHECK = """
(minFont) => {
  const problems = [];
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  if (body < minFont) problems.push(`body font-size ${body}px < ${minFont}px`);
  const fields = 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea';
  for (const el of document.querySelectorAll(fields)) {
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < minFont) problems.push(`${el.outerHTML.slice(0, 120)}: font-size ${size}px < ${minFont}px`);
  }
  return problems;
}
"""


def _configure_axe(page, axe_source: str) -> None:
    page.evaluate(axe_source)
    page.evaluate(
        """(size) => axe.configure({checks: [
             {id: 'target-size', options: {minSize: size}},
             {id: 'target-offset', options: {minOffset: size}}]})""",
        MIN_TARGET,
    )


# Rules about the whole document, which an htmx fragment (a partial answer for part of a page that
# has them) cannot meet on its own; every other rule is run on fragments too.
DOCUMENT_RULES = ("document-title", "html-has-lang", "landmark-one-main", "page-has-heading-one", "region",
                  "bypass")


def _scan(page, axe_source: str) -> list[str]:
    _configure_axe(page, axe_source)
    rules = {"target-size": {"enabled": True}}
    if page.evaluate("document.doctype === null"):
        # Laid out with the app's stylesheet, as it is when swapped into its page.
        page.add_style_tag(url="/static/css/app.css")
        rules.update({rule: {"enabled": False} for rule in DOCUMENT_RULES})
    result = page.evaluate(
        "(rules) => axe.run(document, {resultTypes: ['violations'], rules: rules})", rules
    )
    found = []
    for violation in result["violations"]:
        if violation.get("impact") not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            if node.get("impact") not in FAILING_IMPACTS:
                continue
            found.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}\n"
                         f"      node {node['target']}: {node['html'][:200]}\n"
                         f"      {(node.get('failureSummary') or '').replace(chr(10), ' ')[:300]}")
    found += [f"[size] {problem}" for problem in page.evaluate(SIZE_CHECK, MIN_FONT)]
    return found


@pytest.fixture(scope="module")
def axe_source() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().axe_script


@pytest.mark.parametrize("persona", sorted(PLAN, key=PREFERRED.index))
def test_pages_have_no_serious_accessibility_violations(persona, world, live_server, new_page, axe_source):
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import Error as PlaywrightError

    keys = MATRIX._keys(world)
    page = new_page("phone")
    if persona != "anonymous":
        client = Client()
        client.force_login(getattr(world, persona))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    # The service worker is not needed for a scan, and its install would compete with the pages.
    page.route("**/sw.js", lambda route: route.abort())
    report = []
    scanned = 0
    for row_id, template in PLAN[persona]:
        url = MATRIX._fill(template, keys)
        try:
            response = page.goto(url, wait_until="load")
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # a file download (an export), not a page
            raise
        status = response.status if response else None
        if status != 200:
            report.append(f"{row_id} ({url}): status {status}, expected 200 (see the access matrix)")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue  # downloads and JSON are not pages
        scanned += 1
        problems = _scan(page, axe_source)
        if problems:
            report.append(f"{row_id} ({url}):\n    " + "\n    ".join(problems))
    assert scanned, f"no page was scanned for {persona}"
    assert not report, f"Accessibility problems for {persona} (390x844):\n" + "\n".join(report)
