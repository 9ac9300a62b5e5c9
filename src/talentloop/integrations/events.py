"""The registry of outbound event types. Integrations registers the built-in ones (``event_types.py``);
an area added later registers its own the same way from its ``apps.py`` — or, when it sits below
integrations, integrations registers them and connects to that area's signal.

An event type says who may receive an event of its kind: ``about_people`` (the employee ids an event
concerns, read from its data: an endpoint receives it only when its owner may see every one of them) and
``personal_result`` (scores, ratings: only endpoints HR marked trusted).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


def _nobody(data: dict) -> list[int]:
    return []


@dataclass(frozen=True)
class EventType:
    key: str  # "employee.hired": the ``type`` of the payload, stable for receivers
    label: object  # a lazy translatable string
    personal_result: bool = False
    about_people: Callable[[dict], list[int]] = field(default=_nobody)
    # An event about no person (a review cycle closed) goes to owners for whom this returns True.
    visible_to: Callable[..., bool] | None = None


_REGISTRY: dict[str, EventType] = {}


def register(event_type: EventType) -> EventType:
    _REGISTRY[event_type.key] = event_type
    return event_type


def get(key: str) -> EventType | None:
    return _REGISTRY.get(key)


def all_types() -> list[EventType]:
    return sorted(_REGISTRY.values(), key=lambda t: t.key)


def keys() -> list[str]:
    return [t.key for t in all_types()]
