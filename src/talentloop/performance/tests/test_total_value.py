"""A total read through a subquery shows as the column does: two decimal places, on every database."""

from __future__ import annotations

from decimal import Decimal

from talentloop.performance.selectors_home import total_value


def test_totals_keep_two_places():
    assert str(total_value(104)) == "104.00"
    assert str(total_value(Decimal("98.5"))) == "98.50"
    assert str(total_value("87.25")) == "87.25"
    assert total_value(None) is None
