"""A whole company's recomputation computes half its people in a forked copy of the process: the scores
are the same as computed in one process, a person's failure in the copy is recorded as in one process,
and a copy that dies leaves its half to the process itself."""

from __future__ import annotations

import pytest

from talentloop.core import forked
from talentloop.performance.models import Score, ScoreError
from talentloop.performance.services import scores as score_services
from talentloop.performance.services.observations import observations_ingest
from talentloop.performance.services.scores import recompute_period
from talentloop.performance.tests.test_recompute_robust import MARCH, card, obs  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not hasattr(__import__("os"), "fork"),
                                                        reason="no fork on this platform")]


def _rows() -> dict[int, tuple]:
    return {s.employee_id: (s.total, s.rating, s.partial, s.detail, s.metric_scores, s.version_id)
            for s in Score.objects.filter(period_key=MARCH.key)}


@pytest.fixture
def company(world, card):  # noqa: F811 - the card fixture above
    people = [world.emp(u) for u in (world.employee, world.lead, world.mentor, world.manager)]
    items = []
    for n, emp in enumerate(people):
        items += [obs(emp, "tasks-done", 1, 3 + k, f"t{n}-{k}") for k in range(n + 2)]
        items += [obs(emp, "bugs", n, 10, f"b{n}")]
    observations_ingest(actor=card, items=items)
    return people


def _forking(monkeypatch, on: bool) -> list[int]:
    """Fork from the first person (or never); returns the list the forks' pids are added to."""
    monkeypatch.setattr(score_services, "FORK_FROM", 1 if on else 10**9)
    monkeypatch.setattr(forked, "available", lambda: on)
    made: list[int] = []
    real = forked.Forked.__init__

    def counting(self, compute):
        real(self, compute)
        made.append(self._pid)

    monkeypatch.setattr(forked.Forked, "__init__", counting)
    return made


@pytest.mark.parametrize("copy_from", [1, 10**9], ids=["streamed", "upserted"])
def test_the_forked_half_gives_the_same_scores_as_one_process(company, monkeypatch, copy_from):
    # On PostgreSQL from COPY_FROM people the old rows are deleted and the new ones streamed (COPY).
    monkeypatch.setattr(score_services, "COPY_FROM", copy_from)
    _forking(monkeypatch, False)
    recompute_period(MARCH)
    alone = _rows()
    Score.objects.all().delete()
    made = _forking(monkeypatch, True)
    result = recompute_period(MARCH)
    assert len(made) == 1 and made[0] > 0  # a copy really computed the second half
    assert result.failed == {} and result.scored == len(alone) >= 4
    assert _rows() == alone
    recompute_period(MARCH)  # again, over the rows just written
    assert _rows() == alone


def test_a_failure_in_the_forked_half_is_recorded_for_that_person(company, monkeypatch):
    _forking(monkeypatch, True)
    last = sorted(company, key=lambda e: e.pk)[-1]  # in the second half (people are scored in id order)
    real = score_services.compute_person

    def failing(version, period, emp, *args):
        if emp == last.pk:
            raise ValueError("a bad fact")
        return real(version, period, emp, *args)

    monkeypatch.setattr(score_services, "compute_person", failing)
    result = recompute_period(MARCH)
    assert set(result.failed) == {last.pk} and "a bad fact" in result.failed[last.pk]
    assert ScoreError.objects.filter(employee=last, period_key=MARCH.key).exists()
    assert not Score.objects.filter(employee=last, period_key=MARCH.key).exists()
    assert Score.objects.filter(period_key=MARCH.key).count() == result.scored >= 3


def test_a_copy_that_dies_leaves_its_half_to_the_process(company, monkeypatch):
    _forking(monkeypatch, False)
    recompute_period(MARCH)
    alone = _rows()
    Score.objects.all().delete()
    made = _forking(monkeypatch, True)

    def broken(*args, **kwargs):
        raise OSError("disk full")  # the copy cannot write its result: it ends with a failure code

    monkeypatch.setattr(forked.pickle, "dump", broken)
    result = recompute_period(MARCH)
    assert len(made) == 1 and result.failed == {}
    assert _rows() == alone
