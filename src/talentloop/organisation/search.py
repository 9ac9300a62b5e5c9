"""The search key that lets people be found by name, pinyin (full and initials), English name or number.

Pinyin cannot be computed in SQL, so each person carries a precomputed, lower-case key and a search is
one ``LIKE '%term%'`` over it. The key is derived data: it is filled whenever a person is saved or
bulk-written through the model's manager (see ``EmployeeQuerySet``), and by migration 0003 for rows
that existed before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pypinyin import Style, lazy_pinyin

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from talentloop.core.access import Actor

NAME_FIELDS = frozenset({"name", "name_en", "employee_number"})
SEPARATOR = "|"  # never typed into a search box, so no term spans two parts of the key


def _pinyin(name: str) -> tuple[str, str]:
    syllables = [s for s in lazy_pinyin(name) if s.strip()]
    if not syllables:
        return "", ""
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER)
    return "".join(syllables).replace(" ", ""), "".join(initials).replace(" ", "")


def search_key(*, employee_number: str, name: str, name_en: str = "") -> str:
    """E.g. 王小明 / Wang Xiaoming / TL0007 -> ``tl0007|王小明|wang xiaoming|wangxiaoming|wxm``."""
    full, initials = _pinyin(name or "")
    english = (name_en or "").strip()
    parts = [employee_number or "", name or "", english, english.replace(" ", ""), full, initials]
    return SEPARATOR.join(p.strip().lower() for p in parts)[:400]


def normalise_term(term: str) -> str:
    """What a typed term is compared as: lower case, inner spaces kept once, no separator."""
    return " ".join((term or "").replace(SEPARATOR, " ").lower().split())[:100]


def fill(employee) -> None:
    employee.search_key = search_key(
        employee_number=employee.employee_number, name=employee.name, name_en=employee.name_en
    )


# ---------------------------------------------------------------- scopes of the people picker
#
# A picker searches the very set its form accepts: a form names a scope, the search endpoint asks the
# registry for that scope's queryset for the signed-in person. Apps above organisation register their
# scopes from ``apps.py`` (feedback colleagues, mentees, new hires...); organisation registers its own.

_SCOPES: dict[str, Callable[[Actor], QuerySet]] = {}


def register_scope(name: str, queryset: Callable[[Actor], QuerySet]) -> None:
    _SCOPES[name] = queryset


def scope_names() -> list[str]:
    return sorted(_SCOPES)


def scope_queryset(actor: Actor, name: str) -> QuerySet | None:
    """The people ``actor`` may pick in scope ``name``, or None for an unknown scope."""
    factory = _SCOPES.get(name)
    return None if factory is None else factory(actor)
