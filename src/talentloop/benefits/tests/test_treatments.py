"""The monthly amounts and their tax treatments, worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from talentloop.benefits.treatments import (
    Contribution,
    deductible_cap,
    monthly_amount,
    round_fen,
)

D = Decimal


def test_round_fen_is_half_up():
    assert round_fen(D("0.005")) == D("0.01")
    assert round_fen(D("0.0049")) == D("0.00")
    assert round_fen(D("2.675")) == D("2.68")  # a float would give 2.67


def test_monthly_amount():
    # 20 + 2 % of 12,345.67 = 20 + 246.9134 = 266.9134 → 266.91
    assert monthly_amount(D("20.00"), D("2.00"), D("12345.67")) == D("266.91")
    # 8 % of 10,000.25 = 800.02
    assert monthly_amount(D(0), D("8.00"), D("10000.25")) == D("800.02")
    # no base: the fixed part only
    assert monthly_amount(D("300.00"), D("5.00"), None) == D("300.00")


def test_deductible_caps():
    # annuity: 4 % of 10,000.25 = 400.01
    assert deductible_cap("annuity", base=D("10000.25"), exempt_cap=None) == D("400.01")
    assert deductible_cap("annuity", base=None, exempt_cap=None) == D("0.00")
    assert deductible_cap("health_insurance", base=None, exempt_cap=None) == D("200.00")
    assert deductible_cap("exempt_up_to_cap", base=None, exempt_cap=D("300.00")) == D("300.00")
    assert deductible_cap("taxable", base=D(1), exempt_cap=None) is None


def _line(treatment, employee, employer, cap):
    return Contribution("p", "P", D(employee), D(employer), treatment, None if cap is None else D(cap))


@pytest.mark.parametrize(
    ("treatment", "employee", "employer", "cap", "taxable", "deduction"),
    [
        # taxable: the employer's 300 is wages; nothing is deducted
        ("taxable", "0", "300", None, "300", "0"),
        # exempt up to 300: 500 - 300 = 200 taxed; below the cap nothing is
        ("exempt_up_to_cap", "0", "500", "300", "200", "0"),
        ("exempt_up_to_cap", "0", "250", "300", "0", "0"),
        # annuity, base 10,000: cap 400; the employee's 200 is all deductible, 500 only up to 400;
        # the employer's part is never taxed when paid
        ("annuity", "200", "800", "400", "0", "200"),
        ("annuity", "500", "800", "400", "0", "400"),
        # health insurance: the employer's 150 is wages; 150 + 100 = 250, deductible up to 200
        ("health_insurance", "100", "150", "200", "150", "200"),
        ("health_insurance", "60", "0", "200", "0", "60"),
    ],
)
def test_taxable_income_and_deduction(treatment, employee, employer, cap, taxable, deduction):
    line = _line(treatment, employee, employer, cap)
    assert line.taxable_income == D(taxable)
    assert line.pre_tax_deduction == D(deduction)
