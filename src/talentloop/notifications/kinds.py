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

A kind about something to decide may offer its decisions on the notification itself (one tap from
the inbox or a phone client): ``actions(data)`` builds the buttons, each a POST to the owning app's
own view (``url``) and endpoint (``api_url``), where access is checked as on any other path; the
inbox only offers them while the owning app's ``still_open(actor, ids)`` says the thing named by
``data[subject]`` still waits for this reader (one query per kind and page, so no stale buttons).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import ngettext

from talentloop.core.bilingual import localized

if TYPE_CHECKING:
    from talentloop.core.access import Actor

INAPP = "inapp"
ACTION_STYLES = ("primary", "secondary", "danger")


@dataclass(frozen=True)
class Action:
    """One decision a notification offers: a POST to ``url`` (the page's form target: session and
    CSRF) or to ``api_url`` (the same decision in the API, for token clients)."""

    key: str
    label: object  # a lazy translatable string
    url: str
    api_url: str = ""
    style: str = "secondary"

    def __post_init__(self):
        if self.style not in ACTION_STYLES:
            raise ValueError(f"action {self.key!r}: style must be one of {ACTION_STYLES}")


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # a lazy translatable string
    urgent: bool = False
    personal: bool = True
    group_safe: bool = False
    render: Callable[[dict], str] | None = None
    defaults: tuple[str, ...] | None = None
    actions: Callable[[dict], list[Action]] | None = None
    subject: str = ""  # the data key holding the id of what the actions decide
    still_open: Callable[[Actor, set[int]], set[int]] | None = None

    def __post_init__(self):
        if self.render is None:
            raise TypeError(f"kind {self.key!r} needs a render function")
        if self.actions is not None and (not self.subject or self.still_open is None):
            # Without them the inbox would offer buttons for things already decided.
            raise TypeError(f"kind {self.key!r} with actions needs a subject and a still_open check")
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


def subject_id(kind: Kind, data: dict) -> int | None:
    """The id the kind's actions decide, from a notification's data (None when missing or not a number)."""
    value = (data or {}).get(kind.subject) if kind.subject else None
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def pick(data: dict, name: str) -> str:
    """``data[name]``, or its English twin ``data[name + '_en']`` when the active language is English."""
    value = localized(data, name)
    return str(value if value is not None else "")


def digest_subject(count: int, kind: Kind) -> str:
    return ngettext("%(count)d new: %(label)s", "%(count)d new: %(label)s", count) % {
        "count": count, "label": kind.label}
