"""Reads of the payroll setup pages: components, pay groups and who runs them, the people whose
salaries payroll keeps, the deduction caps in words, and the tax year statements (the first-wages rule)
a run reads for a set of people in one query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from talentloop.accounts.models import Role
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.organisation.models import Employee
from talentloop.organisation.search import normalise_term
from talentloop.payroll import access
from talentloop.payroll.models import (
    DEDUCTION_KIND_CHOICES,
    PayGroup,
    PayGroupAccess,
    SalaryComponent,
    TaxDeclaration,
    TaxYearStatement,
)
from talentloop.payroll.rules.iit import IitRulesUnavailable
from talentloop.payroll.rules.iit_deductions import DeductionKind, DeductionRule
from talentloop.payroll.rules.social import FUND_LABELS
from talentloop.payroll.selectors import salary_component_list, si_policy_list, tax_declaration_list
from talentloop.payroll.services import iit_rules


def component_get(actor: Actor, key: str) -> SalaryComponent | None:
    if not access.can_manage_components(actor):
        return None
    return salary_component_list(actor).filter(key=key).first()


def fixed_components(actor: Actor) -> list[SalaryComponent]:
    """The components a salary structure gives amounts of: active, without a formula."""
    return [c for c in salary_component_list(actor) if c.active and c.is_fixed]


def pay_group_list(actor: Actor) -> QuerySet[PayGroup]:
    """The pay groups the actor keeps, each with who runs it (two queries for any number of groups)."""
    if not access.can_manage_pay_groups(actor):
        return PayGroup.objects.none()
    accesses = PayGroupAccess.objects.select_related("user").order_by("user__username")
    return access.visible_pay_groups(actor).prefetch_related(Prefetch("accesses", queryset=accesses)).order_by("key")


def pay_group_get(actor: Actor, key: str) -> PayGroup | None:
    return pay_group_list(actor).filter(key=key).first()


def payroll_user_people(actor: Actor) -> QuerySet[Employee]:
    """The people an administrator may let run a pay group: those whose account has the payroll role."""
    if not access.can_manage_pay_groups(actor):
        return Employee.objects.none()
    return Employee.objects.filter(user__role_assignments__role=Role.PAYROLL).distinct()


def salary_person_list(actor: Actor, *, search: str = "") -> QuerySet[Employee]:
    """The actor's payroll subjects (by name, pinyin, English name or number), for the salary pages."""
    people = access.payroll_subjects(actor).select_related("org_unit")
    term = normalise_term(search)
    if term:
        people = people.filter(Q(search_key__contains=term) | Q(search_key__contains=term.replace(" ", "")))
    return people.order_by("name", "pk")


def salary_person_get(actor: Actor, pk: int) -> Employee | None:
    return access.payroll_subjects(actor).filter(pk=pk).select_related("org_unit").first()


# ------------------------------------------------------------------------------------------------ deductions


@dataclass(frozen=True)
class DeductionCap:
    kind: str
    label: str
    text: str


def _money(amount: Decimal) -> str:
    return number_format(amount, decimal_pos=0, use_l10n=True, force_grouping=True)


def _cap_text(rule: DeductionRule) -> str:
    kind = rule.kind
    amount = _money(rule.monthly_amount) if rule.monthly_amount is not None else ""
    if kind == DeductionKind.CHILDREN_EDUCATION:
        return _(
            "%(amount)s a month per child from the month the child turns three until the end of full-time "
            "education; one parent deducts it all or each parent half."
        ) % {"amount": amount}
    if kind == DeductionKind.INFANT_CARE:
        return _(
            "%(amount)s a month per child from the month of birth until the month before the child turns "
            "three; one parent deducts it all or each parent half."
        ) % {"amount": amount}
    if kind == DeductionKind.CONTINUING_EDUCATION_DEGREE:
        return _("%(amount)s a month while studying for a degree, for at most %(months)s months.") % {
            "amount": amount,
            "months": rule.max_months,
        }
    if kind == DeductionKind.CONTINUING_EDUCATION_VOCATIONAL:
        return _("%(amount)s once, in the year the certificate is obtained.") % {
            "amount": _money(rule.annual_amount or Decimal(0))
        }
    if kind == DeductionKind.HOUSING_LOAN_INTEREST:
        return _(
            "%(amount)s a month for the interest on a first home loan, for at most %(months)s months; "
            "spouses choose who deducts it (half each only for homes each bought before the marriage). "
            "Not together with housing rent."
        ) % {"amount": amount, "months": rule.max_months}
    if kind == DeductionKind.HOUSING_RENT:
        tiers = "; ".join(
            _("tier %(tier)s: %(amount)s") % {"tier": tier, "amount": _money(value)}
            for tier, value in sorted(rule.tier_amounts.items())
        )
        return _("A month, by the city of the main place of work — %(tiers)s. Not together with a housing loan.") % {
            "tiers": tiers
        }
    if kind == DeductionKind.ELDERLY_SUPPORT:
        return _(
            "%(amount)s a month for an only child; siblings share it (equally, as agreed or as the parents "
            "designate) and each deducts at most %(cap)s."
        ) % {"amount": amount, "cap": _money(rule.per_person_cap or Decimal(0))}
    if kind == DeductionKind.PERSONAL_PENSION:
        return _("What you pay into your personal pension account, at most %(amount)s a year.") % {
            "amount": _money(rule.annual_amount or Decimal(0))
        }
    if kind == DeductionKind.COMMERCIAL_HEALTH_INSURANCE:
        return _("The premium of a tax-advantaged health insurance, at most %(amount)s a month.") % {"amount": amount}
    return ""


def deduction_caps(year: int) -> list[DeductionCap]:
    """Each kind of deduction with its amounts and limits in ``year``, in words (from the rule data)."""
    try:
        rules = iit_rules().for_year(year).deductions
    except IitRulesUnavailable:
        return []
    out = []
    for kind, label in DEDUCTION_KIND_CHOICES:
        rule = rules.get(DeductionKind(kind))
        if rule is not None:
            out.append(DeductionCap(kind=kind, label=str(label), text=_cap_text(rule)))
    return out


# ------------------------------------------------------------------------------------------------ tax year statements


def tax_year_statement_get(actor: Actor, employee: Employee, year: int) -> TaxYearStatement | None:
    return access.visible_tax_year_statements(actor).filter(employee=employee, year=year).first()


def tax_year_statement_list(
    actor: Actor, *, employee: Employee | None = None, year: int | None = None
) -> QuerySet[TaxYearStatement]:
    rows = access.visible_tax_year_statements(actor)
    if employee is not None:
        rows = rows.filter(employee=employee)
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "employee_id")


def declarations_of(actor: Actor, employee: Employee) -> QuerySet[TaxDeclaration]:
    """A person's declarations, newest first, withdrawn ones too. Someone else's read is audited (they
    name and date family members); never the contents."""
    if not access.is_self(actor, employee):
        audit_record(actor=actor, action="read_sensitive", obj=employee, summary="tax declarations")
    return tax_declaration_list(actor, employee)


def tax_declaration_get(actor: Actor, pk: int) -> TaxDeclaration | None:
    return access.visible_tax_declarations(actor).filter(pk=pk).select_related("employee").first()


def first_wages_people(ids: Iterable[int] | QuerySet[Employee], year: int) -> set[int]:
    """The people among ``ids`` (ids, or a queryset of people read as a subquery) who stated that this
    employer pays their first wages of ``year``: what a run reads for everyone it pays, in one query. No
    access check: a run's caller has checked it."""
    rows = TaxYearStatement.objects.filter(year=year, first_wages_of_year=True)
    if isinstance(ids, QuerySet):
        rows = rows.filter(employee__in=ids.values("pk"))
    else:
        rows = rows.filter(employee_id__in=list(ids))
    return set(rows.values_list("employee_id", flat=True))


# ------------------------------------------------------------------------------------------------ SI policies

ROUNDING_LABELS = {
    "HALF_UP_FEN": pgettext_lazy("rounding", "To the fen, halves up"),
    "HALF_UP_JIAO": pgettext_lazy("rounding", "To the jiao, halves up"),
    "HALF_UP_YUAN": pgettext_lazy("rounding", "To the yuan, halves up"),
    "UP_JIAO": pgettext_lazy("rounding", "Up to the next jiao"),
    "UP_YUAN": pgettext_lazy("rounding", "Up to the next yuan"),
}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FundView:
    fund: str
    label: str
    base_floor: Decimal
    base_ceiling: Decimal
    employer_percent: Decimal
    employee_percent: Decimal
    employee_fixed_amount: Decimal
    rounding: str
    rounding_label: str


@dataclass(frozen=True)
class PolicyView:
    city: str
    valid_from: dt.date
    valid_to: dt.date | None
    verified: bool
    source: str
    funds: list[FundView]


def _percent(rate: Decimal) -> Decimal:
    return (rate * HUNDRED).normalize() if rate else Decimal(0)


def si_policy_views(actor: Actor, *, city: str = "") -> list[PolicyView]:
    """The policies of ``selectors.si_policy_list`` for reading: fund names, rates as percentages and
    the rounding in words."""
    out = []
    for policy in si_policy_list(actor, city=city):
        funds = [
            FundView(
                fund=f.fund,
                label=str(FUND_LABELS.get(f.fund, f.fund)),  # type: ignore[call-overload]  # a Fund is its text
                base_floor=f.base_floor,
                base_ceiling=f.base_ceiling,
                employer_percent=_percent(f.employer_rate),
                employee_percent=_percent(f.employee_rate),
                employee_fixed_amount=f.employee_fixed_amount,
                rounding=f.rounding,
                rounding_label=str(ROUNDING_LABELS.get(f.rounding, f.rounding)),
            )
            for f in policy.funds
        ]
        out.append(
            PolicyView(
                city=policy.city,
                valid_from=policy.valid_from,
                valid_to=policy.valid_to,
                verified=policy.verified,
                source=policy.source,
                funds=funds,
            )
        )
    return out
