"""The registry of notification kinds. The notifications app defines none itself: each app that
raises notifications registers its own kinds from its ``apps.py`` (``<app>/notification_kinds.py``),
so this app never imports the apps above it.

A kind knows how to say itself: ``render(data)`` returns the one-line text in the ACTIVE language,
from the JSON data stored with the notification, so the same row reads in Chinese or English.
Names are stored in both languages (``person`` and ``person_en``); ``pick`` chooses.

``personal=True`` (the default) means the notification is about one person's results or
decisions and may never go to a group bot; ``group_safe=True`` is only for team-level news that
names nobody's results. ``defaults`` are the channels besides the inbox a person gets when they
have not chosen (``None``: e-mail for urgent kinds, nothing else).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import ngettext

from talentloop.core.bilingual import localized

INAPP = "inapp"


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # a lazy translatable string
    urgent: bool = False
    personal: bool = True
    group_safe: bool = False
    render: Callable[[dict], str] | None = None
    defaults: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.render is None:
            raise TypeError(f"kind {self.key!r} needs a render function")
        if self.group_safe and self.personal:
            # A kind cannot be both about a person's results and fit for a group chat.
            object.__setattr__(self, "personal", False)

    def default_channels(self) -> tuple[str, ...]:
        if self.defaults is not None:
            return self.defaults
        return ("email",) if self.urgent else ()


_REGISTRY: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add (or, when a module is imported again, replace) a kind."""
    _REGISTRY[kind.key] = kind
    return kind


def get(key: str) -> Kind:
    return _REGISTRY[key]


def find(key: str) -> Kind | None:
    """The kind, or None for a key no app registers (any more)."""
    return _REGISTRY.get(key)


def all_kinds() -> list[Kind]:
    return list(_REGISTRY.values())


def render_text(key: str, data: dict) -> str:
    """The kind's sentence in the active language; "" when the kind or its data is unknown."""
    kind = find(key)
    if kind is None:
        return ""
    try:
        return str(kind.render(data or {}))
    except (KeyError, TypeError, ValueError, AttributeError):
        return ""


def pick(data: dict, name: str) -> str:
    """``data[name]``, or its English twin ``data[name + '_en']`` when the active language is English."""
    value = localized(data, name)
    return str(value if value is not None else "")


def digest_subject(count: int, kind: Kind) -> str:
    return ngettext("%(count)d new: %(label)s", "%(count)d new: %(label)s", count) % {
        "count": count, "label": kind.label}
