"""The people picker: search by name, pinyin (full and initials), English name or number, within the
scope of the form that asks; the form accepts only a person of that scope, whatever id is sent."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.organisation import search, selectors, services
from talentloop.organisation.models import Employee
from talentloop.performance.models import Feedback
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_search_key_holds_number_names_and_pinyin():
    key = search.search_key(employee_number="TL0007", name="王小明", name_en="Wang Xiaoming")
    assert key == "tl0007|王小明|wang xiaoming|wangxiaoming|wangxiaoming|wxm"
    # Letters and digits in a name are kept as they are (报告1: baogao1, bg1).
    assert search.search_key(employee_number="A1", name="Anna", name_en="") == "a1|anna|||anna|anna"
    assert search.search_key(employee_number="R-1", name="报告1").endswith("|baogao1|bg1")


@pytest.fixture
def wang(world):
    """王小明 in sales (outside the manager's tree), and 王晓东 under lead (inside it)."""
    far = EmployeeFactory(
        name="王小明",
        name_en="Wang Xiaoming",
        employee_number="TL0007",
        org_unit=world.sales,
        job_family=world.sales_family,
    )
    near = EmployeeFactory(
        name="王晓东",
        name_en="Wang Xiaodong",
        employee_number="TL0008",
        org_unit=world.platform,
        job_family=world.engineering,
        manager=world.emp(world.lead),
    )
    return far, near


@pytest.mark.parametrize(
    "term", ["wangxiaoming", "wxm", "WXM", "Wang Xiaoming", "wang xiao ming", "王小", "TL0007", "tl000"]
)
def test_hr_finds_a_person_by_pinyin_initials_english_name_and_number(actor_of, wang, term):
    found = selectors.employee_search(actor_of("hr"), term)
    assert wang[0] in found


def test_initials_tell_two_wangs_apart(actor_of, wang):
    assert selectors.employee_search(actor_of("hr"), "wxd") == [wang[1]]
    assert {e.pk for e in selectors.employee_search(actor_of("hr"), "wangxiao")} == {wang[0].pk, wang[1].pk}


def test_a_person_outside_the_scope_is_not_found(actor_of, wang):
    manager = actor_of("manager")
    assert selectors.employee_search(manager, "wangxiao") == [wang[1]]  # only the one in the tree
    assert selectors.employee_search(actor_of("employee"), "wangxiao") == []  # sees self only
    # Feedback goes to any current colleague: the colleagues scope finds both.
    assert len(selectors.employee_search(actor_of("employee"), "wangxiao", scope="colleagues")) == 2
    assert selectors.employee_search(manager, "wxm", scope="no-such-scope") is None
    assert selectors.employee_search(manager, "   ") == []


def test_the_key_follows_a_renamed_person(actor_of, wang):
    services.employee_update(actor=actor_of("hr"), employee=wang[0], data={"name": "李雷", "name_en": "Li Lei"})
    assert selectors.employee_search(actor_of("hr"), "wxm") == []
    assert selectors.employee_search(actor_of("hr"), "ll") == [Employee.objects.get(pk=wang[0].pk)]


def test_bulk_writes_fill_the_key(world):
    created = Employee.objects.bulk_create(
        [
            Employee(
                employee_number="B-1",
                name="张伟",
                hire_date="2024-01-01",
                org_unit=world.sales,
                job_family=world.sales_family,
            )
        ]
    )
    assert Employee.objects.get(pk=created[0].pk).search_key.endswith("|zhangwei|zw")
    row = Employee.objects.get(pk=created[0].pk)
    row.name = "赵敏"
    Employee.objects.bulk_update([row], ["name"])
    assert Employee.objects.get(pk=row.pk).search_key.endswith("|zhaomin|zm")


def test_the_migration_fills_keys_of_existing_people(wang):
    Employee.objects.update(search_key="")
    migration = importlib.import_module("talentloop.organisation.migrations.0003_employee_search_key")
    migration.fill_search_keys(apps, connection.schema_editor())
    assert Employee.objects.get(pk=wang[0].pk).search_key.endswith("|wangxiaoming|wxm")
    assert not Employee.objects.filter(search_key="").exists()


def test_search_is_one_query_whatever_the_number_of_matches(world, actor_of):
    actor = actor_of("hr")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            found = selectors.employee_search(actor, "wang")
        assert len(found) <= selectors.SEARCH_LIMIT
        return len(captured)

    EmployeeFactory.create_batch(3, name="王五", org_unit=world.sales, job_family=world.sales_family)
    small = queries()
    EmployeeFactory.create_batch(30, name="王五", org_unit=world.sales, job_family=world.sales_family)
    assert queries() == small == 1
    assert len(selectors.employee_search(actor, "wang")) == selectors.SEARCH_LIMIT


# ---------------------------------------------------------------- the htmx partial and the API


def test_picker_suggestions_partial(client_for, wang):
    r = client_for("manager").get("/people/search/", {"scope": "current", "field": "manager", "manager": "wangx"}, **HX)
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert f'data-person-pick="{wang[1].pk}"' in body and f'data-person-pick="{wang[0].pk}"' not in body
    none = client_for("manager").get("/people/search/", {"q": "zzzz"}, **HX).content.decode()
    assert "data-person-pick" not in none and "No one found" in none
    assert client_for("manager").get("/people/search/", {"q": "wxm", "scope": "bogus"}).status_code == 404
    assert client_for(None).get("/people/search/", {"q": "wxm"}).status_code == 302


def test_people_search_api(api_client_for, wang):
    r = api_client_for("hr").get("/api/v1/people/search", {"q": "wxm"})
    assert r.status_code == 200
    assert r.json() == [
        {
            "id": wang[0].pk,
            "employee_number": "TL0007",
            "name": "王小明",
            "name_en": "Wang Xiaoming",
            "status": "active",
        }
    ]
    assert api_client_for("manager").get("/api/v1/people/search", {"q": "wxm"}).json() == []
    assert api_client_for("hr").get("/api/v1/people/search", {"q": "wxm", "scope": "bogus"}).status_code == 422
    assert api_client_for("hr").get("/api/v1/people/search", {"q": "x" * 101}).status_code == 422
    assert api_client_for(None).get("/api/v1/people/search", {"q": "wxm"}).status_code == 401


# ---------------------------------------------------------------- forms accept only their scope


def test_feedback_form_takes_the_picked_id(client_for, world, wang):
    c = client_for("employee")
    page = c.get("/performance/feedback/give/").content.decode()
    assert "data-person-picker" in page and "scope=colleagues" in page
    r = c.post(
        "/performance/feedback/give/",
        {
            "recipient": "王小明 (TL0007)",
            "recipient_id": wang[0].pk,
            "kind": "praise",
            "visibility": "shared",
            "text": "谢谢",
        },
    )
    assert r.status_code == 302
    assert Feedback.objects.get().recipient == wang[0]


def test_an_id_outside_the_forms_scope_is_a_field_error(client_for, world, wang):
    c = client_for("employee")
    # Oneself is not a colleague to give feedback to.
    r = c.post(
        "/performance/feedback/give/",
        {
            "recipient": "x",
            "recipient_id": world.emp(world.employee).pk,
            "kind": "praise",
            "visibility": "shared",
            "text": "?",
        },
    )
    assert r.status_code == 200 and "recipient" in r.context["form"].errors
    r = c.post(
        "/performance/feedback/give/", {"recipient_id": "12abc", "kind": "praise", "visibility": "shared", "text": "?"}
    )
    assert "recipient" in r.context["form"].errors
    assert not Feedback.objects.exists()
    # A manager's improvement plan is only for people they manage: not for 王小明 in sales.
    r = client_for("manager").post(
        "/performance/plans/new/",
        {
            "employee": "",
            "employee_id": wang[0].pk,
            "title": "t",
            "reason": "r",
            "starts_on": "2026-01-05",
            "ends_on": "2026-03-05",
            "goal_1_title": "g",
        },
    )
    assert r.status_code in (200, 422) and "employee" in r.context["form"].errors


def test_new_hire_form_picks_a_manager_within_hr_scope(client_for, world, wang):
    data = {
        "employee_number": "W-9",
        "name": "新人",
        "hire_date": "2024-05-06",
        "org_unit": world.platform.pk,
        "job_family": world.engineering.pk,
        "level": "2",
        "manager": "",
        "manager_id": wang[1].pk,
    }
    r = client_for("hr").post("/people/new/", data)
    assert r.status_code == 302
    assert Employee.objects.get(employee_number="W-9").manager == wang[1]
    form = client_for("hr").get(f"/org/units/{world.rnd.pk}/").context["form"]
    html = str(form["manager"])
    assert f'value="{world.emp(world.manager).pk}"' in html and "T-manager" in html


def test_the_people_directory_finds_pinyin_too(client_for, wang):
    r = client_for("hr").get("/people/", {"search": "wxm"})
    assert [e.pk for e in r.context["employees"]] == [wang[0].pk]
