"""Replaced by :mod:`talentloop.core.cache`. What is left lets the last callers move over; it goes
with them. Data about people is no longer kept, so bumping ``people`` does nothing."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from talentloop.core import cache

T = TypeVar("T")

CONFIG = "config"
PEOPLE = "people"


def bump(name: str = CONFIG) -> None:
    if name == CONFIG:
        cache.bump_all()


def watch(*models, name: str = CONFIG) -> None:
    """Configuration models register under their app's label (what :func:`cached` depends on)."""
    if name == CONFIG and models:
        cache.register(models[0]._meta.app_label, *models)


def cached(key: tuple, build: Callable[[], T], name: str = CONFIG) -> T:
    """The key's first part names its app (``"mentoring.current_policy"``): the cache name it depends on."""
    first: Hashable = key[0]
    return cache.cached(key, build, depends=(str(first).split(".")[0],))
