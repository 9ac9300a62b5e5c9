"""Small groups: when a figure about people may be shown without giving one person away.

A figure over answers (a rate, a mean, a count) is shown only when the answers come from at least
``floor`` *distinct* people: three answers from one person are one person's answers. Two shown
figures must not narrow each other below the floor either:

- **side by side** (``suppress_small_groups``): with a total and some of its groups on the page,
  the total minus the shown groups gives the hidden rest away, so the rest must itself hold at least
  ``floor`` people (or nobody); otherwise the smallest shown groups are withheld too until it does;
- **over time** (``counted_prefix``): a figure that moves with every new answer tells the newest
  answer apart by comparing today's page with yesterday's, so figures move in whole steps that each
  hold answers of at least ``floor`` distinct people.

Every survey, feedback or analytics page that shows a figure about a group goes through here, so
the rule is the same everywhere. The helpers take respondent ids only (no answers), and decide
what may be shown; the caller computes the figures over what is shown.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_FLOOR = 3
# Below this no setting may go: two people can always tell each other's answers apart.
MIN_FLOOR = 2


def distinct(respondents: Iterable[Hashable]) -> int:
    return len(set(respondents))


def k_anonymous(respondents: Iterable[Hashable], floor: int = DEFAULT_FLOOR) -> bool:
    """True when the respondents are at least ``floor`` distinct people."""
    return distinct(respondents) >= max(floor, MIN_FLOOR)


@dataclass
class Suppression:
    """Which groups may be shown, with how many distinct people each holds."""

    shown: set = field(default_factory=set)
    withheld: set = field(default_factory=set)
    respondents: dict = field(default_factory=dict)  # key → distinct people
    total_shown: bool = False
    total_respondents: int = 0

    def is_shown(self, key: Hashable) -> bool:
        return key in self.shown


def suppress_small_groups(
    groups: Mapping[K, Iterable[Hashable]],
    *,
    floor: int = DEFAULT_FLOOR,
    ungrouped: Iterable[Hashable] = (),
    with_total: bool = True,
) -> Suppression:
    """Decide which of ``groups`` (key → respondent ids, repeats allowed) may be shown.

    A group is withheld when it holds fewer than ``floor`` distinct people. When ``with_total`` (a
    total over every group and ``ungrouped`` is on the same page), the people of what is not shown
    (withheld groups and ``ungrouped``) must be nobody or at least ``floor``: otherwise the smallest
    shown group is withheld as well, and so on (the complement rule, against differencing). The total
    itself is shown when it holds at least ``floor`` people.
    """
    floor = max(floor, MIN_FLOOR)
    people = {key: set(members) for key, members in groups.items()}
    rest = set(ungrouped)
    everyone = set(rest).union(*people.values()) if people else set(rest)
    result = Suppression(respondents={k: len(v) for k, v in people.items()}, total_respondents=len(everyone))
    shown = {k for k, v in people.items() if len(v) >= floor}
    if with_total and len(everyone) >= floor:
        result.total_shown = True

        def hidden_people() -> set:
            # What "total minus the shown groups" reveals: the answers of the groups not shown and
            # the ungrouped ones, so the people who gave them.
            return set(rest).union(*(people[k] for k in people if k not in shown))

        # Withhold the smallest shown groups (then by key, for a stable answer) until the rest is
        # nobody or at least the floor.
        order = sorted(shown, key=lambda k: (len(people[k]), str(k)))
        while shown and 0 < len(hidden_people()) < floor:
            shown.discard(order.pop(0))
    result.shown = shown
    result.withheld = set(people) - shown
    return result


def counted_prefix(respondents: Sequence[Hashable], floor: int = DEFAULT_FLOOR) -> int:
    """How many of the answers (given in the order they came, by respondent) a figure may be over:
    whole steps, each closing once it holds answers of ``floor`` distinct people; the answers of an
    unfinished step wait. So a figure changes only by a step of at least ``floor`` people, and
    comparing two days never isolates fewer. 0 means nothing may be shown."""
    floor = max(floor, MIN_FLOOR)
    counted = 0
    step: set = set()
    for i, who in enumerate(respondents, start=1):
        step.add(who)
        if len(step) >= floor:
            counted = i
            step = set()
    return counted
