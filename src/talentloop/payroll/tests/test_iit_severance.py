"""Tax on a one-off compensation for the end of employment (财税〔2018〕164号 art. 5(1)).

Exempt up to 3 x the local average annual wage of the previous year (the city's average monthly wage
x 12); the rest taxed on its own with the comprehensive (annual) table, no deduction:
3 % to 36,000; 10 % - 2,520 to 144,000; 20 % - 16,920 to 300,000; ...

Shanghai on 31 May 2025: average monthly wage 12,307; x 12 = 147,684; x 3 = 443,052 exempt.
Every expected figure is worked out by hand in its comment. No test reads today's date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.iit import load_iit_rules
from talentloop.payroll.rules.iit_severance import (
    SEVERANCE_TAX,
    SeveranceRule,
    SeveranceTax,
    load_severance_rules,
    severance_rules_from_data,
    severance_tax,
)
from talentloop.payroll.rules.month.records import LineKind
from talentloop.payroll.rules.social import load_policies

PAID_ON = dt.date(2025, 5, 31)
SHANGHAI = D("12307")


def tax(compensation: str, average: D = SHANGHAI, on: dt.date = PAID_ON, **kw: Any) -> SeveranceTax:
    return severance_tax(
        load_iit_rules().for_date(on), compensation=D(compensation), city_average_monthly_wage=average, **kw
    )


def test_within_three_times_the_average_annual_wage_nothing_is_taxed() -> None:
    # 100,000 <= 443,052: all exempt.
    result = tax("100000")
    assert (result.city_average_annual_wage, result.exempt_limit) == (D("147684"), D("443052"))
    assert (result.exempt, result.taxable, result.tax) == (D("100000"), D("0"), D("0"))
    assert result.bracket == 0
    assert result.net == D("100000")


def test_exactly_the_limit_is_exempt() -> None:
    result = tax("443052.00")
    assert (result.exempt, result.taxable, result.tax) == (D("443052.00"), D("0.00"), D("0"))


def test_a_fen_over_the_limit_is_taxed_at_three_percent() -> None:
    # 0.01 x 3 % = 0.0003 -> 0.00 (half up to the fen); the first bracket.
    result = tax("443052.01")
    assert result.taxable == D("0.01")
    assert (result.bracket, result.rate, result.tax) == (1, D("0.03"), D("0.00"))


def test_the_rest_at_36000_is_still_in_the_first_bracket() -> None:
    # 479,052 - 443,052 = 36,000 x 3 % = 1,080.00.
    result = tax("479052")
    assert result.taxable == D("36000")
    assert (result.bracket, result.tax) == (1, D("1080.00"))


def test_the_rest_a_fen_over_36000_is_in_the_second_bracket() -> None:
    # 36,000.01 x 10 % - 2,520 = 3,600.001 - 2,520 = 1,080.001 -> 1,080.00.
    result = tax("479052.01")
    assert (result.bracket, result.rate, result.quick_deduction) == (2, D("0.10"), D("2520"))
    assert result.tax == D("1080.00")


def test_the_rest_uses_the_annual_table_not_the_monthly_one() -> None:
    # 600,000 - 443,052 = 156,948: annual table bracket 3 (144,000 to 300,000): 20 % - 16,920
    # = 31,389.60 - 16,920 = 14,469.60. (On the monthly table it would be 45 % - 15,160 = 55,466.60.)
    result = tax("600000")
    assert result.taxable == D("156948")
    assert (result.bracket, result.rate, result.quick_deduction) == (3, D("0.20"), D("16920"))
    assert result.tax == D("14469.60")
    assert result.net == D("585530.40")


def test_beijing_with_the_city_figure_of_the_payment_date() -> None:
    # Beijing from 1 July 2025: 11,937 x 12 = 143,244; x 3 = 429,732. 500,000 - 429,732 = 70,268:
    # 10 % - 2,520 = 7,026.80 - 2,520 = 4,506.80.
    on = dt.date(2025, 7, 15)
    average = load_policies().average_monthly_wage_for("beijing", on).amount
    assert average == D("11937")
    result = tax("500000", average=average, on=on)
    assert result.exempt_limit == D("429732")
    assert result.tax == D("4506.80")


def test_the_line_explains_the_figures() -> None:
    line = tax("600000").line()
    assert line.code == SEVERANCE_TAX
    assert line.kind is LineKind.DEDUCTION
    assert line.amount == D("-14469.60")
    assert line.explain["exempt_limit"] == D("443052")
    assert line.explain["taxable"] == D("156948")
    assert line.explain["table"] == "comprehensive"
    assert line.explain["paid_on"] == "2025-05-31"


def test_the_shipped_rule_is_open_ended_from_2019() -> None:
    # 164号 gives art. 5(1) no end date; 2023年第30号 extends only the annual bonus to 2027-12-31.
    [rule] = load_severance_rules()
    assert (rule.valid_from, rule.valid_to, rule.exempt_multiple) == (dt.date(2019, 1, 1), None, D("3"))
    assert "164" in rule.source
    # So a payment in 2028 still has it (the 2028 tax tables are the open-ended ones of the data).
    assert tax("443053", on=dt.date(2028, 3, 1)).tax == D("0.03")


def test_a_payment_date_no_rule_covers_is_refused() -> None:
    ended = (SeveranceRule(dt.date(2019, 1, 1), dt.date(2020, 12, 31), "test", D("3")),)
    with pytest.raises(InvalidInput) as caught:
        tax("500000", severance_rules=ended)
    assert set(caught.value.errors) == {"paid_on"}


def test_bad_figures_are_refused_together() -> None:
    with pytest.raises(InvalidInput) as caught:
        severance_tax(
            load_iit_rules().for_date(PAID_ON),
            compensation=500000.0,  # type: ignore[arg-type]
            city_average_monthly_wage=D("0"),
        )
    assert set(caught.value.errors) == {"compensation", "city_average_monthly_wage"}
    with pytest.raises(InvalidInput) as negative:
        tax("-1")
    assert set(negative.value.errors) == {"compensation"}


def test_overlapping_periods_in_the_data_are_refused() -> None:
    data = {
        "severance_separate_taxation": [
            {
                "valid_from": "2019-01-01",
                "valid_to": "2025-12-31",
                "source": "a",
                "exempt_multiple_of_average_annual_wage": "3",
            },
            {
                "valid_from": "2025-06-01",
                "valid_to": None,
                "source": "b",
                "exempt_multiple_of_average_annual_wage": "3",
            },
        ]
    }
    with pytest.raises(ValueError, match="overlap"):
        severance_rules_from_data(data)


def test_a_later_period_of_the_rule_applies_from_its_date() -> None:
    # A made-up later period with 4 times the annual wage from 2026: 12,307 x 12 x 4 = 590,736 exempt
    # for a payment on 1 March 2026; the shipped period still applies on 31 December 2025.
    periods = severance_rules_from_data(
        {
            "severance_separate_taxation": [
                {"valid_from": "2026-01-01", "source": "b", "exempt_multiple_of_average_annual_wage": "4"},
                {
                    "valid_from": "2019-01-01",
                    "valid_to": "2025-12-31",
                    "source": "a",
                    "exempt_multiple_of_average_annual_wage": "3",
                },
            ]
        }
    )
    assert [p.source for p in periods] == ["a", "b"]
    assert tax("600000", on=dt.date(2026, 3, 1), severance_rules=periods).exempt_limit == D("590736")
    assert tax("600000", on=dt.date(2025, 12, 31), severance_rules=periods).exempt_limit == D("443052")
