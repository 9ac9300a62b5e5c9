"""Styles live in the stylesheet (static/css/app.css). A template may keep a ``style`` attribute only
for a value computed per row (a bar's width, a tree depth) or where no stylesheet applies (e-mail),
and then says so in a ``{# inline style: <reason> #}`` comment on the same line or the line above."""

import re
from pathlib import Path

import talentloop

ROOT = Path(talentloop.__file__).parent
STYLE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
REASON = re.compile(r"\{#\s*inline style:\s*\S.*?#\}")


def templates() -> list[Path]:
    return sorted({*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")})


def unexplained(text: str) -> list[int]:
    lines = text.splitlines()
    return [n for n, line in enumerate(lines, 1)
            if STYLE.search(line) and not REASON.search(line) and not (n > 1 and REASON.search(lines[n - 2]))]


def test_every_inline_style_says_why():
    found = {str(path.relative_to(ROOT)): lines for path in templates()
             if (lines := unexplained(path.read_text(encoding="utf-8")))}
    assert found == {}, "move these styles to static/css/app.css or give the reason in {# inline style: ... #}"


def test_the_check_catches_a_bare_style_and_accepts_a_reason():
    assert unexplained('<p class="x" style="margin:0">') == [1]
    assert unexplained('<p>\n<span style="width:{{ pct }}%">') == [2]
    assert unexplained("{# inline style: width per row #}<span style='width:{{ pct }}%'>") == []
    assert unexplained('{# inline style: depth #}\n<li style="margin-left:{{ d }}rem">') == []
    assert len(templates()) > 50
