"""Access matrix rows: the payroll setup pages (components, pay groups and who runs them, people's
salaries, my own salary, tax declarations and the first-wages question, the social-insurance policies)
and the tax year statements of the API.
Statuses written by hand from payroll/access.py and the setup and declaration pages:

- components are kept by payroll and administrators, pay groups by administrators, people's salaries
  and the declarations payroll records by payroll (for the people of their groups) and administrators;
  the matrix has no payroll persona, so only the administrator uses these pages and everyone else signed
  in gets the 404 of a page that does not exist; valid data saved sends the administrator on (302);
- "My salary" and one's own declarations are for whoever has an employee record: the administrator has
  none (404); answering the first-wages question sends the person back to their page (302);
- a declaration is withdrawn by its person and by whoever records declarations for them (the
  administrator); to everyone else it does not exist (404);
- the social-insurance policies are published figures: everyone signed in reads them;
- through the API a person reads and states their own tax year statements; the administrator, who has
  no employee record, reads an empty list and must name the person (422).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider. There is a component
``matrix_setup``, a pay group ``matrix-setup`` run by one account with the payroll role (another has the
role and runs nothing yet), and ``employee`` has a vocational-education declaration.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

P = "/api/v1/payroll"
W = "/payroll"
ADMIN_ONLY = (302, 404, 404, 404, 404, 200, 404)
ADMIN_SAVES = (302, 404, 404, 404, 404, 302, 404)
OWN = (302, 200, 200, 200, 200, 404, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200, 200)
FIRST_WAGES = {"year": "2030", "first_wages_of_year": "1"}
GROUP_FORM = {"name": "矩阵设置组", "name_en": "Matrix setup", "attendance_lag": "1", "active": "on",
              "sick_pay": "0:60, 2:70, 4:80, 6:90, 8:100"}

#                                                                              anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("payroll/components/", "GET", f"{W}/components/",                      ADMIN_ONLY),
    Row("payroll/components/new/", "GET", f"{W}/components/new/",              ADMIN_ONLY),
    Row("payroll/components/<slug:key>/", "GET", f"{W}/components/matrix_setup/", ADMIN_ONLY),
    Row("payroll/pay-groups/", "GET", f"{W}/pay-groups/",                      ADMIN_ONLY),
    Row("payroll/pay-groups/new/", "GET", f"{W}/pay-groups/new/",              ADMIN_ONLY),
    Row("payroll/pay-groups/<str:key>/", "GET", f"{W}/pay-groups/matrix-setup/", ADMIN_ONLY),
    Row("payroll/pay-groups/<str:key>/", "POST", f"{W}/pay-groups/matrix-setup/", ADMIN_SAVES, body=GROUP_FORM),
    Row("payroll/pay-groups/<str:key>/grant/", "POST", f"{W}/pay-groups/matrix-setup/grant/", ADMIN_SAVES,
        body={"person_id": "{setup_payroll_new}", "person": ""}),
    Row("payroll/pay-groups/<str:key>/revoke/<int:user_id>/", "POST",
        f"{W}/pay-groups/matrix-setup/revoke/{{setup_payroll_user}}/",         ADMIN_SAVES, body={}),
    Row("payroll/salaries/", "GET", f"{W}/salaries/",                          ADMIN_ONLY),
    Row("payroll/salaries/<int:pk>/", "GET", f"{W}/salaries/{{employee}}/",    ADMIN_ONLY, label="employee's"),
    Row("payroll/salaries/<int:pk>/", "POST", f"{W}/salaries/{{employee}}/",   ADMIN_SAVES, label="employee's",
        body={"effective_from": "2031-01-01", "item_matrix_setup": "15000.00", "note": ""}),
    Row("payroll/my-salary/", "GET", f"{W}/my-salary/",                        OWN),
    Row("payroll/si-policies/", "GET", f"{W}/si-policies/",                    SIGNED_IN),
    Row("payroll/declarations/", "GET", f"{W}/declarations/",                  OWN),
    Row("payroll/declarations/", "POST", f"{W}/declarations/",                 (302, 302, 302, 302, 302, 404, 302),
        body={"kind": "housing_rent", "start": "2031-01", "end": "", "city_tier": "1"}),
    Row("payroll/declarations/first-wages/", "POST", f"{W}/declarations/first-wages/",
        (302, 302, 302, 302, 302, 404, 302), body=FIRST_WAGES),
    Row("payroll/declarations/<int:pk>/withdraw/", "POST", f"{W}/declarations/{{setup_declaration}}/withdraw/",
        (302, 302, 404, 404, 404, 302, 404), body={}, label="employee's"),
    Row("payroll/declarations/people/", "GET", f"{W}/declarations/people/",    ADMIN_ONLY),
    Row("payroll/declarations/people/<int:pk>/", "GET", f"{W}/declarations/people/{{employee}}/", ADMIN_ONLY,
        label="employee's"),
    Row("payroll/declarations/people/<int:pk>/", "POST", f"{W}/declarations/people/{{employee}}/", ADMIN_SAVES,
        label="employee's", body={"kind": "housing_rent", "start": "2031-01", "end": "", "city_tier": "1"}),
    Row("payroll/declarations/people/<int:pk>/first-wages/", "POST",
        f"{W}/declarations/people/{{employee}}/first-wages/",                  ADMIN_SAVES, label="employee's",
        body=FIRST_WAGES),
]

API = [
    Row(f"{P}/tax-year-statements", "GET", f"{P}/tax-year-statements",         (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{P}/tax-year-statements", "POST", f"{P}/tax-year-statements",        (401, 201, 201, 201, 201, 422, 201),
        body={"year": 2030, "first_wages_of_year": True}),
]


def keys(world) -> dict:
    import datetime as dt

    from talentloop.accounts.models import User
    from talentloop.payroll.models import PayGroup, PayGroupAccess, SalaryComponent, TaxDeclaration
    from talentloop.testing.factories import EmployeeFactory, UserFactory, grant

    SalaryComponent.objects.get_or_create(key="matrix_setup", defaults={"name": "矩阵岗位工资"})
    group, _created = PayGroup.objects.get_or_create(key="matrix-setup", defaults={"name": "矩阵设置组"})

    def payroll_user(username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = UserFactory(username=username, display_name=username)
            EmployeeFactory(user=user, org_unit=world.people, job_family=world.hr_family,
                            employee_number=f"M-{username}", hire_date=dt.date(2019, 5, 6))  # fmt: skip
            grant(user, "payroll")
        return user

    running = payroll_user("matrix-setup-payroll")
    newcomer = payroll_user("matrix-setup-payroll-new")
    PayGroupAccess.objects.get_or_create(pay_group=group, user=running)
    declaration, _created = TaxDeclaration.objects.get_or_create(
        employee=world.emp(world.employee), kind="continuing_education_vocational", start=dt.date(2029, 1, 1)
    )
    return {
        "setup_payroll_user": running.pk,
        "setup_payroll_new": world.emp(newcomer).pk,
        "setup_declaration": declaration.pk,
    }
