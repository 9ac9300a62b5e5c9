"""Social insurance and housing fund: rounding rules, bases, contributions, policy data and look-up.

The city figures come from ``payroll/data/social_policies.json`` (sources and what was verified are
noted per entry there). Every expected amount below is worked out by hand in its comment.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from talentloop.core.errors import InvalidInput
from talentloop.payroll.rules import social
from talentloop.payroll.rules.social import (
    Fund,
    InvalidPolicyData,
    PolicyNotFound,
    apply_rounding,
    contribution_base,
    contributions,
    half_up_fen,
    half_up_jiao,
    half_up_yuan,
    load_policies,
    policies_from_data,
    policy_for,
    up_jiao,
    up_yuan,
)

BOOK = load_policies()
SH_2024 = BOOK.policy_for("shanghai", dt.date(2024, 7, 1))
SH_2025 = BOOK.policy_for("shanghai", dt.date(2025, 7, 1))
BJ_2024 = BOOK.policy_for("beijing", dt.date(2024, 7, 1))
BJ_2025 = BOOK.policy_for("beijing", dt.date(2025, 7, 1))


# --- Rounding rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("184.605"), D("184.61")),  # the half fen goes up
        (D("184.6049"), D("184.60")),
        (D("59.0736"), D("59.07")),
        (D("0"), D("0.00")),
    ],
)
def test_half_up_fen(amount: D, expected: D) -> None:
    assert half_up_fen(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("12.35"), D("12.40")),  # 12.3|5: the half jiao goes up
        (D("12.349"), D("12.30")),
        (D("184.605"), D("184.60")),  # 184.6|05 is under half a jiao
    ],
)
def test_half_up_jiao(amount: D, expected: D) -> None:
    assert half_up_jiao(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("2584.47"), D("2584.00")),  # 36,921 x 7 % = 2,584.47 -> 2,584
        (D("2584.50"), D("2585.00")),
        (D("4233.96"), D("4234.00")),  # 35,283 x 12 % = 4,233.96 -> 4,234
    ],
)
def test_half_up_yuan(amount: D, expected: D) -> None:
    assert half_up_yuan(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("184.601"), D("184.70")),  # any fen (or less) lifts to the next jiao: 见分进角
        (D("184.60"), D("184.60")),  # an exact jiao stays
    ],
)
def test_up_jiao(amount: D, expected: D) -> None:
    assert up_jiao(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (D("2584.01"), D("2585.00")),
        (D("2584.00"), D("2584.00")),
    ],
)
def test_up_yuan(amount: D, expected: D) -> None:
    assert up_yuan(amount) == expected


def test_rounding_by_name_and_unknown_name_refused() -> None:
    assert apply_rounding("UP_YUAN", D("0.01")) == D("1.00")
    with pytest.raises(InvalidInput):
        apply_rounding("BANKERS", D("1"))


# --- Contribution bases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wage", "expected"),
    [
        (D("5000"), D("7384")),  # below the floor: raised to it
        (D("7384"), D("7384")),  # on the floor
        (D("7384.01"), D("7384.01")),  # just inside
        (D("36920.99"), D("36920.99")),  # just inside
        (D("36921"), D("36921")),  # on the ceiling
        (D("50000"), D("36921")),  # above: cut to the ceiling
    ],
)
def test_shanghai_2024_pension_base_clamped(wage: D, expected: D) -> None:
    assert contribution_base(wage, SH_2024, Fund.PENSION) == expected


@pytest.mark.parametrize(
    ("wage", "expected"),
    [(D("7000"), D("7162")), (D("7162.01"), D("7162.01")), (D("35810.99"), D("35810.99")), (D("40000"), D("35811"))],
)
def test_beijing_2025_medical_base_clamped(wage: D, expected: D) -> None:
    assert contribution_base(wage, BJ_2025, Fund.MEDICAL) == expected


def test_housing_fund_base_has_its_own_floor() -> None:
    # Shanghai 2024: the social insurance floor is 7,384 but the housing fund floor is 2,690.
    assert contribution_base(D("5000"), SH_2024, Fund.HOUSING_FUND) == D("5000")
    assert contribution_base(D("2000"), SH_2024, Fund.HOUSING_FUND) == D("2690")
    assert contribution_base(D("2000"), SH_2025, Fund.HOUSING_FUND) == D("2740")


# --- Contributions: Shanghai ----------------------------------------------------------------------


def test_shanghai_2024_contributions_inside_the_limits() -> None:
    # Wage 10,000 is inside every limit:
    # pension 16 % = 1,600.00 / 8 % = 800.00; medical 10 % = 1,000.00 / 2 % = 200.00;
    # unemployment 0.5 % = 50.00 / 50.00; work injury 0.16 % = 16.00 / 0; housing fund 7 % = 700 / 700.
    result = contributions(D("10000"), SH_2024)
    amounts = {x.fund: (x.employer_amount, x.employee_amount) for x in result.lines}
    assert amounts == {
        Fund.PENSION: (D("1600.00"), D("800.00")),
        Fund.MEDICAL: (D("1000.00"), D("200.00")),
        Fund.UNEMPLOYMENT: (D("50.00"), D("50.00")),
        Fund.WORK_INJURY: (D("16.00"), D("0.00")),
        Fund.HOUSING_FUND: (D("700.00"), D("700.00")),
    }
    # Employer 1,600 + 1,000 + 50 + 16 + 700 = 3,366; employee 800 + 200 + 50 + 0 + 700 = 1,750.
    assert result.employer_total == D("3366.00")
    assert result.employee_total == D("1750.00")
    assert result.total == D("5116.00")
    assert result.social_insurance_employee_total == D("1050.00")  # 800 + 200 + 50
    assert result.housing_fund_employee_total == D("700.00")


def test_shanghai_2024_contributions_at_the_ceiling() -> None:
    # Wage 50,000 is cut to 36,921 everywhere.
    # pension 36,921 x 16 % = 5,907.36, x 8 % = 2,953.68
    # medical x 10 % = 3,692.10, x 2 % = 738.42
    # unemployment x 0.5 % = 184.605 -> 184.61 (HALF_UP_FEN) each side
    # work injury x 0.16 % = 59.0736 -> 59.07
    # housing fund x 7 % = 2,584.47 -> 2,584.00 (HALF_UP_YUAN) each side
    result = contributions(D("50000"), SH_2024)
    pension = result.line(Fund.PENSION)
    assert (pension.base, pension.employer_amount, pension.employee_amount) == (D("36921"), D("5907.36"), D("2953.68"))
    assert pension.clamped
    assert result.line(Fund.MEDICAL).employee_amount == D("738.42")
    assert result.line(Fund.UNEMPLOYMENT).employer_amount == D("184.61")
    assert result.line(Fund.WORK_INJURY).employer_amount == D("59.07")
    assert result.line(Fund.HOUSING_FUND).employee_amount == D("2584.00")
    # Employer: 5,907.36 + 3,692.10 + 184.61 + 59.07 + 2,584.00 = 12,427.14
    # Employee: 2,953.68 + 738.42 + 184.61 + 0 + 2,584.00 = 6,460.71
    assert result.employer_total == D("12427.14")
    assert result.employee_total == D("6460.71")


def test_shanghai_2024_contributions_at_the_floor_explain_themselves() -> None:
    # Wage 5,000: social insurance on the floor 7,384, housing fund on the wage itself (floor 2,690).
    # pension 7,384 x 8 % = 590.72; unemployment x 0.5 % = 36.92; housing fund 5,000 x 7 % = 350.
    result = contributions(D("5000"), SH_2024)
    pension = result.line(Fund.PENSION)
    assert pension.wage == D("5000")
    assert pension.base == D("7384")
    assert pension.base_floor == D("7384")
    assert pension.base_ceiling == D("36921")
    assert pension.employee_rate == D("0.08")
    assert pension.rounding == "HALF_UP_FEN"
    assert pension.employee_amount == D("590.72")
    assert result.line(Fund.UNEMPLOYMENT).employee_amount == D("36.92")
    housing = result.line(Fund.HOUSING_FUND)
    assert not housing.clamped
    assert (housing.base, housing.employee_amount, housing.rounding) == (D("5000"), D("350.00"), "HALF_UP_YUAN")


def test_shanghai_2025_uses_its_own_limits() -> None:
    # 2025 ceiling 37,302: pension 37,302 x 8 % = 2,984.16; housing fund x 7 % = 2,611.14 -> 2,611.
    result = contributions(D("60000"), SH_2025, funds=[Fund.PENSION, Fund.HOUSING_FUND])
    assert result.line(Fund.PENSION).employee_amount == D("2984.16")
    assert result.line(Fund.HOUSING_FUND).employee_amount == D("2611.00")
    assert [x.fund for x in result.lines] == [Fund.PENSION, Fund.HOUSING_FUND]


# --- Contributions: Beijing -----------------------------------------------------------------------


def test_beijing_2024_contributions_with_the_fixed_three_yuan() -> None:
    # Wage 10,000: pension 1,600 / 800; medical 9.8 % = 980 / 2 % + 3 = 203; unemployment 50 / 50;
    # work injury 0.2 % = 20 / 0; housing fund 12 % = 1,200 / 1,200.
    result = contributions(D("10000"), BJ_2024)
    medical = result.line(Fund.MEDICAL)
    assert medical.employee_fixed_amount == D("3")
    assert (medical.employer_amount, medical.employee_amount) == (D("980.00"), D("203.00"))
    # Employer 1,600 + 980 + 50 + 20 + 1,200 = 3,850; employee 800 + 203 + 50 + 0 + 1,200 = 2,253.
    assert result.employer_total == D("3850.00")
    assert result.employee_total == D("2253.00")


def test_beijing_2024_contributions_at_the_ceiling() -> None:
    # Base 35,283: pension x 16 % = 5,645.28, x 8 % = 2,822.64; medical x 9.8 % = 3,457.734 -> 3,457.73,
    # x 2 % = 705.66 + 3 = 708.66; unemployment x 0.5 % = 176.415 -> 176.42; work injury x 0.2 % = 70.566
    # -> 70.57; housing fund x 12 % = 4,233.96 -> 4,234.
    result = contributions(D("100000"), BJ_2024)
    assert result.line(Fund.PENSION).employer_amount == D("5645.28")
    assert result.line(Fund.PENSION).employee_amount == D("2822.64")
    assert result.line(Fund.MEDICAL).employer_amount == D("3457.73")
    assert result.line(Fund.MEDICAL).employee_amount == D("708.66")
    assert result.line(Fund.UNEMPLOYMENT).employee_amount == D("176.42")
    assert result.line(Fund.WORK_INJURY).employer_amount == D("70.57")
    assert result.line(Fund.HOUSING_FUND).employer_amount == D("4234.00")
    # Employee: 2,822.64 + 708.66 + 176.42 + 0 + 4,234 = 7,941.72
    assert result.employee_total == D("7941.72")


def test_beijing_2025_contributions_at_the_floor() -> None:
    # Wage 7,000 is under the 7,162 floor: pension 7,162 x 8 % = 572.96; medical 7,162 x 2 % = 143.24 + 3
    # = 146.24, employer 7,162 x 9.8 % = 701.876 -> 701.88; housing fund on 7,000 (floor 2,540) x 12 % = 840.
    result = contributions(D("7000"), BJ_2025)
    assert result.line(Fund.PENSION).employee_amount == D("572.96")
    assert result.line(Fund.MEDICAL).employee_amount == D("146.24")
    assert result.line(Fund.MEDICAL).employer_amount == D("701.88")
    assert result.line(Fund.HOUSING_FUND).base == D("7000")
    assert result.line(Fund.HOUSING_FUND).employee_amount == D("840.00")


def test_each_fund_rate_per_city() -> None:
    expected = {
        # (employer, employee) per fund, as the data files give them
        "shanghai": {
            Fund.PENSION: ("0.16", "0.08"),
            Fund.MEDICAL: ("0.10", "0.02"),
            Fund.UNEMPLOYMENT: ("0.005", "0.005"),
            Fund.WORK_INJURY: ("0.0016", "0"),
            Fund.HOUSING_FUND: ("0.07", "0.07"),
        },
        "beijing": {
            Fund.PENSION: ("0.16", "0.08"),
            Fund.MEDICAL: ("0.098", "0.02"),
            Fund.UNEMPLOYMENT: ("0.005", "0.005"),
            Fund.WORK_INJURY: ("0.002", "0"),
            Fund.HOUSING_FUND: ("0.12", "0.12"),
        },
    }
    for policy in BOOK.policies:
        rates = {f: (str(r.employer_rate), str(r.employee_rate)) for f, r in policy.funds.items()}
        assert rates == expected[policy.city], (policy.city, policy.valid_from)


# --- Rate choices and per-fund wages --------------------------------------------------------------


def test_housing_fund_rate_chosen_inside_the_range() -> None:
    # Shanghai lets the employer choose 5-7 %: 10,000 x 5 % = 500 each side.
    result = contributions(
        D("10000"),
        SH_2024,
        funds=[Fund.HOUSING_FUND],
        employer_rates={Fund.HOUSING_FUND: D("0.05")},
        employee_rates={Fund.HOUSING_FUND: D("0.05")},
    )
    line = result.line(Fund.HOUSING_FUND)
    assert (line.employer_rate, line.employer_amount, line.employee_amount) == (D("0.05"), D("500.00"), D("500.00"))


def test_housing_fund_rate_outside_the_range_refused() -> None:
    with pytest.raises(InvalidPolicyData) as excinfo:
        contributions(D("10000"), SH_2024, employer_rates={Fund.HOUSING_FUND: D("0.08")})
    assert "Housing fund" in excinfo.value.detail
    assert "0.05 to 0.07" in excinfo.value.detail
    with pytest.raises(InvalidPolicyData):
        contributions(D("10000"), BJ_2024, employee_rates={Fund.HOUSING_FUND: D("0.04")})


def test_work_injury_rate_of_the_employer() -> None:
    # The employer's industry class rate 0.4 %: 10,000 x 0.4 % = 40.
    result = contributions(D("10000"), BJ_2024, employer_rates={Fund.WORK_INJURY: D("0.004")})
    assert result.line(Fund.WORK_INJURY).employer_amount == D("40.00")


def test_work_injury_rate_beyond_the_plausible_bound_refused() -> None:
    # 5 % is no industry class's rate (the data bound is 0.08 %-2.85 %): most likely a typing error.
    with pytest.raises(InvalidPolicyData):
        contributions(D("10000"), SH_2024, employer_rates={Fund.WORK_INJURY: D("0.05")})


def test_fixed_rate_cannot_be_changed() -> None:
    with pytest.raises(InvalidPolicyData):
        contributions(D("10000"), SH_2024, employee_rates={Fund.PENSION: D("0.07")})
    # Passing the policy's own rate is harmless.
    same = contributions(D("10000"), SH_2024, employee_rates={Fund.PENSION: D("0.08")})
    assert same.line(Fund.PENSION).employee_amount == D("800.00")


def test_a_wage_per_fund() -> None:
    # Pension on 10,000 (x 8 % = 800), housing fund declared on 20,000 (x 7 % = 1,400).
    result = contributions({Fund.PENSION: D("10000"), Fund.HOUSING_FUND: D("20000")}, SH_2024)
    assert [x.fund for x in result.lines] == [Fund.PENSION, Fund.HOUSING_FUND]
    assert result.employee_total == D("2200.00")  # 800 + 1,400


def test_a_wage_per_fund_must_cover_the_funds_asked() -> None:
    with pytest.raises(InvalidPolicyData):
        contributions({Fund.PENSION: D("10000")}, SH_2024, funds=[Fund.PENSION, Fund.MEDICAL])


def test_a_fund_the_policy_lacks_is_refused() -> None:
    # Both cities merged maternity into medical insurance, so neither has a maternity rule.
    with pytest.raises(InvalidPolicyData):
        contributions(D("10000"), SH_2024, funds=[Fund.MATERNITY])


# --- Policy look-up -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("city", "day", "starts"),
    [
        ("shanghai", dt.date(2024, 7, 1), dt.date(2024, 7, 1)),  # first day
        ("shanghai", dt.date(2025, 6, 30), dt.date(2024, 7, 1)),  # last day
        ("shanghai", dt.date(2025, 7, 1), dt.date(2025, 7, 1)),  # next period's first day
        ("shanghai", dt.date(2026, 6, 30), dt.date(2025, 7, 1)),
        ("beijing", dt.date(2025, 6, 30), dt.date(2024, 7, 1)),
        ("beijing", dt.date(2025, 7, 1), dt.date(2025, 7, 1)),
    ],
)
def test_policy_for_boundary_days(city: str, day: dt.date, starts: dt.date) -> None:
    assert policy_for(city, day).valid_from == starts


@pytest.mark.parametrize(
    ("city", "day"),
    [
        ("shanghai", dt.date(2024, 6, 30)),  # the day before the first policy
        ("beijing", dt.date(2020, 1, 1)),
        ("shenzhen", dt.date(2025, 1, 1)),  # no such city in the data
    ],
)
def test_policy_for_refuses_a_date_without_policy(city: str, day: dt.date) -> None:
    # (After the last published year there is no gap: its figures stay in force until the next notice.)
    with pytest.raises(PolicyNotFound) as excinfo:
        policy_for(city, day)
    assert city in excinfo.value.detail
    assert day.isoformat() in excinfo.value.detail


def test_unverified_policy_refused_when_verification_required() -> None:
    # None of the shipped policies is checked against the official text yet.
    assert not SH_2024.verified
    with pytest.raises(PolicyNotFound):
        policy_for("shanghai", dt.date(2025, 1, 1), require_verified=True)


@pytest.mark.parametrize(
    ("city", "day", "amount"),
    [
        ("shanghai", dt.date(2025, 6, 30), D("2690")),
        ("shanghai", dt.date(2025, 7, 1), D("2740")),
        ("beijing", dt.date(2025, 8, 31), D("2420")),
        ("beijing", dt.date(2025, 9, 1), D("2540")),
    ],
)
def test_minimum_wage_by_date(city: str, day: dt.date, amount: D) -> None:
    assert BOOK.minimum_wage_for(city, day).amount == amount


def test_average_wage_by_date_and_missing() -> None:
    assert BOOK.average_monthly_wage_for("shanghai", dt.date(2025, 6, 30)).amount == D("12307")
    assert BOOK.average_monthly_wage_for("beijing", dt.date(2025, 7, 1)).amount == D("11937")
    # The latest figures stay in force until the next notice (null valid_to in the data).
    assert BOOK.average_monthly_wage_for("beijing", dt.date(2026, 12, 31)).amount == D("11937")
    with pytest.raises(PolicyNotFound):
        BOOK.average_monthly_wage_for("beijing", dt.date(2024, 6, 30))
    with pytest.raises(PolicyNotFound):
        BOOK.minimum_wage_for("shanghai", dt.date(2023, 6, 30))


# --- The shipped data -----------------------------------------------------------------------------


def test_shipped_data_covers_both_cities_and_every_fund() -> None:
    assert BOOK.cities() == ("beijing", "shanghai")
    for policy in BOOK.policies:
        assert set(policy.funds) == {
            Fund.PENSION,
            Fund.MEDICAL,
            Fund.UNEMPLOYMENT,
            Fund.WORK_INJURY,
            Fund.HOUSING_FUND,
        }
        assert policy.source.issuer and policy.source.document and policy.source.url


def test_shipped_average_wage_is_a_third_of_the_ceiling() -> None:
    # The average wages are derived from the ceilings (300 % of the average): 36,921 / 3 = 12,307, etc.
    for policy in BOOK.policies:
        average = BOOK.average_monthly_wage_for(policy.city, policy.valid_from).amount
        assert policy.rule(Fund.PENSION).base_ceiling == average * 3


def test_shipped_housing_fund_floor_is_the_minimum_wage() -> None:
    # Both cities set the housing fund floor at the minimum wage (Beijing 2025: from September; see the data).
    for policy in BOOK.policies:
        floor = policy.rule(Fund.HOUSING_FUND).base_floor
        # At the end of the policy's contribution year (a year from its start when it is open-ended).
        last = policy.valid_to or policy.valid_from.replace(year=policy.valid_from.year + 1) - dt.timedelta(days=1)
        assert floor == BOOK.minimum_wage_for(policy.city, last).amount


# --- Loader ---------------------------------------------------------------------------------------


def _minimal(**policy_changes: Any) -> dict[str, Any]:
    source = {"issuer": "Bureau", "document": "Notice"}
    policy: dict[str, Any] = {
        "valid_from": "2030-01-01",
        "valid_to": "2030-12-31",
        "source": source,
        "funds": {
            "pension": {
                "base_floor": "1000",
                "base_ceiling": "5000",
                "employer_rate": "0.1",
                "employee_rate": "0.05",
                "rounding": "UP_YUAN",
            }
        },
    }
    policy.update(policy_changes)
    return {"cities": {"testville": {"policies": [policy]}}}


def test_load_policies_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(_minimal()), encoding="utf-8")
    book = load_policies(path)
    policy = book.policy_for("testville", dt.date(2030, 12, 31))
    # 3,333 x 5 % = 166.65 -> 167 (UP_YUAN)
    assert contributions(D("3333"), policy).employee_total == D("167.00")


def test_overlapping_periods_refused() -> None:
    data = _minimal()
    second = dict(data["cities"]["testville"]["policies"][0], valid_from="2030-12-31", valid_to=None)
    data["cities"]["testville"]["policies"].append(second)
    with pytest.raises(InvalidPolicyData):
        policies_from_data(data)


@pytest.mark.parametrize(
    "broken",
    [
        {"source": {"issuer": "Bureau"}},  # no document
        {"valid_from": "2030-02-30"},  # not a date
        {"valid_to": "2029-12-31"},  # ends before it starts
    ],
)
def test_broken_policy_entries_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(InvalidPolicyData):
        policies_from_data(_minimal(**broken))


@pytest.mark.parametrize(
    "fund_change",
    [
        {"employee_rate": 0.05},  # a float: money and rates are strings
        {"rounding": "BANKERS"},
        {"base_floor": "6000"},  # above the ceiling
        {"employer_rate": "ten"},
        {"employer_rate": "16"},  # 16 meant as 16 %: rates are fractions
        {"employer_rate": "-0.01"},
        {"employer_rate_range": ["0.05", "0.07"]},  # the default rate 0.1 lies outside its own range
        {"employer_rate_range": ["0.05"]},
    ],
)
def test_broken_fund_entries_refused(fund_change: dict[str, Any]) -> None:
    data = _minimal()
    data["cities"]["testville"]["policies"][0]["funds"]["pension"].update(fund_change)
    with pytest.raises(InvalidPolicyData):
        policies_from_data(data)


@pytest.mark.parametrize("key", ["base_floor", "employee_rate"])
def test_missing_fund_figure_refused(key: str) -> None:
    data = _minimal()
    del data["cities"]["testville"]["policies"][0]["funds"]["pension"][key]
    with pytest.raises(InvalidPolicyData) as excinfo:
        policies_from_data(data)
    assert key in excinfo.value.detail


def test_missing_start_refused() -> None:
    data = _minimal()
    del data["cities"]["testville"]["policies"][0]["valid_from"]
    with pytest.raises(InvalidPolicyData):
        policies_from_data(data)


def test_unknown_fund_refused() -> None:
    data = _minimal()
    funds = data["cities"]["testville"]["policies"][0]["funds"]
    funds["pet_insurance"] = funds["pension"]
    with pytest.raises(InvalidPolicyData):
        policies_from_data(data)


def test_default_file_is_the_shipped_one() -> None:
    assert social.DEFAULT_POLICY_FILE.name == "social_policies.json"
    assert load_policies(social.DEFAULT_POLICY_FILE) == BOOK


@pytest.mark.parametrize("text", ["shanghai", "Shanghai", " 上海 ", "上海市"])
def test_a_contract_may_name_the_city_as_people_write_it(text: str) -> None:
    assert BOOK.city_key(text) == "shanghai"
    assert BOOK.city_key("苏州") == "苏州"  # not in the data: refused by name when a policy is looked up
