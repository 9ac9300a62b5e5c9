"""IIT tables, the rule data and cumulative withholding (pure calculations, no database).

Sources of the figures: the 2018 Individual Income Tax Law, schedule 1 (annual comprehensive
income table); 国家税务总局公告2018年第61号 (cumulative withholding and its worked example);
财税〔2018〕164号 (the monthly-converted table); 国家税务总局公告2020年第13号 and 2020年第19号.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.iit import (
    BasicDeductionRule,
    IitRulesUnavailable,
    WithholdingInput,
    annual_tax,
    load_iit_rules,
    qualifies_for_low_income_rule,
    round_tax,
    rule_book_from_data,
    tax_from_table,
    withhold_month,
)
from talentloop.payroll.rules.iit_deductions import Declaration, DeductionKind, cumulative_deductions

BOOK = load_iit_rules()
R2019 = BOOK.for_year(2019)
R2021 = BOOK.for_year(2021)
DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "iit.json"


# --- rounding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("0.005"), D("0.01")),  # half goes up
        (D("0.0049"), D("0.00")),
        (D("1.225"), D("1.23")),  # half up, not half even (which would give 1.22)
        (D("1080.0045"), D("1080.00")),
    ],
)
def test_round_tax_to_the_fen_half_up(amount: D, expected: D) -> None:
    assert round_tax(amount) == expected


def test_tax_rounding_half_up_inside_a_table() -> None:
    # 36,000.05 x 10% - 2,520 = 3,600.005 - 2,520 = 1,080.005 -> 1,080.01 (half even would say 1,080.00)
    assert tax_from_table(R2019.comprehensive_table, D("36000.05")).tax == D("1080.01")


# --- the annual comprehensive table: every boundary, x.00 and x.01 ----------------------------------


@pytest.mark.parametrize(
    ("amount", "bracket", "rate", "quick", "tax"),
    [
        # 36,000.00 x 3% - 0 = 1,080.00
        (D("36000.00"), 1, D("0.03"), D("0"), D("1080.00")),
        # 36,000.01 x 10% - 2,520 = 3,600.001 - 2,520 = 1,080.001 -> 1,080.00
        (D("36000.01"), 2, D("0.10"), D("2520"), D("1080.00")),
        # 144,000 x 10% - 2,520 = 14,400 - 2,520 = 11,880.00
        (D("144000.00"), 2, D("0.10"), D("2520"), D("11880.00")),
        # 144,000.01 x 20% - 16,920 = 28,800.002 - 16,920 = 11,880.002 -> 11,880.00
        (D("144000.01"), 3, D("0.20"), D("16920"), D("11880.00")),
        # 300,000 x 20% - 16,920 = 60,000 - 16,920 = 43,080.00
        (D("300000.00"), 3, D("0.20"), D("16920"), D("43080.00")),
        # 300,000.01 x 25% - 31,920 = 75,000.0025 - 31,920 = 43,080.0025 -> 43,080.00
        (D("300000.01"), 4, D("0.25"), D("31920"), D("43080.00")),
        # 420,000 x 25% - 31,920 = 105,000 - 31,920 = 73,080.00
        (D("420000.00"), 4, D("0.25"), D("31920"), D("73080.00")),
        # 420,000.01 x 30% - 52,920 = 126,000.003 - 52,920 = 73,080.003 -> 73,080.00
        (D("420000.01"), 5, D("0.30"), D("52920"), D("73080.00")),
        # 660,000 x 30% - 52,920 = 198,000 - 52,920 = 145,080.00
        (D("660000.00"), 5, D("0.30"), D("52920"), D("145080.00")),
        # 660,000.01 x 35% - 85,920 = 231,000.0035 - 85,920 = 145,080.0035 -> 145,080.00
        (D("660000.01"), 6, D("0.35"), D("85920"), D("145080.00")),
        # 960,000 x 35% - 85,920 = 336,000 - 85,920 = 250,080.00
        (D("960000.00"), 6, D("0.35"), D("85920"), D("250080.00")),
        # 960,000.01 x 45% - 181,920 = 432,000.0045 - 181,920 = 250,080.0045 -> 250,080.00
        (D("960000.01"), 7, D("0.45"), D("181920"), D("250080.00")),
    ],
)
def test_comprehensive_table_boundaries(amount: D, bracket: int, rate: D, quick: D, tax: D) -> None:
    result = tax_from_table(R2019.comprehensive_table, amount)
    assert (result.bracket, result.rate, result.quick_deduction, result.tax) == (bracket, rate, quick, tax)


@pytest.mark.parametrize(
    ("amount", "bracket", "tax"),
    [
        (D("3000.00"), 1, D("90.00")),  # 3,000 x 3% = 90
        (D("3000.01"), 2, D("90.00")),  # 300.001 - 210 = 90.001 -> 90.00
        (D("12000.00"), 2, D("990.00")),  # 1,200 - 210 = 990
        (D("12000.01"), 3, D("990.00")),  # 2,400.002 - 1,410 = 990.002 -> 990.00
        (D("25000.00"), 3, D("3590.00")),  # 5,000 - 1,410 = 3,590
        (D("25000.01"), 4, D("3590.00")),  # 6,250.0025 - 2,660 = 3,590.0025 -> 3,590.00
        (D("35000.00"), 4, D("6090.00")),  # 8,750 - 2,660 = 6,090
        (D("35000.01"), 5, D("6090.00")),  # 10,500.003 - 4,410 = 6,090.003 -> 6,090.00
        (D("55000.00"), 5, D("12090.00")),  # 16,500 - 4,410 = 12,090
        (D("55000.01"), 6, D("12090.00")),  # 19,250.0035 - 7,160 = 12,090.0035 -> 12,090.00
        (D("80000.00"), 6, D("20840.00")),  # 28,000 - 7,160 = 20,840
        (D("80000.01"), 7, D("20840.00")),  # 36,000.0045 - 15,160 = 20,840.0045 -> 20,840.00
    ],
)
def test_monthly_table_boundaries(amount: D, bracket: int, tax: D) -> None:
    result = tax_from_table(R2019.monthly_table, amount)
    assert (result.bracket, result.tax) == (bracket, tax)


@pytest.mark.parametrize("amount", [D("0"), D("-5000.00")])
def test_no_tax_on_nothing_or_less(amount: D) -> None:
    result = tax_from_table(R2019.comprehensive_table, amount)
    assert (result.tax, result.bracket, result.rate) == (D("0"), 1, D("0.03"))


def test_annual_tax_uses_the_annual_table() -> None:
    # 222,000 x 20% - 16,920 = 44,400 - 16,920 = 27,480
    assert annual_tax(R2019, D("222000")).tax == D("27480.00")


def test_a_float_is_refused() -> None:
    with pytest.raises(InvalidInput):
        tax_from_table(R2019.comprehensive_table, 36000.0)  # type: ignore[arg-type]


# --- the rule book --------------------------------------------------------------------------------


def test_every_entry_of_the_data_names_its_source() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    entries = [e for key, value in data.items() if isinstance(value, list) for e in value]
    assert len(entries) >= 20
    for entry in entries:
        assert "〔" in entry["source"] or "公告" in entry["source"] or "法" in entry["source"], entry
        assert "http" in entry["source"], entry


def test_rules_before_2019_are_refused() -> None:
    with pytest.raises(IitRulesUnavailable) as refusal:
        BOOK.for_date(date(2018, 12, 31))
    assert "2019" in refusal.value.detail
    assert BOOK.for_date(date(2019, 1, 1)).withholding.monthly_basic_deduction == D("5000")


def test_for_year_and_for_date_pick_the_dated_rules() -> None:
    assert BOOK.for_date(date(2020, 6, 30)).first_wages is None
    assert BOOK.for_date(date(2020, 7, 1)).first_wages is not None  # 2020年第13号 from 2020-07-01
    assert BOOK.for_year(2020).low_income is None
    assert BOOK.for_date(date(2021, 1, 1)).low_income is not None  # 2020年第19号 from 2021-01-01
    assert BOOK.for_year(2023).as_of == date(2023, 12, 31)


def test_figures_come_from_the_data_file(tmp_path: Path) -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["cumulative_withholding"][0]["monthly_basic_deduction"] = "6000"
    data["comprehensive_tables"][0]["brackets"][0]["rate"] = "0.05"
    path = tmp_path / "iit.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rules = load_iit_rules(path).for_year(2019)
    result = withhold_month(rules, WithholdingInput(year=2019, month=1, months_employed=1, ytd_income=D("10000")))
    # (10,000 - 6,000) x 5% = 200
    assert (result.ytd_basic_deduction, result.withholding) == (D("6000"), D("200.00"))


def test_a_table_without_an_open_top_bracket_is_refused() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["monthly_tables"][0]["brackets"][-1]["up_to"] = "999999"
    with pytest.raises(ValueError, match="open bracket"):
        rule_book_from_data(data)


def test_brackets_that_do_not_rise_are_refused() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["monthly_tables"][0]["brackets"][1]["up_to"] = "2000"
    with pytest.raises(ValueError, match="rise"):
        rule_book_from_data(data)


# --- cumulative withholding -----------------------------------------------------------------------


def _year_of_withholding(
    rules_year: int,
    months: range,
    wage: D,
    si: D,
    special: D = D("0"),
    *,
    first_wages: bool = False,
    low_income: bool = False,
) -> list[D]:
    """Run withholding month by month as a payroll would, carrying the tax really withheld."""
    withheld = D("0")
    out = []
    for n, month in enumerate(months, start=1):
        result = withhold_month(
            BOOK.for_date(date(rules_year, month, 1)),
            WithholdingInput(
                year=rules_year,
                month=month,
                months_employed=n,
                ytd_income=wage * n,
                ytd_social_insurance=si * n,
                ytd_special_additional_deductions=special * n,
                ytd_tax_withheld=withheld,
                first_wages_of_year=first_wages,
                previous_year_low_income=low_income,
            ),
        )
        assert result.ytd_tax_withheld_after == withheld + result.withholding
        withheld = result.ytd_tax_withheld_after
        out.append(result.withholding)
    return out


def test_official_example_a_whole_year() -> None:
    # 国家税务总局, 2018年第61号公告解读 worked example: wage 30,000 a month, basic deduction 5,000,
    # social insurance and housing fund 4,500, children's education + elderly support 2,000.
    # Monthly taxable 30,000 - 5,000 - 4,500 - 2,000 = 18,500; cumulative 18,500 x n.
    # Jan: 18,500 x 3% = 555
    # Feb: 37,000 x 10% - 2,520 = 1,180; 1,180 - 555 = 625
    # Mar: 55,500 x 10% - 2,520 = 3,030; 3,030 - 1,180 = 1,850   (the official figures stop here)
    # Apr-Jul: each +18,500 x 10% = 1,850 (cumulative 74,000 ... 129,500, still <= 144,000)
    # Aug: 148,000 x 20% - 16,920 = 12,680; Jul's cumulative tax 129,500 x 10% - 2,520 = 10,430; 2,250
    # Sep-Dec: each +18,500 x 20% = 3,700 (cumulative 166,500 ... 222,000, <= 300,000)
    # Year: 222,000 x 20% - 16,920 = 27,480 = 555 + 625 + 1,850 x 5 + 2,250 + 3,700 x 4
    months = _year_of_withholding(2019, range(1, 13), D("30000"), D("4500"), D("2000"))
    assert months == [D(x) for x in ["555", "625", "1850", "1850", "1850", "1850", "1850", "2250"] + ["3700"] * 4]
    assert sum(months) == D("27480")


def test_the_result_shows_every_figure_of_the_formula() -> None:
    # February of the official example: 60,000 - 10,000 - 9,000 - 4,000 = 37,000 -> 10%, QD 2,520
    result = withhold_month(
        R2019,
        WithholdingInput(
            year=2019,
            month=2,
            months_employed=2,
            ytd_income=D("60000"),
            ytd_social_insurance=D("9000"),
            ytd_special_additional_deductions=D("4000"),
            ytd_tax_withheld=D("555"),
        ),
    )
    assert result.basic_deduction_rule == BasicDeductionRule.MONTHS_EMPLOYED
    assert result.ytd_basic_deduction == D("10000")
    assert result.ytd_taxable_income == D("37000")
    assert (result.bracket, result.rate, result.quick_deduction) == (2, D("0.10"), D("2520"))
    assert (result.ytd_tax, result.withholding, result.ytd_tax_withheld_after) == (
        D("1180.00"),
        D("625.00"),
        D("1180.00"),
    )


def test_exempt_income_other_deductions_and_relief_are_subtracted() -> None:
    # 20,000 - 1,000 exempt - 5,000 - 2,000 SI - 1,000 special - 200 other = 10,800; x 3% = 324; - 24 relief = 300
    result = withhold_month(
        R2019,
        WithholdingInput(
            year=2019,
            month=1,
            months_employed=1,
            ytd_income=D("20000"),
            ytd_exempt_income=D("1000"),
            ytd_social_insurance=D("2000"),
            ytd_special_additional_deductions=D("1000"),
            ytd_other_deductions=D("200"),
            ytd_tax_relief=D("24"),
        ),
    )
    assert (result.ytd_taxable_income, result.ytd_tax, result.withholding) == (D("10800"), D("324.00"), D("300.00"))


def test_mid_year_hire_counts_months_employed_here() -> None:
    # Hired in July: wage 20,000, SI 3,000; the basic deduction counts 5,000 per month employed (n),
    # not per calendar month. Cumulative taxable (20,000 - 5,000 - 3,000) x n = 12,000 n.
    # Jul 12,000 x 3% = 360; Aug 24,000 -> 720 - 360 = 360; Sep 36,000 -> 1,080 - 720 = 360
    # Oct 48,000 x 10% - 2,520 = 2,280 - 1,080 = 1,200; Nov 60,000 -> 3,480 - 2,280 = 1,200; Dec 72,000 -> 1,200
    assert _year_of_withholding(2019, range(7, 13), D("20000"), D("3000")) == [
        D(x) for x in ["360", "360", "360", "1200", "1200", "1200"]
    ]


def test_first_wages_of_the_year_count_the_basic_deduction_from_january() -> None:
    # A graduate first paid in July 2021: wage 15,000, SI 2,000. 2020年第13号: basic = 5,000 x month number.
    # Jul (n=1): 15,000 - 35,000 - 2,000 < 0 -> 0
    # Aug (n=2): 30,000 - 40,000 - 4,000 < 0 -> 0; Sep (n=3): 45,000 - 45,000 - 6,000 < 0 -> 0
    # Oct (n=4): 60,000 - 50,000 - 8,000 = 2,000 x 3% = 60
    # Nov (n=5): 75,000 - 55,000 - 10,000 = 10,000 -> 300 - 60 = 240
    # Dec (n=6): 90,000 - 60,000 - 12,000 = 18,000 -> 540 - 300 = 240
    assert _year_of_withholding(2021, range(7, 13), D("15000"), D("2000"), first_wages=True) == [
        D(x) for x in ["0", "0", "0", "60", "240", "240"]
    ]


def test_without_the_first_wages_rule_july_is_taxed() -> None:
    # Same graduate, normal rule: Jul 15,000 - 5,000 - 2,000 = 8,000 x 3% = 240
    assert _year_of_withholding(2021, range(7, 8), D("15000"), D("2000")) == [D("240")]


def test_first_wages_rule_shows_on_the_result() -> None:
    result = withhold_month(
        R2021,
        WithholdingInput(year=2021, month=9, months_employed=1, ytd_income=D("50000"), first_wages_of_year=True),
    )
    # 50,000 - 5,000 x 9 = 5,000 x 3% = 150
    assert (result.basic_deduction_rule, result.ytd_basic_deduction, result.withholding) == (
        BasicDeductionRule.FIRST_WAGES,
        D("45000"),
        D("150.00"),
    )


def test_first_wages_rule_is_refused_before_july_2020() -> None:
    with pytest.raises(InvalidInput) as refusal:
        withhold_month(
            BOOK.for_date(date(2020, 6, 1)),
            WithholdingInput(year=2020, month=6, months_employed=1, ytd_income=D("9000"), first_wages_of_year=True),
        )
    assert "first_wages_of_year" in refusal.value.errors


def test_low_income_rule_nothing_until_60000_then_normal() -> None:
    # 2020年第19号: wage 8,000, no SI; basic deduction 60,000 from January.
    # Jan-Jul: cumulative 8,000 ... 56,000 <= 60,000 -> 0
    # Aug: 64,000 - 60,000 = 4,000 x 3% = 120 (crossing 60,000)
    # Sep: 72,000 - 60,000 = 12,000 -> 360 - 120 = 240; Oct-Dec: +8,000 x 3% = 240 each (24,000 ... 36,000)
    months = _year_of_withholding(2021, range(1, 13), D("8000"), D("0"), low_income=True)
    assert months == [D("0")] * 7 + [D("120"), D("240"), D("240"), D("240"), D("240")]
    # The year: 96,000 - 60,000 = 36,000 x 3% = 1,080 = 120 + 240 x 4
    assert sum(months) == D("1080")


def test_low_income_rule_with_social_insurance_crosses_later() -> None:
    # Wage 8,000, SI 800: Aug 64,000 - 60,000 - 6,400 = -2,400 -> 0 although income passed 60,000
    # Sep 72,000 - 60,000 - 7,200 = 4,800 x 3% = 144; Oct 80,000 - 60,000 - 8,000 = 12,000 -> 360 - 144 = 216
    months = _year_of_withholding(2021, range(1, 11), D("8000"), D("800"), low_income=True)
    assert months[7:] == [D("0"), D("144"), D("216")]
    # Under the normal rule January alone would withhold (8,000 - 5,000 - 800) x 3% = 66
    assert _year_of_withholding(2021, range(1, 2), D("8000"), D("800")) == [D("66")]


def test_low_income_rule_shows_on_the_result() -> None:
    result = withhold_month(
        R2021,
        WithholdingInput(year=2021, month=1, months_employed=1, ytd_income=D("8000"), previous_year_low_income=True),
    )
    assert (result.basic_deduction_rule, result.ytd_basic_deduction) == (
        BasicDeductionRule.PREVIOUS_YEAR_LOW_INCOME,
        D("60000"),
    )
    assert result.ytd_taxable_income == D("-52000")  # shown as it is; no tax
    assert result.withholding == D("0")


def test_low_income_rule_is_refused_in_2020() -> None:
    with pytest.raises(InvalidInput):
        withhold_month(
            BOOK.for_year(2020),
            WithholdingInput(
                year=2020, month=12, months_employed=12, ytd_income=D("9000"), previous_year_low_income=True
            ),
        )


def test_negative_month_withholds_nothing_and_the_next_uses_what_was_withheld() -> None:
    # Jan: 20,000 - 5,000 = 15,000 x 3% = 450 withheld.
    # Feb: unpaid; cumulative 20,000 - 10,000 = 10,000 -> 300; 300 - 450 = -150 -> withhold 0 (no refund).
    # Mar: 40,000 - 15,000 = 25,000 -> 750; 750 - 450 (really withheld) = 300.
    jan = withhold_month(R2019, WithholdingInput(year=2019, month=1, months_employed=1, ytd_income=D("20000")))
    feb = withhold_month(
        R2019,
        WithholdingInput(
            year=2019, month=2, months_employed=2, ytd_income=D("20000"), ytd_tax_withheld=jan.ytd_tax_withheld_after
        ),
    )
    mar = withhold_month(
        R2019,
        WithholdingInput(
            year=2019, month=3, months_employed=3, ytd_income=D("40000"), ytd_tax_withheld=feb.ytd_tax_withheld_after
        ),
    )
    assert jan.withholding == D("450.00")
    assert (feb.computed_withholding, feb.withholding, feb.ytd_tax_withheld_after) == (
        D("-150.00"),
        D("0"),
        D("450.00"),
    )
    assert mar.withholding == D("300.00")


def test_a_year_before_2019_is_refused() -> None:
    with pytest.raises(IitRulesUnavailable):
        withhold_month(R2019, WithholdingInput(year=2018, month=12, months_employed=12, ytd_income=D("100000")))


def test_rules_of_another_year_are_refused() -> None:
    with pytest.raises(InvalidInput) as refusal:
        withhold_month(R2019, WithholdingInput(year=2021, month=1, months_employed=1, ytd_income=D("1000")))
    assert "year" in refusal.value.errors


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"months_employed": 3, "month": 2}, "months_employed"),
        ({"months_employed": 0}, "months_employed"),
        ({"month": 13}, "month"),
        ({"ytd_income": D("-1")}, "ytd_income"),
        ({"ytd_tax_withheld": D("-0.01")}, "ytd_tax_withheld"),
        ({"first_wages_of_year": True, "previous_year_low_income": True}, "first_wages_of_year"),
    ],
)
def test_bad_withholding_input_gets_a_field_error(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"year": 2021, "month": 2, "months_employed": 2, "ytd_income": D("10000")}
    values.update(changes)
    with pytest.raises(InvalidInput) as refusal:
        withhold_month(R2021, WithholdingInput(**values))  # type: ignore[arg-type]
    assert field in refusal.value.errors


@pytest.mark.parametrize(
    ("months", "income", "year", "expected"),
    [
        (12, D("60000.00"), 2021, True),  # at the limit: still <= 60,000
        (12, D("60000.01"), 2021, False),  # a fen over
        (11, D("30000.00"), 2021, False),  # not employed here every month of last year
        (12, D("30000.00"), 2020, False),  # the rule applies from 2021
    ],
)
def test_who_qualifies_for_the_60000_rule(months: int, income: D, year: int, expected: bool) -> None:
    assert (
        qualifies_for_low_income_rule(
            BOOK.for_year(year), previous_year_months_employed_here=months, previous_year_wage_income=income
        )
        is expected
    )


def test_declared_deductions_feed_the_withholding() -> None:
    # 2023: wage 20,000, SI 2,000; an only child supporting parents (3,000) with one pupil (2,000, 100 %).
    # Through March the declarations give 3 x 5,000 = 15,000.
    # Cumulative taxable: 60,000 - 15,000 basic - 6,000 SI - 15,000 = 24,000 x 3% = 720; Jan+Feb withheld
    # 2 x (20,000 - 5,000 - 2,000 - 5,000) x 3% = 2 x 240 = 480; March 720 - 480 = 240
    declarations = [
        Declaration(kind=DeductionKind.CHILDREN_EDUCATION, start=date(2020, 9, 1), dependent="A"),
        Declaration(kind=DeductionKind.ELDERLY_SUPPORT, start=date(2019, 1, 1)),
    ]
    rules = BOOK.for_date(date(2023, 3, 1))
    deductions = cumulative_deductions(declarations, rules.deductions, 2023, 3)
    assert deductions.special_additional == D("15000")
    result = withhold_month(
        rules,
        WithholdingInput(
            year=2023,
            month=3,
            months_employed=3,
            ytd_income=D("60000"),
            ytd_social_insurance=D("6000"),
            ytd_special_additional_deductions=deductions.special_additional,
            ytd_other_deductions=deductions.other,
            ytd_tax_withheld=D("480"),
        ),
    )
    assert (result.ytd_taxable_income, result.ytd_tax, result.withholding) == (D("24000"), D("720.00"), D("240.00"))
