"""The organisation dashboard's comparison charts draw at most the best and worst few lines by default (thirty
lines in one chart cannot be read on a phone); a toggle draws every line and the lists keep every row."""

from __future__ import annotations

from talentloop.performance.views.dashboards import CHART_LINES, chart_lines


def _series(n: int) -> list[tuple[str, list]]:
    # unit i ends at i % 100 (the last month), some months missing
    return [(f"u{i}", [None, float(i), None if i % 3 else float(i)]) for i in range(n)]


def test_few_lines_are_all_drawn():
    series = [("Everyone", [50.0])] + _series(2 * CHART_LINES)
    assert chart_lines(series, fixed=1) == (series, 0)


def test_many_lines_keep_everyone_and_the_best_and_worst():
    everyone = ("Everyone", [40.0, 41.0, 42.0])
    series = [everyone] + _series(30)
    shown, left_out = chart_lines(series, fixed=1)
    assert shown[0] == everyone
    names = [name for name, _v in shown[1:]]
    assert len(names) == 2 * CHART_LINES == 10 and left_out == 20
    # latest values: u29 highest … u0 lowest; the chart lists best first
    assert names == ["u29", "u28", "u27", "u26", "u25", "u4", "u3", "u2", "u1", "u0"]


def test_lines_without_values_are_left_out_and_counted():
    series = _series(12) + [("empty", [None, None, None])]
    shown, left_out = chart_lines(series)
    assert "empty" not in [name for name, _v in shown]
    assert len(shown) == 10 and left_out == 3


def test_show_all_draws_every_line():
    series = [("Everyone", [1.0])] + _series(30)
    assert chart_lines(series, fixed=1, show_all=True) == (series, 0)
