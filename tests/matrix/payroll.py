"""Access matrix rows: payroll (components, salaries, tax declarations, the social-insurance policies).
Statuses written by hand from payroll's access rules (payroll/access.py):

- a person sees their own salaries and declarations; the matrix has no payroll persona, so only the
  administrator sees the employee's too; HR without the payroll role, managers and everyone else get
  a 404 for the person;
- nobody sets their own salary (403: they see it); the administrator sets anyone's (201);
- components are read by everyone signed in (the active ones shown on payslips), defined by payroll
  and administrators; the social-insurance policies are published figures, read by everyone signed in;
- everyone with an employee record declares their own deductions; the administrator, who has none,
  must name the person (422).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. ``employee`` has a salary
structure holding 12,345.67 and a housing-rent declaration for 2025.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

P = "/api/v1/payroll"
AMOUNT = "12345.67"

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{P}/components", "GET", f"{P}/components",                           (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{P}/components", "POST", f"{P}/components",                          (401, 403, 403, 403, 403, 201, 403),
        body={"key": "matrix_new", "name": "矩阵新项"}),
    Row(f"{P}/salaries", "GET", f"{P}/salaries?employee={{employee}}",         (401, 200, 404, 404, 404, 200, 404),
        extra={"shows": AMOUNT, "shown": (None, True, False, False, False, True, False),
               "datum": "the employee's salary amount"}),
    Row(f"{P}/salaries", "POST", f"{P}/salaries",                              (401, 403, 404, 404, 404, 201, 404),
        body={"employee": "{employee}", "effective_from": "2025-06-01",
              "items": [{"component": "matrix_base", "amount": "13000"}]}),
    Row(f"{P}/tax-declarations", "GET", f"{P}/tax-declarations?employee={{employee}}",
        (401, 200, 404, 404, 404, 200, 404)),
    Row(f"{P}/tax-declarations", "POST", f"{P}/tax-declarations",              (401, 201, 201, 201, 201, 422, 201),
        body={"kind": "housing_rent", "start": "2030-01-01", "city_tier": 1}),
    Row(f"{P}/tax-declarations/{{declaration_id}}/withdraw", "POST",
        f"{P}/tax-declarations/{{matrix_declaration}}/withdraw",                (401, 200, 404, 404, 404, 200, 404)),
    Row(f"{P}/si-policies", "GET", f"{P}/si-policies",                         (401, 200, 200, 200, 200, 200, 200)),
]


def keys(world) -> dict:
    import datetime as dt

    from talentloop.payroll.models import SalaryComponent, SalaryItem, SalaryStructure, TaxDeclaration

    employee = world.emp(world.employee)
    component, _created = SalaryComponent.objects.get_or_create(key="matrix_base",
                                                                defaults={"name": "矩阵基本工资"})
    structure, created = SalaryStructure.objects.get_or_create(employee=employee, effective_from=dt.date(2025, 1, 1))
    if created:
        SalaryItem.objects.create(structure=structure, component=component, amount=AMOUNT)
    declaration, _created = TaxDeclaration.objects.get_or_create(
        employee=employee, kind="housing_rent", start=dt.date(2025, 1, 1),
        defaults={"end": dt.date(2025, 12, 1), "city_tier": 1})
    return {"matrix_declaration": declaration.pk}
