"""The monthly figures of a benefit and how they meet individual income tax. Pure calculations (no
database), so payroll and the tests read exactly the same rules.

The named tax treatments (``models.TaxTreatment``), with their legal sources:

``taxable``
    The employer's contribution is wage income of the month it is paid, and the employee's own part
    (paid from taxed pay) takes nothing off. Sources: 《个人所得税法实施条例》第六条 (wages include
    allowances, subsidies and other income from employment); 国税发〔1994〕89号 第二条 (only the
    subsidies it lists, such as a true 误餐补助, are not wages, so a regular meal allowance is);
    国税函〔2005〕318号 (insurance an employer buys for its staff beyond the exempt social insurance is
    added to their wages when the premium is paid).

``exempt_up_to_cap``
    The employer's contribution is taxed as wages only above a monthly standard set by the province's
    tax office, which the plan records as ``exempt_cap``. Source: 国税发〔1999〕58号 第二条
    (公务交通、通讯补贴: taxed as wages after deducting the official expenses standard the provincial
    tax authority fixes).

``annuity``
    Enterprise annuity. The employer's contribution credited to the person's account is not taxed
    when paid (it is taxed when the annuity is drawn); the employee's own contribution is deducted
    before tax up to 4 % of their contribution wage base. Source: 财税〔2013〕103号 第一条. The base is
    the person's previous-year average monthly wage capped at 300 % of the city's average monthly
    wage; payroll, which knows both, passes the capped base.

``health_insurance``
    Tax-advantaged commercial health insurance. The premiums are deducted before tax up to 2,400 a
    year, 200 a month; a premium the employer pays for a person is first added to their wages and
    then deducted the same way. Source: 财税〔2017〕39号 第一条、第二条.

Money is ``Decimal`` yuan; every amount is rounded half up to the fen (the rule ``round_fen``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

#: 财税〔2013〕103号: the employee's annuity contribution is deductible up to this share of the base.
ANNUITY_DEDUCTIBLE_RATE = Decimal("0.04")
#: 财税〔2017〕39号: 2,400 a year, 200 a month.
HEALTH_INSURANCE_MONTHLY_CAP = Decimal("200.00")

TAXABLE = "taxable"
EXEMPT_UP_TO_CAP = "exempt_up_to_cap"
ANNUITY = "annuity"
HEALTH_INSURANCE = "health_insurance"
TREATMENTS = (TAXABLE, EXEMPT_UP_TO_CAP, ANNUITY, HEALTH_INSURANCE)


def round_fen(amount: Decimal) -> Decimal:
    """The one rounding rule of benefits: half up to the fen (0.005 → 0.01)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def monthly_amount(fixed: Decimal, rate_percent: Decimal, base: Decimal | None) -> Decimal:
    """``fixed + rate % × base``, rounded once at the end; without a base the rate part is nothing."""
    variable = rate_percent * base / HUNDRED if base is not None and rate_percent else ZERO
    return round_fen(fixed + variable)


def deductible_cap(treatment: str, *, base: Decimal | None, exempt_cap: Decimal | None) -> Decimal | None:
    """The most a line of this treatment takes off the month's taxable figures (see ``Contribution``)."""
    if treatment == ANNUITY:
        return round_fen(ANNUITY_DEDUCTIBLE_RATE * base) if base is not None else ZERO
    if treatment == HEALTH_INSURANCE:
        return HEALTH_INSURANCE_MONTHLY_CAP
    if treatment == EXEMPT_UP_TO_CAP:
        return exempt_cap if exempt_cap is not None else ZERO
    return None


@dataclass(frozen=True)
class Contribution:
    """One plan's line for a person in a month, as payroll reads it.

    ``deductible_cap`` is the limit of the treatment: for ``annuity`` the 4 % of the base the employee's
    part may take off taxable income, for ``health_insurance`` the 200 a month, for
    ``exempt_up_to_cap`` the untaxed part of the employer's amount; ``None`` for ``taxable``.
    ``employee_part_from_pay``: payroll deducts the employee's amount from net pay only when it is set.
    """

    plan_key: str
    plan_label: str
    employee_amount: Decimal
    employer_amount: Decimal
    tax_treatment: str
    deductible_cap: Decimal | None
    employee_part_from_pay: bool = True
    # Paid to the person with the wages (a meal or transport allowance), not to a provider.
    cash: bool = False

    @property
    def taxable_income(self) -> Decimal:
        """What the line adds to the person's taxable wages of the month."""
        if self.tax_treatment == ANNUITY:
            return ZERO
        if self.tax_treatment == EXEMPT_UP_TO_CAP:
            return max(self.employer_amount - (self.deductible_cap or ZERO), ZERO)
        return self.employer_amount

    @property
    def pre_tax_deduction(self) -> Decimal:
        """What the line takes off the person's taxable income of the month."""
        cap = self.deductible_cap or ZERO
        if self.tax_treatment == ANNUITY:
            return min(self.employee_amount, cap)
        if self.tax_treatment == HEALTH_INSURANCE:
            return min(self.employee_amount + self.employer_amount, cap)
        return ZERO
