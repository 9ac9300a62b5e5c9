"""The profile page reads only what it shows: the same queries whatever the person's history and team,
no column read later one row at a time, and the same page as the whole rows gave."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.organisation import selectors
from talentloop.organisation.models import EmploymentEvent
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

WEB_BASE = 6  # session, user, actor: employee + roles + has-reports; the unread-notifications count of the bell


def _grow(world, events: int, reports: int) -> None:
    lead = world.emp(world.lead)
    for i in range(events):
        EmploymentEvent.objects.create(employee=lead, kind="transfer", effective_date=dt.date(2020, 1, 1 + i),
                                       org_unit=world.platform, position=world.engineer_position,
                                       manager=world.emp(world.manager), level=4, note=f"move {i}",
                                       recorded_by=world.hr)
    for _i in range(reports):
        EmployeeFactory(org_unit=world.platform, job_family=world.engineering, manager=lead,
                        position=world.engineer_position)


def _count(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize(("persona", "extra"), [
    # the person, their history, their reports, their contract; HR: the account's admin role and scope
    ("hr", 6),
    # a manager above them: no account checks, the manager link's scope check
    ("manager", 5),
])
def test_the_profile_costs_the_same_whatever_the_history_and_the_team(world, client_for, size, persona, extra):
    _grow(world, size, size)
    lead = world.emp(world.lead)
    n, response = _count(client_for(persona), f"/people/{lead.pk}/")
    assert n == WEB_BASE + extra
    assert len(response.context["events"]) == size
    assert len(response.context["reports"]) == size + 1  # the employee of the persona world, and the new ones
    html = response.content.decode()
    assert f"move {size - 1}" in html


def test_the_profile_reads_show_what_the_whole_rows_show(world):
    _grow(world, 3, 2)
    actor = actor_for(world.hr)
    lead = world.emp(world.lead)
    lean, whole = selectors.profile_get(actor, lead.pk), selectors.employee_get(actor, lead.pk)
    for name in ("pk", "employee_number", "name", "name_en", "email", "phone", "hire_date", "termination_date",
                 "level", "status", "manager_path", "national_id", "bank_account", "user_id", "display_name"):
        assert getattr(lean, name) == getattr(whole, name), name
    assert (lean.org_unit.label, lean.job_family.label, lean.position, lean.manager.display_name) == (
        whole.org_unit.label, whole.job_family.label, whole.position, whole.manager.display_name)
    assert lean.user.has_usable_password() == whole.user.has_usable_password()
    assert lean.user.email == whole.user.email
    events = [(e.pk, e.get_kind_display(), e.effective_date, e.applied_at, e.level, e.note,
               e.org_unit and e.org_unit.label, e.position and e.position.label,
               e.manager and e.manager.display_name) for e in selectors.profile_events(actor, lead)]
    assert events == [(e.pk, e.get_kind_display(), e.effective_date, e.applied_at, e.level, e.note,
                       e.org_unit and e.org_unit.label, e.position and e.position.label,
                       e.manager and e.manager.display_name) for e in selectors.employee_events(actor, lead)]
    assert [(r.pk, r.display_name, r.position and r.position.label) for r in selectors.profile_reports(actor, lead)] \
        == [(r.pk, r.display_name, r.position and r.position.label) for r in selectors.direct_reports(actor, lead)]
    # Out of the reader's scope: nobody.
    assert selectors.profile_get(actor_for(world.outsider), lead.pk) is None
