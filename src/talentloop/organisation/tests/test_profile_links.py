"""No link to a profile the reader may not open: the manager's name on /me/ is text for an employee."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from talentloop.core.access import actor_for
from talentloop.organisation import access

pytestmark = pytest.mark.django_db


def _manager_cell(html: str) -> str:
    start = html.index('data-testid="manager"')
    return html[start : html.index("</dd>", start)]


def test_an_employee_reads_the_managers_name_without_a_link(client_for, world):
    c = client_for("employee")
    cell = _manager_cell(c.get("/me/").content.decode())
    lead = world.emp(world.lead)
    assert lead.display_name in cell and "<a " not in cell
    # the link would have been a 404
    assert c.get(f"/people/{lead.pk}/").status_code == 404


def test_a_reader_who_may_open_the_managers_profile_gets_the_link(client_for, world):
    employee = world.emp(world.employee)
    lead = world.emp(world.lead)
    for persona in ("hr", "manager"):
        c = client_for(persona)
        cell = _manager_cell(c.get(f"/people/{employee.pk}/").content.decode())
        assert f'href="/people/{lead.pk}/"' in cell, persona
        assert c.get(f"/people/{lead.pk}/").status_code == 200, persona


def test_the_predicate_matches_the_profile_page(client_for, world):
    from talentloop.organisation.models import Employee

    for persona in ("employee", "lead", "manager", "mentor", "hr", "admin", "outsider"):
        actor = actor_for(getattr(world, persona))
        c = client_for(persona)
        for person in Employee.objects.all():
            opens = c.get(f"/people/{person.pk}/").status_code == 200
            assert access.can_view_employee(actor, person) == opens, (persona, person.name)


def test_the_tag_escapes_and_handles_no_person(world):
    employee = world.emp(world.employee)
    employee.name = employee.name_en = "<b>x</b>"
    request = RequestFactory().get("/")
    request.actor = actor_for(world.outsider)
    out = Template("{% load people %}{% person_link p %}|{% person_link none %}").render(
        Context({"p": employee, "none": None, "request": request})
    )
    assert "<b>" not in out and "&lt;b&gt;" in out and out.endswith("|—") and "<a " not in out
