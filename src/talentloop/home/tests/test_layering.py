"""The home app owns no data: it reads other apps only through their selectors and access scopes.
A query written in home would dodge the owning app's scope and its query budget, so this test reads
home's source (not its behaviour) and fails on an import of another app's models or any use of a
manager's ``.objects``. Model names imported under ``if TYPE_CHECKING:`` are type hints only and
allowed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HOME = Path(__file__).resolve().parent.parent
PACKAGE = "talentloop"


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks (which never run)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
                (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
                or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")):
            for child in node.body:
                inside.update(id(n) for n in ast.walk(child))
    return inside


def _is_foreign_models(module: str) -> bool:
    """``talentloop.<app>.models`` (or a module inside it) of an app other than home."""
    parts = module.split(".")
    return (len(parts) >= 3 and parts[0] == PACKAGE and parts[1] != "home" and parts[2] == "models")


def violations(source: str, name: str = "<source>") -> list[str]:
    tree = ast.parse(source, filename=name)
    type_only = _type_checking_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        line = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{line} imports {a.name}" for a in node.names if _is_foreign_models(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _is_foreign_models(node.module):
                found.append(f"{line} imports from {node.module}")
            elif node.module.startswith(f"{PACKAGE}.") and node.module.count(".") == 1 \
                    and node.module != f"{PACKAGE}.home":
                found += [f"{line} imports {node.module}.models" for a in node.names if a.name == "models"]
        elif isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{line} uses .objects")
    return found


def home_modules() -> list[Path]:
    return sorted(p for p in HOME.rglob("*.py") if "tests" not in p.relative_to(HOME).parts
                  and "migrations" not in p.relative_to(HOME).parts)


def test_home_reads_other_apps_only_through_their_selectors_and_access():
    modules = home_modules()
    assert any(p.parent.name == "selectors" for p in modules)  # the walk found the sections
    found = [v for p in modules for v in violations(p.read_text(encoding="utf-8"), str(p.relative_to(HOME)))]
    assert found == [], "home reads another app's data directly:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    "from talentloop.mentoring.models import PlanItem",
    "from talentloop.performance.models.alerts import Alert",
    "import talentloop.organisation.models",
    "from talentloop.mentoring import models",
    "def f(Thing):\n    return Thing.objects.all()",
    "def f(plan):\n    return plan.items.model.objects.count()",
])
def test_the_check_catches_a_direct_read(source):
    assert violations(source)


@pytest.mark.parametrize("source", [
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from talentloop.organisation.models import Employee",
    "from talentloop.mentoring import selectors_home",
    "from talentloop.performance import access as perf_access",
    "from talentloop.home.selectors.base import Ctx",
    "from django.db.models import Q",
])
def test_the_check_allows_selectors_access_and_type_names(source):
    assert violations(source) == []
