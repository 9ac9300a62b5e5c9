"""Destructive actions ask first: every form that deletes, revokes, removes, cancels, withdraws or
deactivates carries ``data-confirm`` (static/js/app.js asks before sending) or htmx's ``hx-confirm``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import talentloop

ROOT = Path(talentloop.__file__).parent
DESTRUCTIVE = re.compile(r"[:-](delete|revoke|remove|cancel|withdraw|deactivate)\b")
# Undoable at once by the person themselves, so no question: a reason for each.
ALLOWED = {
    "learning:session-cancel-signup": "one's own place in a session; signing up again is one click",
}
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
ACTION = re.compile(r"""(?:action|hx-post|formaction)="\{% url '([a-z-]+:[a-z-]+)'""")


def _forms():
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for form in FORM.findall(text):
            for name in ACTION.findall(form):
                if DESTRUCTIVE.search(name):
                    yield path.relative_to(ROOT), name, form


def test_the_scan_finds_the_destructive_forms():
    names = {name for _path, name, _form in _forms()}
    assert {"accounts:token-revoke", "careers:level-delete", "onboarding:template-delete"} <= names


@pytest.mark.parametrize(("path", "name", "form"), list(_forms()), ids=lambda v: str(v)[:60])
def test_a_destructive_form_asks_first(path, name, form):
    if name in ALLOWED:
        return
    assert "data-confirm=" in form or "hx-confirm=" in form, f"{path}: the form for {name} does not ask first"


@pytest.mark.django_db
def test_deactivating_an_account_asks_first(client_for, world):
    html = client_for("admin").get(f"/accounts/manage/{world.employee.pk}/").content.decode()
    assert "data-confirm=" in html


def test_the_script_asks_before_sending():
    script = (ROOT / "static" / "js" / "app.js").read_text(encoding="utf-8")
    assert "data-confirm" in script and "window.confirm" in script
