"""The small-group rule: figures about people need answers of at least ``floor`` distinct people,
side by side (a total and its groups) and over time (steps)."""

from __future__ import annotations

from talentloop.core.smallgroups import counted_prefix, k_anonymous, suppress_small_groups


def test_three_answers_of_one_person_are_one_person():
    assert not k_anonymous(["a", "a", "a"], floor=3)
    assert k_anonymous(["a", "b", "c"], floor=3)
    # a floor set below two still needs two people
    assert not k_anonymous(["a"], floor=1)


def test_groups_below_the_floor_are_withheld():
    result = suppress_small_groups({"x": ["a", "a", "a", "a"], "y": ["b", "c", "d"]}, floor=3, with_total=False)
    assert result.shown == {"y"} and result.withheld == {"x"}
    assert result.respondents == {"x": 1, "y": 3}


def test_a_total_minus_the_shown_groups_may_not_isolate_anyone():
    # total over a, b, c, d, e, f, g; group "big" holds six people, "small" one person (g).
    # Showing the total and "big" would give g's answers away by difference, so "big" goes too.
    groups = {"big": ["a", "b", "c", "d", "e", "f"], "small": ["g", "g"]}
    result = suppress_small_groups(groups, floor=3)
    assert result.total_shown
    assert result.shown == set() and result.withheld == {"big", "small"}


def test_the_complement_rule_withholds_the_smallest_group_first():
    # "c1" (1 person) is withheld; the rest would be 1 person: withhold the smallest shown group,
    # "b3" (3 people); then the rest holds 4 people and "a5" can stay.
    groups = {"a5": ["p1", "p2", "p3", "p4", "p5"], "b3": ["q1", "q2", "q3"], "c1": ["r1"]}
    result = suppress_small_groups(groups, floor=3)
    assert result.shown == {"a5"} and result.withheld == {"b3", "c1"}


def test_ungrouped_answers_count_in_the_rest():
    groups = {"a": ["p1", "p2", "p3"], "b": ["q1", "q2", "q3"]}
    assert suppress_small_groups(groups, floor=3).shown == {"a", "b"}
    # one answer outside any group: the total minus a and b would be that person's
    assert suppress_small_groups(groups, floor=3, ungrouped=["z"]).shown == {"b"}
    # nothing at all to show when everyone together is below the floor
    result = suppress_small_groups({"a": ["p1", "p2"]}, floor=3)
    assert not result.total_shown and result.shown == set()


def test_figures_move_in_steps_of_distinct_people():
    # a, a, a: one person, nothing counted; b then c close the first step at the fifth answer
    assert counted_prefix(["a", "a", "a"], 3) == 0
    assert counted_prefix(["a", "a", "a", "b", "c"], 3) == 5
    # the next step needs three more distinct people; d, d, d alone do not make one
    assert counted_prefix(["a", "b", "c", "d", "d", "d"], 3) == 3
    assert counted_prefix(["a", "b", "c", "d", "d", "e", "a"], 3) == 7
