"""The people lists read as plain rows: the API list and the people page show exactly what the
model objects (and the person's own API answer) show, in both languages, with the same markup."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import engines
from django.test import Client
from django.utils import translation

from talentloop.core.access import actor_for
from talentloop.organisation import selectors
from talentloop.organisation.api import EmployeeOut
from talentloop.organisation.models import Employee
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def _variety(world) -> None:
    """People the persona world lacks: with a position, without English names or secrets, on leave,
    gone, and one whose manager has no English name."""
    lead = world.emp(world.lead)
    EmployeeFactory(employee_number="T-zz-pos", name="有职位", name_en="", org_unit=world.platform,
                    job_family=world.engineering, position=world.engineer_position, manager=lead, level=4,
                    national_id="", bank_account="12", status="on_leave")
    plain = EmployeeFactory(employee_number="T-zz-plain", name="无英文", name_en="", org_unit=world.sales,
                            job_family=world.sales_family, national_id="X", bank_account="",
                            status="terminated", termination_date=dt.date(2025, 1, 31))
    EmployeeFactory(employee_number="T-zz-under", name="下属", name_en="Under", org_unit=world.sales,
                    job_family=world.sales_family, manager=plain, level=2)


# ---------------------------------------------------------------- the API list


@pytest.mark.parametrize("persona", ["hr", "manager", "admin", "employee"])
def test_api_list_rows_are_what_the_model_objects_answer(world, api_client_for, persona):
    _variety(world)
    body = api_client_for(persona).get("/api/v1/employees", {"limit": 200}).json()
    actor = actor_for(getattr(world, persona))
    people = list(selectors.employee_queryset(actor, selectors.EmployeeFilters())
                  .select_related("org_unit", "job_family", "position", "manager").order_by("employee_number"))
    # The person's own answer (model object, ninja's getter and the masking resolvers), as JSON.
    expected = [EmployeeOut.model_validate(p).model_dump(mode="json") for p in people]
    assert body == {"items": expected, "count": len(people)}
    assert body["count"] >= 1


def test_api_list_row_of_a_person_equals_their_own_answer(world, api_client_for):
    _variety(world)
    c = api_client_for("hr")
    for row in c.get("/api/v1/employees", {"limit": 200}).json()["items"]:
        assert c.get(f"/api/v1/employees/{row['id']}").json() == row


def test_api_list_pages_and_filters_read_two_queries(world, django_assert_num_queries):
    _variety(world)
    actor = actor_for(world.hr)
    everyone = selectors.EmployeeFilters()
    with django_assert_num_queries(2):
        rows, count = selectors.employee_rows(actor, everyone, limit=3, offset=2)
    assert count == Employee.objects.count() and len(rows) == 3
    numbers = list(Employee.objects.order_by("employee_number").values_list("employee_number", flat=True))
    assert [r["employee_number"] for r in rows] == numbers[2:5]
    # Past the end: nothing, in the same two queries.
    with django_assert_num_queries(2):
        assert selectors.employee_rows(actor, everyone, limit=3, offset=count) == ([], count)
    on_leave, total = selectors.employee_rows(actor, selectors.EmployeeFilters(status="on_leave"))
    assert total == 1 and on_leave[0]["employee_number"] == "T-zz-pos" and on_leave[0]["position"]["code"] == "se"
    assert on_leave[0]["national_id_masked"] == "" and on_leave[0]["bank_account_masked"] == "••••12"


# ---------------------------------------------------------------- the people page

# The rows as the page drew them from model objects before it read plain rows (kept here to hold the
# markup to it).
OLD_ROW = """{% for e in employees %}
      <tr>
        <td><a class="person" href="{% url 'organisation:employee-detail' e.pk %}"><span class="avatar" aria-hidden="true">{{ e.name|slice:":1" }}</span><span>{{ e.display_name }}{% if e.name_en and e.name_en != e.display_name %}<br><span class="muted small">{{ e.name_en }}</span>{% endif %}</span></a></td>
        <td data-label="{{ l_no }}">{{ e.employee_number }}</td>
        <td data-label="{{ l_unit }}">{{ e.org_unit.label }}</td>
        <td data-label="{{ l_position }}">{{ e.position.label|default:e.job_family.label }}</td>
        <td data-label="{{ l_level }}">{{ e.level_label }}</td>
        <td data-label="{{ l_manager }}">{% if e.manager %}{{ e.manager.display_name }}{% else %}—{% endif %}</td>
        <td data-label="{{ l_status }}"><span class="badge{% if e.status == 'active' %} ok{% elif e.status == 'on_leave' %} warn{% else %} bad{% endif %}">{{ e.get_status_display }}</span></td>
      </tr>
{% endfor %}"""  # noqa: E501


def _rows_html(html: str) -> str:
    body = html[html.index("<tbody>") + len("<tbody>"):html.index("</tbody>")]
    return re.sub(r"\s+", " ", body[body.index("<tr>"):body.rindex("</tr>") + len("</tr>")])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", ["hr", "manager"])
def test_people_page_rows_keep_their_markup(world, persona, language):
    _variety(world)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(getattr(world, persona))
    response = client.get("/people/")
    assert response.status_code == 200
    actor = actor_for(getattr(world, persona))
    people = list(selectors.employee_queryset(actor, selectors.EmployeeFilters())
                  .select_related("org_unit", "job_family", "position", "manager")
                  .order_by("employee_number")[:25])
    with translation.override(language):
        labels = {"l_no": translation.gettext("No."), "l_unit": translation.gettext("Unit"),
                  "l_position": translation.gettext("Position"), "l_level": translation.gettext("Level"),
                  "l_manager": translation.gettext("Manager"), "l_status": translation.gettext("Status")}
        old = engines["django"].from_string(OLD_ROW).render({"employees": people, **labels})
    assert _rows_html(response.content.decode()) == re.sub(r"\s+", " ", old).strip()
    assert [r.pk for r in response.context["employees"]] == [p.pk for p in people]


def test_people_page_rows_in_english_use_the_english_names(world):
    _variety(world)
    actor = actor_for(world.hr)
    with translation.override("en"):
        rows, _count = selectors.directory_rows(actor, selectors.EmployeeFilters(search="T-zz"))
    by_number = {r.employee_number: r for r in rows}
    assert by_number["T-zz-pos"].role == "Software engineer" and by_number["T-zz-pos"].manager == "Lead"
    assert by_number["T-zz-pos"].display_name == "有职位" and by_number["T-zz-pos"].subtitle == ""
    assert by_number["T-zz-under"].manager == "无英文" and by_number["T-zz-under"].unit == "Sales"
    assert by_number["T-zz-plain"].status_label == "Terminated" and by_number["T-zz-plain"].manager_id is None
    with translation.override("zh-hans"):
        rows, _count = selectors.directory_rows(actor, selectors.EmployeeFilters(search="T-zz-under"))
    assert rows[0].display_name == "下属" and rows[0].subtitle == "Under" and rows[0].unit == "销售部"
    assert rows[0]["initial"] == "下"
