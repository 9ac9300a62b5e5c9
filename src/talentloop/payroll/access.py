"""Who may see and change payroll data. Every endpoint, task and command comes through here.

- A user with the payroll role runs payroll for the pay groups they are given (none given: none) and
  sees the salaries and tax declarations of the people whose contract in force is in one of them.
- Administrators see every pay group and every salary, and keep the components, the pay groups and
  who runs them.
- Everyone sees their own salary and declares their own deductions.
- HR without the payroll role, and managers, see no salary at all.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from talentloop.core.access import Actor
from talentloop.organisation import selectors as org_selectors
from talentloop.organisation.models import Employee
from talentloop.payroll.models import (
    ExportLayout,
    PayGroup,
    PayrollRun,
    Payslip,
    PayslipQuestion,
    SalaryComponent,
    SalaryStructure,
    TaxDeclaration,
    TaxYearStatement,
)


def _on(on: dt.date | None) -> dt.date:
    return on if on is not None else timezone.localdate()


def is_self(actor: Actor, employee: Employee) -> bool:
    return actor.employee is not None and actor.employee.pk == employee.pk


def can_manage_pay_groups(actor: Actor) -> bool:
    """Pay groups and who runs them: administrators."""
    return actor.is_authenticated and actor.is_admin


def visible_pay_groups(actor: Actor) -> QuerySet[PayGroup]:
    if not actor.is_authenticated:
        return PayGroup.objects.none()
    if actor.is_admin:
        return PayGroup.objects.all()
    if actor.is_payroll:
        return PayGroup.objects.filter(accesses__user=actor.user)
    return PayGroup.objects.none()


def payroll_subjects(actor: Actor, on: dt.date | None = None) -> QuerySet[Employee]:
    """The people whose salaries the actor handles: everyone whose contract in force on ``on`` (today
    when not given) is in a pay group the actor runs; everyone for administrators. One subquery."""
    if not actor.is_authenticated or not (actor.is_admin or actor.is_payroll):
        return Employee.objects.none()
    if actor.is_admin:
        return Employee.objects.all()
    in_force = org_selectors.contracts_in_force(_on(on)).filter(pay_group__in=visible_pay_groups(actor).values("key"))
    return Employee.objects.filter(pk__in=in_force.values("employee"))


def is_payroll_subject(actor: Actor, employee: Employee, on: dt.date | None = None) -> bool:
    return payroll_subjects(actor, on).filter(pk=employee.pk).exists()


def can_manage_components(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_payroll or actor.is_admin)


def visible_salary_components(actor: Actor) -> QuerySet[SalaryComponent]:
    """Payroll and administrators see every component with its formula; everyone else the active
    ones shown on payslips (the names their own salary lines carry)."""
    if not actor.is_authenticated:
        return SalaryComponent.objects.none()
    if can_manage_components(actor):
        return SalaryComponent.objects.all()
    return SalaryComponent.objects.filter(active=True, shown_on_payslip=True)


def can_view_salary(actor: Actor, employee: Employee) -> bool:
    if not actor.is_authenticated:
        return False
    if is_self(actor, employee) or actor.is_admin:
        return True
    return actor.is_payroll and is_payroll_subject(actor, employee)


def can_set_salary(actor: Actor, employee: Employee) -> bool:
    """Payroll for the people of their pay groups, and administrators; nobody sets their own salary."""
    if not actor.is_authenticated or is_self(actor, employee):
        return False
    if actor.is_admin:
        return True
    return actor.is_payroll and is_payroll_subject(actor, employee)


def salary_people(actor: Actor) -> QuerySet[Employee]:
    """The people whose salaries the actor may see: themselves and their payroll subjects."""
    subjects = payroll_subjects(actor)
    if actor.employee is None:
        return subjects
    return Employee.objects.filter(pk=actor.employee.pk) | subjects


def visible_salary_structures(actor: Actor) -> QuerySet[SalaryStructure]:
    if not actor.is_authenticated:
        return SalaryStructure.objects.none()
    return SalaryStructure.objects.filter(employee__in=salary_people(actor))


def visible_tax_declarations(actor: Actor) -> QuerySet[TaxDeclaration]:
    """Own, and those of the actor's payroll subjects."""
    if not actor.is_authenticated:
        return TaxDeclaration.objects.none()
    return TaxDeclaration.objects.filter(employee__in=salary_people(actor))


def can_declare(actor: Actor, employee: Employee) -> bool:
    """The person declares their own deductions; payroll imports them for the people of their groups."""
    if not actor.is_authenticated:
        return False
    if is_self(actor, employee):
        return True
    return (actor.is_payroll or actor.is_admin) and is_payroll_subject(actor, employee)


def can_view_si_policies(actor: Actor) -> bool:
    """The social-insurance policies are published figures: everyone signed in may read them."""
    return actor.is_authenticated


# ------------------------------------------------------------------------------------------------ runs


def can_run_payroll(actor: Actor | None, pay_group: PayGroup) -> bool:
    """Create, calculate, submit and lock the runs of a pay group: payroll for their groups and
    administrators. ``None`` is the command line (``talentloop run-payroll``), trusted."""
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    return actor.is_admin or (actor.is_payroll and visible_pay_groups(actor).filter(pk=pay_group.pk).exists())


def can_approve_run(actor: Actor, run: PayrollRun) -> bool:
    """Someone who may run the group's payroll, but not the person who submitted the run."""
    return (
        actor is not None
        and actor.is_authenticated
        and run.submitted_by_id is not None
        and run.submitted_by_id != actor.user_id
        and can_run_payroll(actor, run.pay_group)
    )


def visible_runs(actor: Actor) -> QuerySet[PayrollRun]:
    if not actor.is_authenticated:
        return PayrollRun.objects.none()
    if actor.is_admin:
        return PayrollRun.objects.all()
    return PayrollRun.objects.filter(pay_group__in=visible_pay_groups(actor))


def visible_payslips(actor: Actor) -> QuerySet[Payslip]:
    """The actor's own published payslips, and every payslip of the runs they run."""
    if not actor.is_authenticated:
        return Payslip.objects.none()
    own = Payslip.objects.none()
    if actor.employee is not None:
        own = Payslip.objects.filter(employee_id=actor.employee.pk, published_at__isnull=False)
    if actor.is_admin:
        return Payslip.objects.all()
    if actor.is_payroll:
        return own | Payslip.objects.filter(run__pay_group__in=visible_pay_groups(actor))
    return own


def my_payslips(actor: Actor) -> QuerySet[Payslip]:
    if not actor.is_authenticated or actor.employee is None:
        return Payslip.objects.none()
    return Payslip.objects.filter(employee_id=actor.employee.pk, published_at__isnull=False)


def can_record_pay_item(actor: Actor | None, employee: Employee) -> bool:
    """One-off amounts (a bonus, a correction) for the people of the actor's pay groups."""
    if actor is None:
        return True
    if not actor.is_authenticated or is_self(actor, employee):
        return False
    return actor.is_admin or (actor.is_payroll and is_payroll_subject(actor, employee))


# ------------------------------------------------------------------------------------------------ exports


def can_manage_export_layouts(actor: Actor) -> bool:
    """The column layouts of the bank file and the IIT sheet: payroll and administrators. Layouts hold
    no personal data, so they are shared by every pay group."""
    return actor is not None and actor.is_authenticated and (actor.is_payroll or actor.is_admin)


def visible_export_layouts(actor: Actor) -> QuerySet[ExportLayout]:
    if not can_manage_export_layouts(actor):
        return ExportLayout.objects.none()
    return ExportLayout.objects.all()


def can_export_run(actor: Actor, run: PayrollRun) -> bool:
    """The files made from a run (bank transfer, IIT sheet, journal, contribution lists): whoever runs
    the run's pay group, and administrators."""
    return actor is not None and actor.is_authenticated and can_run_payroll(actor, run.pay_group)


# ------------------------------------------------------------------------------------------------ payslip questions
# (payslip pages, their PDF and the questions people ask on a line)


def is_own_payslip(actor: Actor, payslip: Payslip) -> bool:
    return actor.is_authenticated and actor.employee is not None and actor.employee.pk == payslip.employee_id


def can_ask_about_payslip(actor: Actor, payslip: Payslip) -> bool:
    """Only the person whose payslip it is asks about it, once it is published (theirs)."""
    return is_own_payslip(actor, payslip) and payslip.published_at is not None


def question_groups(actor: Actor) -> QuerySet[PayGroup]:
    """The pay groups whose payslip questions the actor answers: the groups they run (every one for
    administrators)."""
    return visible_pay_groups(actor)


def visible_payslip_questions(actor: Actor) -> QuerySet[PayslipQuestion]:
    """The actor's own questions, and those on the payslips of the pay groups they run."""
    if not actor.is_authenticated:
        return PayslipQuestion.objects.none()
    own = PayslipQuestion.objects.none()
    if actor.employee is not None:
        own = PayslipQuestion.objects.filter(payslip__employee_id=actor.employee.pk)
    if actor.is_admin:
        return PayslipQuestion.objects.all()
    if actor.is_payroll:
        return own | PayslipQuestion.objects.filter(payslip__run__pay_group__in=visible_pay_groups(actor))
    return own


def answerable_payslip_questions(actor: Actor) -> QuerySet[PayslipQuestion]:
    """The questions the actor may answer: of the groups they run, never about their own payslip."""
    if not actor.is_authenticated or not (actor.is_admin or actor.is_payroll):
        return PayslipQuestion.objects.none()
    rows = PayslipQuestion.objects.all()
    if not actor.is_admin:
        rows = rows.filter(payslip__run__pay_group__in=visible_pay_groups(actor))
    if actor.employee is not None:
        rows = rows.exclude(payslip__employee_id=actor.employee.pk)
    return rows


def can_answer_payslip_question(actor: Actor, question: PayslipQuestion) -> bool:
    """Payroll of the run's pay group, or an administrator; nobody answers a question on their own pay."""
    if not actor.is_authenticated or is_own_payslip(actor, question.payslip):
        return False
    return actor.is_admin or (actor.is_payroll and can_run_payroll(actor, question.payslip.run.pay_group))


# ------------------------------------------------------------------------------------------------ final pay


def can_handle_final_pay(actor: Actor | None, employee: Employee, last_day: dt.date | None = None) -> bool:
    """A leaver's final pay (the preview with their wages, and recording it): payroll of the pay group
    of the person's contract on their last day, and administrators; nobody their own. ``None`` is the
    trusted caller reacting to a recorded termination."""
    if actor is None:
        return True
    if not actor.is_authenticated or is_self(actor, employee):
        return False
    if actor.is_admin:
        return True
    return actor.is_payroll and is_payroll_subject(actor, employee, last_day or employee.termination_date)


# ------------------------------------------------------------------------------------------------ run pages
# (the runs, one-off items and attendance import pages, and their navigation link)


def can_use_payroll_pages(actor: Actor) -> bool:
    """The payroll role's pages (runs, one-off items, imported attendance, salaries, declarations they
    import, payslip questions): payroll, whose pages show their pay groups only, and administrators."""
    return actor is not None and actor.is_authenticated and (actor.is_payroll or actor.is_admin)


def can_have_payslips(actor: Actor) -> bool:
    """Whoever has an employee record has their own pay pages: payslips, salary, tax deductions."""
    return actor.is_authenticated and actor.employee is not None


# ------------------------------------------------------------------------------------------------ setup pages
# (components, pay groups, people's salaries, tax declarations, tax year statements, SI policies)


def visible_tax_year_statements(actor: Actor) -> QuerySet[TaxYearStatement]:
    """Own, and those of the actor's payroll subjects."""
    if not actor.is_authenticated:
        return TaxYearStatement.objects.none()
    return TaxYearStatement.objects.filter(employee__in=salary_people(actor))


def can_state_tax_year(actor: Actor, employee: Employee) -> bool:
    """The person states it themself; payroll records it for the people of their groups (as declarations)."""
    return can_declare(actor, employee)
