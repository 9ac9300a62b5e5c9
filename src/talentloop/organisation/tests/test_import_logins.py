"""The employee import's optional ``login`` column creates a login for a person who has none:
unique in the file and among accounts, never for someone who has one or has left."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.models import User
from talentloop.organisation import importing
from talentloop.organisation.models import Employee
from talentloop.organisation.tests.test_import import make_csv, new_row
from talentloop.testing.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = [*importing.COLUMNS, "login"]


def _apply(actor, rows, mode="all"):
    return importing.employee_import_apply(
        actor=actor, file_name="p.csv", content=make_csv(rows, header=HEADER), mode=mode
    )


def test_new_and_existing_people_get_their_logins(world, actor_of):
    existing = EmployeeFactory(
        employee_number="X-1",
        org_unit=world.platform,
        job_family=world.engineering,
        manager=world.emp(world.lead),
        email="x1@example.com",
    )
    rows = [
        new_row("N-1", login="n.one"),
        new_row("N-2"),
        {"employee_number": "X-1", "name": existing.name, "login": "x.one"},
    ]
    preview = importing.employee_import_preview(
        actor=actor_of("hr"), file_name="p.csv", content=make_csv(rows, header=HEADER)
    )
    assert [r.action for r in preview.rows] == ["create", "create", "update"]
    assert preview.rows[2].changes["login"] == {"before": "", "after": "x.one"}
    assert not User.objects.filter(username__in=["n.one", "x.one"]).exists()  # a dry run writes nothing
    result = _apply(actor_of("hr"), rows)
    assert result.applied and result.rejected == 0
    n1 = Employee.objects.select_related("user").get(employee_number="N-1")
    assert n1.user.username == "n.one" and n1.user.email == "n-1@example.com" and not n1.user.has_usable_password()
    assert Employee.objects.get(employee_number="N-2").user is None
    assert Employee.objects.get(pk=existing.pk).user.username == "x.one"


def test_bad_logins_are_rejected_row_by_row(world, actor_of):
    UserFactory(username="Taken")
    gone = EmployeeFactory(
        employee_number="G-1", org_unit=world.platform, job_family=world.engineering, status="terminated"
    )
    rows = [
        new_row("N-1", login="taken"),  # taken, whatever the case
        new_row("N-2", login="twice"),
        new_row("N-3", login="TWICE"),  # twice in the file
        new_row("N-4", login="bad name!"),  # not a username
        {"employee_number": "T-employee", "name": "employee-中文", "login": "again"},  # has a login
        {"employee_number": "G-1", "name": gone.name, "login": "ghost"},  # has left
        new_row("N-5", login="fine"),
    ]
    result = _apply(actor_of("hr"), rows, mode="valid_only")
    assert [r.action for r in result.rows] == ["reject"] * 6 + ["create"]
    assert "taken" in result.rows[0].errors[0] and "rows 3, 4" in result.rows[1].errors[0]
    assert User.objects.filter(username__in=["twice", "TWICE", "again", "ghost"]).count() == 0
    assert Employee.objects.get(employee_number="N-5").user.username == "fine"
    assert not Employee.objects.filter(employee_number__in=["N-1", "N-2", "N-3", "N-4"]).exists()


def test_logins_cost_a_fixed_number_of_queries(world, actor_of):
    def count(n: int, start: int) -> int:
        rows = [new_row(f"L-{i}", login=f"login{i}") for i in range(start, start + n)]
        with CaptureQueriesContext(connection) as queries:
            result = _apply(actor_of("hr"), rows)
        assert result.applied and User.objects.filter(username__startswith="login").count() == start + n
        return len(queries)

    assert count(3, 0) == count(30, 3)
