"""The annual one-time bonus (全年一次性奖金): separate taxation, merging, cliffs (no database).

Sources: 财税〔2018〕164号 (bonus / 12 on the monthly-converted table, tax = bonus x rate - quick
deduction; until 2021-12-31), 财政部 税务总局公告2021年第42号 (to 2023-12-31), 财政部 税务总局公告2023年第30号
(to 2027-12-31), 国税发〔2005〕9号 (once per person per tax year).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.iit import WithholdingInput, load_iit_rules, rule_book_from_data
from talentloop.payroll.rules.iit_bonus import (
    BonusMethod,
    BonusSeparateTaxationRefused,
    bonus_cliffs,
    bonus_separate_available,
    bonus_tax_merged,
    bonus_tax_separate,
    compare_bonus_methods,
    compare_bonus_methods_annual,
)

BOOK = load_iit_rules()
R2024 = BOOK.for_year(2024)
DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "iit.json"


@pytest.mark.parametrize(
    ("bonus", "bracket", "tax"),
    [
        (D("36000.00"), 1, D("1080.00")),  # / 12 = 3,000 -> 3%: 36,000 x 3% = 1,080
        (D("36000.01"), 2, D("3390.00")),  # / 12 > 3,000 -> 10%: 3,600.001 - 210 = 3,390.001 -> 3,390.00
        (D("144000.00"), 2, D("14190.00")),  # 14,400 - 210
        (D("144000.01"), 3, D("27390.00")),  # 28,800.002 - 1,410 = 27,390.002
        (D("300000.00"), 3, D("58590.00")),  # 60,000 - 1,410
        (D("300000.01"), 4, D("72340.00")),  # 75,000.0025 - 2,660 = 72,340.0025
        (D("420000.00"), 4, D("102340.00")),  # 105,000 - 2,660
        (D("420000.01"), 5, D("121590.00")),  # 126,000.003 - 4,410 = 121,590.003
        (D("660000.00"), 5, D("193590.00")),  # 198,000 - 4,410
        (D("660000.01"), 6, D("223840.00")),  # 231,000.0035 - 7,160 = 223,840.0035
        (D("960000.00"), 6, D("328840.00")),  # 336,000 - 7,160
        (D("960000.01"), 7, D("416840.00")),  # 432,000.0045 - 15,160 = 416,840.0045
    ],
)
def test_separate_bonus_tax_at_every_edge(bonus: D, bracket: int, tax: D) -> None:
    result = bonus_tax_separate(R2024, bonus, already_used_this_year=False)
    assert (result.bracket, result.tax, result.net) == (bracket, tax, bonus - tax)


def test_separate_bonus_shows_its_figures() -> None:
    # 50,000 / 12 = 4,166.67 -> 10%, QD 210: 5,000 - 210 = 4,790
    result = bonus_tax_separate(R2024, D("50000"), already_used_this_year=False)
    assert result.monthly_equivalent.quantize(D("0.01")) == D("4166.67")
    assert (result.rate, result.quick_deduction, result.tax) == (D("0.10"), D("210"), D("4790.00"))
    assert "2023年第30号" in result.source


def test_the_monthly_equivalent_is_not_rounded_before_the_bracket() -> None:
    # 36,000.01 / 12 = 3,000.000833...: rounding it to the fen first would wrongly give 3,000.00 and 3%
    assert bonus_tax_separate(R2024, D("36000.01"), already_used_this_year=False).rate == D("0.10")


def test_separate_taxation_only_once_a_year() -> None:
    with pytest.raises(BonusSeparateTaxationRefused) as refusal:
        bonus_tax_separate(R2024, D("20000"), already_used_this_year=True)
    assert "bonus" in refusal.value.errors


def test_bonus_separate_available_until_2027_and_not_in_2028() -> None:
    # 财政部 税务总局公告2023年第30号: separate taxation until 2027-12-31
    last_day = BOOK.for_date(date(2027, 12, 31))
    assert bonus_separate_available(last_day)
    # 12,000 / 12 = 1,000 -> 3%: 360
    assert bonus_tax_separate(last_day, D("12000"), already_used_this_year=False).tax == D("360.00")
    first_day_after = BOOK.for_date(date(2028, 1, 1))
    assert not bonus_separate_available(first_day_after)
    with pytest.raises(BonusSeparateTaxationRefused):
        bonus_tax_separate(first_day_after, D("12000"), already_used_this_year=False)


@pytest.mark.parametrize(
    "day", [date(2019, 1, 1), date(2021, 12, 31), date(2022, 1, 1), date(2023, 12, 31), date(2024, 1, 1)]
)
def test_the_extensions_leave_no_gap(day: date) -> None:
    # 164号 to 2021-12-31, 2021年第42号 to 2023-12-31, 2023年第30号 to 2027-12-31
    assert bonus_separate_available(BOOK.for_date(day))


def test_negative_bonus_refused() -> None:
    with pytest.raises(InvalidInput):
        bonus_tax_separate(R2024, D("-1"), already_used_this_year=False)


# --- cliffs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bracket", "edge", "edge_net", "last_worse", "break_even"),
    [
        # edge 36,000 nets 36,000 - 1,080 = 34,920; above it B nets 0.9 B + 210, < 34,920 while
        # B < 34,710 / 0.9 = 38,566.666...: at 38,566.66 tax = 3,856.666 - 210 -> 3,646.67, net 34,919.99;
        # at 38,566.67 tax = 3,856.667 - 210 -> 3,646.67, net 34,920.00 (no longer less)
        (1, D("36000"), D("34920.00"), D("38566.66"), D("38566.67")),
        # 144,000 nets 144,000 - 14,190 = 129,810; 0.8 B + 1,410 < 129,810 while B < 128,400 / 0.8 = 160,500
        # 160,499.99: tax 32,099.998 - 1,410 -> 30,690.00, net 129,809.99; 160,500: 30,690, net 129,810
        (2, D("144000"), D("129810.00"), D("160499.99"), D("160500.00")),
        # 300,000 nets 241,410; 0.75 B + 2,660 < 241,410 while B < 238,750 / 0.75 = 318,333.333...
        # 318,333.32: tax 79,583.33 - 2,660 = 76,923.33, net 241,409.99; 318,333.33: tax 76,923.3325 -> .33, net .00
        (3, D("300000"), D("241410.00"), D("318333.32"), D("318333.33")),
        # 420,000 nets 317,660; 0.7 B + 4,410 < 317,660 while B < 313,250 / 0.7 = 447,500
        (4, D("420000"), D("317660.00"), D("447499.99"), D("447500.00")),
        # 660,000 nets 466,410; 0.65 B + 7,160 < 466,410 while B < 459,250 / 0.65 = 706,538.4615...
        # 706,538.45: tax 247,288.4575 - 7,160 -> 240,128.46, net 466,409.99; .46: tax 240,128.461 -> .46, net .00
        (5, D("660000"), D("466410.00"), D("706538.45"), D("706538.46")),
        # 960,000 nets 631,160; 0.55 B + 15,160 < 631,160 while B < 616,000 / 0.55 = 1,120,000
        (6, D("960000"), D("631160.00"), D("1119999.99"), D("1120000.00")),
    ],
)
def test_bonus_cliffs_to_the_cent(bracket: int, edge: D, edge_net: D, last_worse: D, break_even: D) -> None:
    cliff = bonus_cliffs(R2024.monthly_table)[bracket - 1]
    assert (cliff.bracket, cliff.edge, cliff.edge_net) == (bracket, edge, edge_net)
    assert (cliff.first_worse, cliff.last_worse, cliff.break_even) == (edge + D("0.01"), last_worse, break_even)
    # The end points really behave so: one cent past the edge nets less, break-even does not.
    net = {
        b: bonus_tax_separate(R2024, b, already_used_this_year=False).net
        for b in (cliff.first_worse, cliff.last_worse, cliff.break_even)
    }
    assert net[cliff.first_worse] < edge_net
    assert net[cliff.last_worse] < edge_net
    assert net[cliff.break_even] >= edge_net


def test_there_are_six_cliffs() -> None:
    assert len(bonus_cliffs(R2024.monthly_table)) == 6


def test_cliffs_follow_the_table_data() -> None:
    # A changed first edge (monthly 4,000 instead of 3,000, same rates and quick deductions) moves the
    # cliff: edge 48,000 nets 48,000 x 0.97 = 46,560; 0.9 B + 210 < 46,560 while B < 46,350 / 0.9 = 51,500
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["monthly_tables"][0]["brackets"][0]["up_to"] = "4000"
    table = rule_book_from_data(data).for_year(2024).monthly_table
    cliff = bonus_cliffs(table)[0]
    assert (cliff.edge, cliff.first_worse, cliff.last_worse, cliff.break_even) == (
        D("48000"),
        D("48000.01"),
        D("51499.99"),
        D("51500.00"),
    )


# --- merged and compared --------------------------------------------------------------------------


def december_of_official_example(**changes: object) -> WithholdingInput:
    # December of the 30,000 / 4,500 / 2,000 example: cumulative taxable 222,000, withheld to November 23,780
    values: dict[str, object] = {
        "year": 2024,
        "month": 12,
        "months_employed": 12,
        "ytd_income": D("360000"),
        "ytd_social_insurance": D("54000"),
        "ytd_special_additional_deductions": D("24000"),
        "ytd_tax_withheld": D("23780"),
    }
    values.update(changes)
    return WithholdingInput(**values)  # type: ignore[arg-type]


def test_merged_bonus_adds_to_the_months_cumulative_income() -> None:
    # Without: 222,000 x 20% - 16,920 = 27,480; - 23,780 = 3,700
    # With 36,000: 258,000 x 20% - 16,920 = 34,680; - 23,780 = 10,900; the bonus's tax 10,900 - 3,700 = 7,200
    merged = bonus_tax_merged(R2024, december_of_official_example(), D("36000"))
    assert (merged.without_bonus.withholding, merged.with_bonus.withholding, merged.tax) == (
        D("3700.00"),
        D("10900.00"),
        D("7200.00"),
    )


def test_compare_high_earner_separate_is_cheaper() -> None:
    # separate: 3,700 + 36,000 x 3% (1,080) = 4,780 against merged 10,900
    comparison = compare_bonus_methods(R2024, december_of_official_example(), D("36000"), already_used_this_year=False)
    assert comparison.separate is not None
    assert (comparison.separate_month_total, comparison.merged_month_total) == (D("4780.00"), D("10900.00"))
    assert comparison.cheaper == BonusMethod.SEPARATE


def test_compare_low_earner_merged_is_cheaper() -> None:
    # December, 40,000 earned in the year, no SI: 40,000 - 60,000 = -20,000 (unused deductions), nothing withheld.
    # merged 30,000: -20,000 + 30,000 = 10,000 x 3% = 300; separate: 0 + 30,000 x 3% = 900
    month = WithholdingInput(year=2024, month=12, months_employed=12, ytd_income=D("40000"))
    comparison = compare_bonus_methods(R2024, month, D("30000"), already_used_this_year=False)
    assert (comparison.separate_month_total, comparison.merged_month_total) == (D("900.00"), D("300.00"))
    assert comparison.cheaper == BonusMethod.MERGED


def test_compare_in_2028_offers_only_merging() -> None:
    rules = BOOK.for_year(2028)
    comparison = compare_bonus_methods(
        rules, december_of_official_example(year=2028), D("36000"), already_used_this_year=False
    )
    assert comparison.separate is None and comparison.separate_month_total is None
    assert comparison.cheaper == BonusMethod.MERGED
    assert "2028" in comparison.separate_unavailable_reason


def test_compare_after_use_this_year_offers_only_merging() -> None:
    comparison = compare_bonus_methods(R2024, december_of_official_example(), D("36000"), already_used_this_year=True)
    assert (comparison.separate, comparison.cheaper) == (None, BonusMethod.MERGED)
    assert comparison.merged.tax == D("7200.00")


def test_annual_comparison() -> None:
    # taxable 100,000 without the bonus, bonus 50,000:
    # separate: 100,000 x 10% - 2,520 = 7,480, plus 50,000 x 10% - 210 = 4,790 -> 12,270
    # merged:   150,000 x 20% - 16,920 = 13,080
    result = compare_bonus_methods_annual(R2024, D("100000"), D("50000"), already_used_this_year=False)
    assert (result.separate_total, result.merged_total, result.cheaper) == (
        D("12270.00"),
        D("13080.00"),
        BonusMethod.SEPARATE,
    )


def test_annual_comparison_unused_deductions_favour_merging() -> None:
    # taxable -20,000 without the bonus, bonus 30,000: separate 0 + 900 = 900; merged 10,000 x 3% = 300
    result = compare_bonus_methods_annual(R2024, D("-20000"), D("30000"), already_used_this_year=False)
    assert (result.separate_total, result.merged_total, result.cheaper) == (
        D("900.00"),
        D("300.00"),
        BonusMethod.MERGED,
    )


def test_annual_comparison_in_2028() -> None:
    # merged only: 100,000 + 50,000 = 150,000 -> 13,080
    result = compare_bonus_methods_annual(BOOK.for_year(2028), D("100000"), D("50000"), already_used_this_year=False)
    assert (result.separate_total, result.merged_total, result.cheaper) == (None, D("13080.00"), BonusMethod.MERGED)


def test_a_table_with_annual_quick_deductions_has_no_cliff() -> None:
    # With each quick deduction x 12 (0, 2,520, 16,920, ... : the annual table's), the separate tax is
    # continuous at every edge: 36,000.01 x 10% - 2,520 = 1,080.001 -> 1,080.00, net 34,920.01 > 34,920
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for bracket in data["monthly_tables"][0]["brackets"]:
        bracket["quick_deduction"] = str(D(bracket["quick_deduction"]) * 12)
    assert bonus_cliffs(rule_book_from_data(data).for_year(2024).monthly_table) == []


def test_negative_merged_bonus_refused() -> None:
    with pytest.raises(InvalidInput):
        bonus_tax_merged(R2024, december_of_official_example(), D("-0.01"))
