"""Special additional deductions and other deductions: caps, dates, sharing (no database).

Figures: 国发〔2018〕41号 (the interim measures), 国发〔2022〕8号 (infant care from 2022),
国发〔2023〕13号 (higher amounts from 2023), 财政部 税务总局公告2022年第34号 (personal pension),
财税〔2017〕39号 (tax-advantaged commercial health insurance).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules.iit import load_iit_rules
from talentloop.payroll.rules.iit_deductions import (
    Declaration,
    DeductionKind,
    DeductionRules,
    ElderlySplit,
    cumulative_deductions,
    monthly_deductions,
    round_share_down,
    validate_declaration,
    validate_declarations,
)

BOOK = load_iit_rules()
K = DeductionKind


def rules(year: int) -> DeductionRules:
    return BOOK.for_year(year).deductions


def month_amount(decls: list[Declaration], year: int, month: int) -> D:
    result = monthly_deductions(decls, rules(year), year, month)
    return result.special_additional + result.other


def year_total(decls: list[Declaration], year: int, through: int = 12) -> D:
    result = cumulative_deductions(decls, rules(year), year, through)
    return result.special_additional + result.other


def child(start: date = date(2019, 1, 1), **kw: object) -> Declaration:
    return Declaration(kind=K.CHILDREN_EDUCATION, start=start, dependent=str(kw.pop("dependent", "A")), **kw)  # type: ignore[arg-type]


# --- children's education -------------------------------------------------------------------------


def test_children_education_1000_in_2022_and_2000_from_2023() -> None:
    # 国发〔2018〕41号: 1,000 a month per child; 国发〔2023〕13号: 2,000 from 2023-01-01
    assert month_amount([child()], 2022, 12) == D("1000")
    assert month_amount([child()], 2023, 1) == D("2000")
    # Whole years: 1,000 x 12 = 12,000; 2,000 x 12 = 24,000
    assert year_total([child()], 2022) == D("12000")
    assert year_total([child()], 2023) == D("24000")


def test_children_education_is_per_child() -> None:
    # two children in 2023: 2 x 2,000 = 4,000
    assert month_amount([child(dependent="A"), child(dependent="B")], 2023, 3) == D("4000")


@pytest.mark.parametrize(("share", "amount"), [(D("100"), D("2000")), (D("50"), D("1000"))])
def test_children_education_one_parent_all_or_each_half(share: D, amount: D) -> None:
    assert month_amount([child(share_percent=share)], 2023, 5) == amount


def test_children_education_other_shares_are_refused() -> None:
    errors = validate_declaration(child(share_percent=D("30")), rules(2023), 2023)
    assert list(errors) == ["share_percent"]


def test_children_education_needs_the_child() -> None:
    errors = validate_declaration(Declaration(kind=K.CHILDREN_EDUCATION, start=date(2023, 1, 1)), rules(2023), 2023)
    assert "dependent" in errors


def test_children_education_starts_at_three() -> None:
    # Born 2020-05-10: turns three in May 2023; education before that month is infant care's time
    early = child(start=date(2023, 4, 1), dependent_birth_date=date(2020, 5, 10))
    on_time = child(start=date(2023, 5, 1), dependent_birth_date=date(2020, 5, 10))
    assert "start" in validate_declaration(early, rules(2023), 2023)
    assert validate_declaration(on_time, rules(2023), 2023) == {}


def test_end_month_is_respected() -> None:
    # Ends June 2023: Jan-Jun 6 x 2,000 = 12,000; nothing in July
    decl = child(end=date(2023, 6, 30))
    assert year_total([decl], 2023) == D("12000")
    assert month_amount([decl], 2023, 7) == D("0")


def test_start_month_is_respected() -> None:
    # From April 2023: Jan-Mar nothing, Apr-Dec 9 x 2,000 = 18,000
    decl = child(start=date(2023, 4, 15))
    assert year_total([decl], 2023, through=3) == D("0")
    assert year_total([decl], 2023) == D("18000")


# --- infant care ----------------------------------------------------------------------------------


def infant(birth: date, start: date | None = None, **kw: object) -> Declaration:
    return Declaration(
        kind=K.INFANT_CARE,
        start=start or birth,
        dependent="baby",
        dependent_birth_date=birth,
        **kw,  # type: ignore[arg-type]
    )


def test_infant_care_not_before_2022() -> None:
    errors = validate_declaration(infant(date(2021, 3, 1)), rules(2021), 2021)
    assert "kind" in errors


def test_infant_care_1000_in_2022_and_2000_from_2023() -> None:
    # 国发〔2022〕8号: 1,000 a month from 2022-01-01; 国发〔2023〕13号: 2,000 from 2023-01-01
    decl = infant(date(2021, 6, 1))
    assert month_amount([decl], 2022, 1) == D("1000")
    assert month_amount([decl], 2023, 1) == D("2000")


def test_infant_care_from_the_birth_month() -> None:
    # Born 2023-05-10: May-Dec = 8 months x 2,000 = 16,000
    assert year_total([infant(date(2023, 5, 10))], 2023) == D("16000")


def test_infant_care_stops_when_the_child_turns_three() -> None:
    # Born 2020-05-10, turns three in May 2023: Jan-Apr 2023 = 4 x 2,000 = 8,000
    decl = infant(date(2020, 5, 10), start=date(2022, 1, 1))
    assert year_total([decl], 2023) == D("8000")
    assert month_amount([decl], 2023, 4) == D("2000")
    assert month_amount([decl], 2023, 5) == D("0")


def test_infant_care_end_after_third_birthday_refused() -> None:
    decl = infant(date(2020, 5, 10), start=date(2022, 1, 1), end=date(2023, 5, 1))
    assert "end" in validate_declaration(decl, rules(2023), 2023)


def test_infant_care_needs_birth_date_and_cannot_start_before_birth() -> None:
    no_birth = Declaration(kind=K.INFANT_CARE, start=date(2023, 1, 1), dependent="baby")
    assert "dependent_birth_date" in validate_declaration(no_birth, rules(2023), 2023)
    before_birth = infant(date(2023, 5, 10), start=date(2023, 3, 1))
    assert "start" in validate_declaration(before_birth, rules(2023), 2023)


def test_infant_care_each_parent_half() -> None:
    # 2,000 x 50% = 1,000
    assert month_amount([infant(date(2023, 1, 2), share_percent=D("50"))], 2023, 2) == D("1000")


def test_same_child_cannot_be_infant_and_pupil_at_once() -> None:
    decls = [infant(date(2021, 1, 1), start=date(2023, 1, 1)), child(start=date(2023, 1, 1), dependent="baby")]
    errors = validate_declarations(decls, rules(2023), 2023)
    assert "__all__" in errors


# --- continuing education -------------------------------------------------------------------------


def test_degree_education_400_a_month() -> None:
    decl = Declaration(kind=K.CONTINUING_EDUCATION_DEGREE, start=date(2023, 9, 1))
    # Sep-Dec: 4 x 400 = 1,600
    assert year_total([decl], 2023) == D("1600")


def test_degree_education_stops_after_48_months() -> None:
    # 44 months already deducted: Jan-Apr 2023 are months 45-48 -> 4 x 400 = 1,600; May onwards nothing
    decl = Declaration(kind=K.CONTINUING_EDUCATION_DEGREE, start=date(2023, 1, 1), months_already_used=44)
    assert year_total([decl], 2023) == D("1600")
    assert month_amount([decl], 2023, 5) == D("0")


def test_degree_education_declared_beyond_48_months_refused() -> None:
    # 44 used + Jan..May (5 months) = 49 > 48
    decl = Declaration(
        kind=K.CONTINUING_EDUCATION_DEGREE, start=date(2023, 1, 1), end=date(2023, 5, 1), months_already_used=44
    )
    assert "end" in validate_declaration(decl, rules(2023), 2023)
    used_up = Declaration(kind=K.CONTINUING_EDUCATION_DEGREE, start=date(2023, 1, 1), months_already_used=48)
    assert "months_already_used" in validate_declaration(used_up, rules(2023), 2023)


def test_vocational_certificate_3600_in_its_month_only() -> None:
    decl = Declaration(kind=K.CONTINUING_EDUCATION_VOCATIONAL, start=date(2023, 6, 20))
    assert month_amount([decl], 2023, 5) == D("0")
    assert month_amount([decl], 2023, 6) == D("3600")
    assert month_amount([decl], 2023, 7) == D("0")
    assert year_total([decl], 2023) == D("3600")


def test_vocational_certificate_only_in_the_year_obtained() -> None:
    decl = Declaration(kind=K.CONTINUING_EDUCATION_VOCATIONAL, start=date(2022, 6, 1))
    assert "start" in validate_declaration(decl, rules(2023), 2023)


def test_vocational_certificate_twice_in_a_year_refused() -> None:
    decls = [
        Declaration(kind=K.CONTINUING_EDUCATION_VOCATIONAL, start=date(2023, 3, 1), end=date(2023, 12, 1)),
        Declaration(kind=K.CONTINUING_EDUCATION_VOCATIONAL, start=date(2023, 9, 1), end=date(2023, 12, 1)),
    ]
    assert "__all__" in validate_declarations(decls, rules(2023), 2023)


# --- housing --------------------------------------------------------------------------------------


def loan(**kw: object) -> Declaration:
    return Declaration(kind=K.HOUSING_LOAN_INTEREST, start=date(2020, 1, 1), **kw)  # type: ignore[arg-type]


def test_housing_loan_1000_a_month() -> None:
    assert year_total([loan()], 2023) == D("12000")  # 1,000 x 12


def test_housing_loan_first_home_only() -> None:
    assert "first_home" in validate_declaration(loan(first_home=False), rules(2023), 2023)


def test_housing_loan_half_only_for_homes_bought_before_marriage() -> None:
    assert "share_percent" in validate_declaration(loan(share_percent=D("50")), rules(2023), 2023)
    half = loan(share_percent=D("50"), premarital_home=True)
    assert validate_declaration(half, rules(2023), 2023) == {}
    assert month_amount([half], 2023, 1) == D("500")  # 1,000 x 50%


def test_housing_loan_at_most_240_months() -> None:
    # 238 months used before Jan 2023 (start): Jan and Feb are months 239 and 240 -> 2 x 1,000
    decl = Declaration(kind=K.HOUSING_LOAN_INTEREST, start=date(2023, 1, 1), months_already_used=238)
    assert year_total([decl], 2023) == D("2000")


@pytest.mark.parametrize(("tier", "amount"), [(1, D("1500")), (2, D("1100")), (3, D("800"))])
def test_rent_by_city_tier(tier: int, amount: D) -> None:
    # 国发〔2018〕41号 art. 17: municipalities, provincial capitals, separately planned cities 1,500;
    # other cities with > 1 million registered urban-district residents 1,100; the rest 800
    decl = Declaration(kind=K.HOUSING_RENT, start=date(2023, 1, 1), city_tier=tier)
    assert month_amount([decl], 2023, 1) == amount


def test_rent_needs_a_known_tier() -> None:
    decl = Declaration(kind=K.HOUSING_RENT, start=date(2023, 1, 1), city_tier=4)
    assert "city_tier" in validate_declaration(decl, rules(2023), 2023)


def test_rent_and_loan_not_in_the_same_year() -> None:
    decls = [
        loan(end=date(2023, 3, 1)),
        Declaration(kind=K.HOUSING_RENT, start=date(2023, 6, 1), city_tier=1),
    ]
    errors = validate_declarations(decls, rules(2023), 2023)
    assert "__all__" in errors
    with pytest.raises(InvalidInput):
        cumulative_deductions(decls, rules(2023), 2023, 12)


# --- elderly support ------------------------------------------------------------------------------


def elderly(**kw: object) -> Declaration:
    return Declaration(kind=K.ELDERLY_SUPPORT, start=date(2019, 1, 1), **kw)  # type: ignore[arg-type]


def test_elderly_only_child_2000_then_3000() -> None:
    assert month_amount([elderly()], 2022, 6) == D("2000")
    assert month_amount([elderly()], 2023, 6) == D("3000")


def test_elderly_equal_split_between_two() -> None:
    # 2023: 3,000 / 2 = 1,500 (the per-person cap)
    decl = elderly(only_child=False, elderly_split=ElderlySplit.EQUAL, sharers=2)
    assert month_amount([decl], 2023, 1) == D("1500")


def test_elderly_equal_split_between_three_rounds_down() -> None:
    # 2022: 2,000 / 3 = 666.666... -> 666.66 (so three shares never exceed 2,000); 2023: 3,000 / 3 = 1,000
    decl = elderly(only_child=False, elderly_split=ElderlySplit.EQUAL, sharers=3)
    assert month_amount([decl], 2022, 1) == D("666.66")
    assert month_amount([decl], 2023, 1) == D("1000.00")


def test_round_share_down() -> None:
    assert round_share_down(D("666.669")) == D("666.66")
    assert round_share_down(D("1000")) == D("1000.00")


@pytest.mark.parametrize("split", [ElderlySplit.AGREED, ElderlySplit.DESIGNATED])
def test_elderly_agreed_or_designated_up_to_the_cap(split: ElderlySplit) -> None:
    ok = elderly(only_child=False, elderly_split=split, monthly_amount=D("1500"))
    over = elderly(only_child=False, elderly_split=split, monthly_amount=D("1500.01"))
    assert validate_declaration(ok, rules(2023), 2023) == {}
    assert month_amount([ok], 2023, 2) == D("1500")
    assert "monthly_amount" in validate_declaration(over, rules(2023), 2023)


def test_elderly_share_of_1500_was_over_the_2022_cap() -> None:
    # 国发〔2018〕41号: at most 1,000 per sibling until 2022
    decl = elderly(only_child=False, elderly_split=ElderlySplit.AGREED, monthly_amount=D("1500"))
    assert "monthly_amount" in validate_declaration(decl, rules(2022), 2022)


@pytest.mark.parametrize(
    ("decl", "field"),
    [
        (elderly(only_child=False), "elderly_split"),
        (elderly(only_child=False, elderly_split=ElderlySplit.EQUAL, sharers=1), "sharers"),
        (
            elderly(only_child=False, elderly_split=ElderlySplit.EQUAL, sharers=2, monthly_amount=D("1")),
            "monthly_amount",
        ),
        (elderly(only_child=False, elderly_split=ElderlySplit.AGREED), "monthly_amount"),
        (elderly(only_child=False, elderly_split=ElderlySplit.AGREED, monthly_amount=D("100.005")), "monthly_amount"),
        (elderly(only_child=True, elderly_split=ElderlySplit.EQUAL), "elderly_split"),
    ],
)
def test_elderly_sharing_errors(decl: Declaration, field: str) -> None:
    assert field in validate_declaration(decl, rules(2023), 2023)


# --- other deductions -----------------------------------------------------------------------------


def test_personal_pension_not_before_2022() -> None:
    decl = Declaration(kind=K.PERSONAL_PENSION, start=date(2021, 1, 1), monthly_amount=D("1000"))
    assert "kind" in validate_declaration(decl, rules(2021), 2021)


def test_personal_pension_actual_contributions_up_to_12000_a_year() -> None:
    # 2,000 a month: Jan-Jun 6 x 2,000 = 12,000 reaches the cap; July adds nothing; the year stays 12,000
    decl = Declaration(kind=K.PERSONAL_PENSION, start=date(2022, 1, 1), monthly_amount=D("2000"))
    assert month_amount([decl], 2022, 6) == D("2000")
    assert month_amount([decl], 2022, 7) == D("0")
    result = cumulative_deductions([decl], rules(2022), 2022, 12)
    assert (result.other, result.special_additional) == (D("12000"), D("0"))


def test_personal_pension_cap_bites_inside_a_month() -> None:
    # 2,500 a month: Jan-Apr 10,000; May would be 12,500 -> only 2,000 of May's 2,500 counts
    decl = Declaration(kind=K.PERSONAL_PENSION, start=date(2023, 1, 1), monthly_amount=D("2500"))
    assert month_amount([decl], 2023, 5) == D("2000")


def test_health_insurance_200_a_month() -> None:
    # 财税〔2017〕39号: 2,400 a year, 200 a month; a 300 premium counts 200, x 12 = 2,400
    decl = Declaration(kind=K.COMMERCIAL_HEALTH_INSURANCE, start=date(2023, 1, 1), monthly_amount=D("300"))
    assert month_amount([decl], 2023, 3) == D("200")
    assert year_total([decl], 2023) == D("2400")
    # a 150 premium counts in full: 150 x 12 = 1,800
    small = Declaration(kind=K.COMMERCIAL_HEALTH_INSURANCE, start=date(2023, 1, 1), monthly_amount=D("150"))
    assert year_total([small], 2023) == D("1800")


def test_contribution_needs_an_amount() -> None:
    decl = Declaration(kind=K.COMMERCIAL_HEALTH_INSURANCE, start=date(2023, 1, 1))
    assert "monthly_amount" in validate_declaration(decl, rules(2023), 2023)


# --- the set and the breakdown --------------------------------------------------------------------


def test_breakdown_separates_special_additional_from_other() -> None:
    # 2023, one month: child 2,000 + rent tier 2 1,100 + elderly only child 3,000 = 6,100 special;
    # pension 1,000 + health 200 = 1,200 other
    decls = [
        child(),
        Declaration(kind=K.HOUSING_RENT, start=date(2023, 1, 1), city_tier=2),
        elderly(),
        Declaration(kind=K.PERSONAL_PENSION, start=date(2023, 1, 1), monthly_amount=D("1000")),
        Declaration(kind=K.COMMERCIAL_HEALTH_INSURANCE, start=date(2023, 1, 1), monthly_amount=D("200")),
    ]
    result = monthly_deductions(decls, rules(2023), 2023, 1)
    assert (result.special_additional, result.other) == (D("6100"), D("1200"))
    assert result.by_kind[K.HOUSING_RENT] == D("1100")


def test_errors_of_a_set_name_the_declaration() -> None:
    decls = [child(), child(share_percent=D("70"), dependent="B")]
    assert list(validate_declarations(decls, rules(2023), 2023)) == ["1.share_percent"]


def test_same_child_twice_refused() -> None:
    assert "__all__" in validate_declarations([child(), child()], rules(2023), 2023)


def test_end_before_start_refused() -> None:
    decl = child(start=date(2023, 5, 1), end=date(2023, 4, 1))
    assert "end" in validate_declaration(decl, rules(2023), 2023)


def test_declaration_outside_the_year_refused() -> None:
    decl = child(start=date(2024, 1, 1))
    assert "start" in validate_declaration(decl, rules(2023), 2023)


def test_month_out_of_range_refused() -> None:
    with pytest.raises(InvalidInput):
        cumulative_deductions([child()], rules(2023), 2023, 13)


def test_negative_months_already_used_refused() -> None:
    decl = Declaration(kind=K.HOUSING_LOAN_INTEREST, start=date(2023, 1, 1), months_already_used=-1)
    assert "months_already_used" in validate_declaration(decl, rules(2023), 2023)


def test_contribution_in_fractions_of_a_fen_refused() -> None:
    decl = Declaration(kind=K.PERSONAL_PENSION, start=date(2023, 1, 1), monthly_amount=D("100.001"))
    assert "monthly_amount" in validate_declaration(decl, rules(2023), 2023)


def test_declarations_of_other_years_do_not_clash() -> None:
    # Rent until 2022 and a loan from 2023: in 2023 only the rent is out of the year (its own error),
    # the two do not count as "both in the same year"
    decls = [
        Declaration(kind=K.HOUSING_RENT, start=date(2022, 1, 1), end=date(2022, 12, 1), city_tier=1),
        Declaration(kind=K.HOUSING_RENT, start=date(2022, 1, 1), end=date(2022, 12, 1), city_tier=1),
        Declaration(kind=K.HOUSING_LOAN_INTEREST, start=date(2023, 1, 1)),
    ]
    assert list(validate_declarations(decls, rules(2023), 2023)) == ["0.start", "1.start"]


def test_elderly_support_declared_twice_refused() -> None:
    # one flat amount per taxpayer however many parents (国发〔2018〕41号 art. 22)
    assert "__all__" in validate_declarations([elderly(), elderly()], rules(2023), 2023)


def test_infant_care_hands_over_to_education_at_three() -> None:
    # Born 2020-05-10: infant care Jan-Apr 2023 (4 x 2,000), education from May (8 x 2,000): 24,000 together
    decls = [
        infant(date(2020, 5, 10), start=date(2022, 1, 1), end=date(2023, 4, 1)),
        child(start=date(2023, 5, 1), dependent="baby", dependent_birth_date=date(2020, 5, 10)),
    ]
    assert validate_declarations(decls, rules(2023), 2023) == {}
    assert year_total(decls, 2023) == D("24000")
