"""Views and API modules never reach a model manager: reads go through the app's selectors (or its
access scopes), writes through its services, so a rule lives in one place and every query is counted
where the selector is tested. The check parses the modules instead of importing them, so an
``.objects`` hidden in a function that no test calls is found too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]


def view_modules() -> list[Path]:
    """Every module that answers requests: views.py, views/ packages, views_*.py and *_views.py,
    api.py, api_*.py and api/ packages, in every app."""
    found: set[Path] = set()
    for app in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        for pattern in ("views.py", "views_*.py", "*_views.py", "views/**/*.py",
                        "api.py", "api_*.py", "api/**/*.py"):
            found.update(p for p in app.glob(pattern) if "tests" not in p.relative_to(app).parts)
    return sorted(found)


def manager_uses(source: str) -> list[int]:
    """The lines of every ``<something>.objects`` attribute read in the source."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Attribute) and node.attr == "objects")


def test_the_walk_finds_the_view_and_api_modules():
    names = {str(p.relative_to(PACKAGE)) for p in view_modules()}
    assert {"organisation/api.py", "organisation/views.py", "config/api.py",
            "notifications/api_channels.py", "performance/api/alerts.py"} <= names
    assert len(names) > 20, "the walk found too few modules to be trusted"


@pytest.mark.parametrize("module", view_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_model_manager_in_views_or_api(module: Path):
    lines = manager_uses(module.read_text(encoding="utf-8"))
    where = ", ".join(f"{module.relative_to(PACKAGE.parents[1])}:{n}" for n in lines)
    assert not lines, (f"views and API modules read through selectors and write through services, "
                       f"never a model's manager: .objects at {where}")


def test_the_check_sees_a_manager_and_nothing_else():
    source = "from x import Employee\n\ndef view(request):\n    return Employee.objects.filter(pk=1)\n" \
             "objects = 1\nshown = request.objects_seen\n"
    assert manager_uses(source) == [4]
