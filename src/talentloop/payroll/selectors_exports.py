"""The reads behind the payroll exports: a few set-based queries per file whatever the number of people
(no query per person). Encrypted personal fields come as envelopes from ``values_list`` and are opened
here, row by row, only for the columns a layout asks for.

Every function but the scoped lookups trusts its caller: ``payroll.exports`` checks the actor and
records the audit entry before it calls them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from talentloop.core.access import Actor
from talentloop.core.crypto.fields import EncryptedTextField
from talentloop.organisation import selectors as org_selectors
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.payroll import access
from talentloop.payroll.models import (
    ExportLayout,
    PayrollLine,
    PayrollRun,
    Payslip,
    RunState,
    TaxDeclaration,
)
from talentloop.payroll.rules.iit_bonus import BonusMethod
from talentloop.payroll.rules.month.records import (
    BONUS,
    EMPLOYER_COST,
    GROSS,
    NET,
)
from talentloop.payroll.rules.social import Fund

ZERO = Decimal("0.00")
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


# ------------------------------------------------------------------------------------------------ scoped


def export_run_get(actor: Actor, pk: int) -> PayrollRun | None:
    """A run the actor sees (None else: a 404, like one that does not exist)."""
    return access.visible_runs(actor).filter(pk=pk).select_related("pay_group").first()


def export_layout_list(actor: Actor, kind: str = "") -> QuerySet[ExportLayout]:
    qs = access.visible_export_layouts(actor)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "-is_default", "name")


def export_layout_get(actor: Actor, pk: int, kind: str = "") -> ExportLayout | None:
    return export_layout_list(actor, kind).filter(pk=pk).first()


def default_layout_saved(kind: str) -> ExportLayout | None:
    """The layout payroll made the default of ``kind``, if any (layouts hold no personal data)."""
    return ExportLayout.objects.filter(kind=kind, is_default=True).first()


# ------------------------------------------------------------------------------------------------ helpers


def opener(field_name: str) -> Callable[[object, Any], str]:
    """Opens one encrypted column of ``Employee`` read through ``values_list`` beside the row's
    ``row_uid`` (empty stays empty)."""
    field = Employee._meta.get_field(field_name)
    assert isinstance(field, EncryptedTextField)
    return lambda row_uid, value: field.open_sealed(value, row_uid) if value else ""


def unit_labels(ids: Iterable[int | None]) -> dict[int, str]:
    """The org units' names in the reader's language (one query)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.pk: u.label for u in OrgUnit.objects.filter(pk__in=wanted)}


# ------------------------------------------------------------------------------------------------ bank file


@dataclass(frozen=True, slots=True)
class BankPerson:
    payslip: int
    employee: int
    employee_number: str
    name: str
    name_en: str
    bank_account: str
    national_id: str
    org_unit: int | None
    net: Decimal


def bank_people(run: PayrollRun, *, bank_account: bool, national_id: bool, org_unit: bool) -> Iterator[BankPerson]:
    """Everyone the run pays a positive net amount, by employee number: one query, streamed; the
    encrypted fields opened only when asked for."""
    qs = Payslip.objects.filter(run=run, refusal="", net__gt=0)
    unit: Any = (
        org_selectors.unit_on("employee", month_end(run.month))
        if org_unit
        else Value(None, output_field=IntegerField())
    )
    qs = qs.annotate(unit=unit)
    rows = qs.order_by("employee__employee_number").values_list(
        "pk",
        "employee_id",
        "employee__employee_number",
        "employee__name",
        "employee__name_en",
        "employee__row_uid",
        "employee__bank_account" if bank_account else "employee__row_uid",
        "employee__national_id" if national_id else "employee__row_uid",
        "unit",
        "net",
    )
    open_account, open_id = opener("bank_account"), opener("national_id")
    for pk, emp, number, name, name_en, uid, account, nid, unit, net in rows.iterator(chunk_size=5000):
        yield BankPerson(
            payslip=pk,
            employee=emp,
            employee_number=number,
            name=name,
            name_en=name_en,
            bank_account=open_account(uid, account) if bank_account else "",
            national_id=open_id(uid, nid) if national_id else "",
            org_unit=unit,
            net=net,
        )


# ------------------------------------------------------------------------------------------------ IIT sheet


def month_payslips(run: PayrollRun) -> QuerySet[Payslip]:
    """The payslips the tax month of ``run`` reports for its pay group: every locked run of that group
    and month (the regular run, off-cycle bonuses and corrections, final pay, reversals)."""
    return Payslip.objects.filter(
        run__pay_group_id=run.pay_group_id, run__month=run.month, run__state=RunState.LOCKED, refusal=""
    )


@dataclass(frozen=True, slots=True)
class IitPerson:
    employee: int
    employee_number: str
    name: str
    name_en: str
    national_id: str
    org_unit: int | None
    gross: Decimal
    taxable: Decimal
    bonus: Decimal
    separate_bonus: Decimal
    pension: Decimal
    medical: Decimal
    unemployment: Decimal
    housing_fund: Decimal

    @property
    def merged_bonus(self) -> Decimal:
        return self.bonus - self.separate_bonus

    @property
    def income(self) -> Decimal:
        """本期收入: the month's wage income, a bonus merged into it included."""
        return self.gross + self.merged_bonus

    @property
    def exempt_income(self) -> Decimal:
        """本期免税收入: what of it is exempt (the payslip's taxable amount is the income less it)."""
        return self.income - self.taxable


IIT_FUNDS = (Fund.PENSION, Fund.MEDICAL, Fund.UNEMPLOYMENT, Fund.HOUSING_FUND)


def _alias(code: str) -> str:
    return "sum_" + code.replace(".", "_")


def _fund_sum(code: str) -> Sum:
    return Sum(Case(When(code=code, then=F("amount")), default=Value(ZERO), output_field=MONEY))


def iit_people(run: PayrollRun, *, national_id: bool, org_unit: bool) -> list[IitPerson]:
    """Everyone with a locked payslip in the run's tax month and pay group, their month summed over the
    month's runs, by employee number. Three queries, each simple for the database (grouping by the
    person's id only; the people's fields read apart): payslip totals, the employee contribution and
    bonus lines, the people."""
    slips = month_payslips(run)
    totals = (
        slips.values("employee_id")
        .annotate(gross_sum=Sum("gross"), taxable_sum=Sum("taxable"), bonus_sum=Sum("bonus"))
        .values_list("employee_id", "gross_sum", "taxable_sum", "bonus_sum")
        .order_by()
    )
    by_total = {row[0]: row[1:] for row in totals.iterator(chunk_size=5000)}
    codes = [f"{fund.value}.employee" for fund in IIT_FUNDS]
    lines = (
        PayrollLine.objects.filter(payslip__in=slips.values("pk"), code__in=[*codes, BONUS])
        .values("payslip__employee_id")
        .annotate(
            **{_alias(code): _fund_sum(code) for code in codes},
            separate=Sum(
                Case(
                    When(code=BONUS, explain__method=BonusMethod.SEPARATE, then=F("amount")),
                    default=Value(ZERO),
                    output_field=MONEY,
                )
            ),
        )
        .values_list("payslip__employee_id", *[_alias(code) for code in codes], "separate")
        .order_by()
    )
    by_lines = {row[0]: row[1:] for row in lines.iterator(chunk_size=5000)}
    unit: Any = (
        org_selectors.unit_on("pk", month_end(run.month)) if org_unit else Value(None, output_field=IntegerField())
    )
    people = (
        Employee.objects.filter(pk__in=slips.values("employee_id"))
        .annotate(unit=unit)
        .order_by("employee_number")
        .values_list(
            "pk", "employee_number", "name", "name_en", "row_uid", "national_id" if national_id else "pk", "unit"
        )
    )
    open_id = opener("national_id")
    out = []
    none = (ZERO,) * 5
    for emp, number, name, name_en, uid, nid, unit_id in people.iterator(chunk_size=5000):
        gross, taxable, bonus = by_total[emp]
        pension, medical, unemployment, housing, separate = by_lines.get(emp, none)
        out.append(
            IitPerson(
                employee=emp,
                employee_number=number,
                name=name,
                name_en=name_en,
                national_id=open_id(uid, nid) if national_id else "",
                org_unit=unit_id,
                gross=gross,
                taxable=taxable,
                bonus=bonus,
                separate_bonus=separate,
                # Deductions are negative lines; the sheet states what was paid.
                pension=ZERO - pension,
                medical=ZERO - medical,
                unemployment=ZERO - unemployment,
                housing_fund=ZERO - housing,
            )
        )
    return out


def month_declarations(run: PayrollRun) -> dict[int, list[TaxDeclaration]]:
    """The active tax declarations of the people of the run's tax month that touch its year up to the
    month (those the withholding used), by person: one query."""
    year_start = run.month.replace(month=1)
    rows = TaxDeclaration.objects.filter(
        employee__in=month_payslips(run).values("employee_id"), withdrawn_at__isnull=True, start__lte=run.month
    ).filter(Q(end__isnull=True) | Q(end__gte=year_start))
    out: dict[int, list[TaxDeclaration]] = {}
    for row in rows.order_by("employee_id", "start", "id"):
        out.setdefault(row.employee_id, []).append(row)
    return out


# ------------------------------------------------------------------------------------------------ journal


@dataclass(frozen=True, slots=True)
class JournalRow:
    org_unit: int | None
    code: str
    kind: str
    amount: Decimal
    people: int


JOURNAL_KIND_ORDER = {"earning": 0, "deduction": 1, "employer_cost": 2, "total": 3}


def journal_rows(run: PayrollRun) -> list[JournalRow]:
    """Per cost centre (the person's org unit at the end of the run's month) and line code, the sum of
    the run's lines and the people counted, then the unit's gross pay, net pay and employer cost from the
    payslips: two queries grouped in the database."""
    rows = (
        PayrollLine.objects.filter(payslip__run=run)
        .annotate(unit=org_selectors.unit_on("payslip__employee", month_end(run.month)))
        .values("unit", "code", "kind")
        .annotate(total=Sum("amount"), people=Count("payslip_id", distinct=True))
        .values_list("unit", "code", "kind", "total", "people")
        .order_by("unit", "kind", "code")
    )
    out = [JournalRow(*row) for row in rows]
    totals = (
        Payslip.objects.filter(run=run, refusal="")
        .annotate(unit=org_selectors.unit_on("employee", month_end(run.month)))
        .values("unit")
        .annotate(gross_sum=Sum(F("gross") + F("bonus")), net_sum=Sum("net"), cost_sum=Sum("employer_cost"),
                  people=Count("pk"))
        .values_list("unit", "gross_sum", "net_sum", "cost_sum", "people")
        .order_by("unit")
    )  # fmt: skip
    for unit, gross, net, cost, people in totals:
        out += [
            JournalRow(unit, GROSS, "total", gross, people),
            JournalRow(unit, NET, "total", net, people),
            JournalRow(unit, EMPLOYER_COST, "total", cost, people),
        ]
    out.sort(key=lambda r: (r.org_unit or 0, JOURNAL_KIND_ORDER.get(r.kind, 9), r.code))
    return out


# ------------------------------------------------------------------------------------------------ contributions


@dataclass(frozen=True, slots=True)
class ContributionLine:
    employee: int
    employee_number: str
    name: str
    name_en: str
    code: str
    amount: Decimal
    explain: dict[str, Any]


def contribution_lines(run: PayrollRun) -> Iterator[ContributionLine]:
    """The run's social-insurance and housing-fund lines (employee and employer side), by person: one
    query, streamed."""
    codes = [f"{fund.value}.{side}" for fund in Fund for side in ("employee", "employer")]
    rows = (
        PayrollLine.objects.filter(payslip__run=run, payslip__refusal="", code__in=codes)
        .order_by("payslip__employee__employee_number", "position")
        .values_list(
            "payslip__employee_id",
            "payslip__employee__employee_number",
            "payslip__employee__name",
            "payslip__employee__name_en",
            "code",
            "amount",
            "explain",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        yield ContributionLine(*row)


def contribution_cities(run: PayrollRun) -> dict[int, str]:
    """Each person's social-insurance city from their contract in force at the end of the run's month
    (one query)."""
    people = Employee.objects.filter(pk__in=Payslip.objects.filter(run=run).values("employee_id"))
    contracts = org_selectors.contracts_as_of(people, month_end(run.month))
    return {pk: c.social_insurance_city for pk, c in contracts.items()}
