"""The pages and the API at work: joining and leaving on the phone in both languages, HR's plan and
window forms, the list pages and endpoints with their queries counted at two sizes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.benefits.models import BenefitPlan, Enrolment, EnrolmentState
from talentloop.benefits.tests.scene import Scene, build_scene, frozen_clock
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

JAN, APR = dt.date(2026, 1, 1), dt.date(2026, 4, 1)


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield build_scene(world)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ------------------------------------------------------------------------------------------------ my benefits


def test_my_page_lists_plans_with_join_buttons(scene, client_for):
    client = client_for("employee")
    with frozen_clock():
        body = client.get("/benefits/").content.decode()
    assert 'data-plan="annuity"' in body and 'data-plan="meal"' in body
    assert 'data-plan="transport"' not in body  # sales only
    assert body.count('data-testid="enrol"') == 2  # meal and annuity are open; health is closed


def test_join_and_leave_on_the_phone(scene, client_for):
    client = client_for("employee")
    with frozen_clock():
        response = client.post(f"/benefits/plans/{scene.meal.pk}/enrol/", follow=True)
    row = Enrolment.objects.get()
    assert (row.plan, row.start_month, row.state) == (scene.meal, APR, EnrolmentState.ACTIVE)
    assert response.redirect_chain[-1][0] == "/benefits/"
    assert 'data-testid="cancel"' in response.content.decode()
    with frozen_clock():
        response = client.post(f"/benefits/enrolments/{row.pk}/cancel/", follow=True)
    row.refresh_from_db()
    assert row.state == EnrolmentState.WITHDRAWN
    assert len(_messages(response)) == 1


def test_a_closed_window_is_explained(scene, client_for):
    client = client_for("employee")
    with frozen_clock():
        response = client.post(f"/benefits/plans/{scene.health.pk}/enrol/", follow=True)
    assert not Enrolment.objects.exists()
    (message,) = _messages(response)
    assert "2026-06-01" in message


@pytest.mark.parametrize(("language", "title"), [("en", "My benefits"), ("zh-hans", "我的福利")])
def test_my_page_in_both_languages(scene, client_for, language, title):
    client = client_for("employee")
    client.cookies["django_language"] = language
    with frozen_clock():
        body = client.get("/benefits/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    if language == "en":
        assert title in body and "Meal" in body
    else:
        assert "meal-中文" in body  # the plan's own name; the page's strings come from the catalogue


# ------------------------------------------------------------------------------------------------ HR pages


def test_hr_creates_a_plan_and_a_window(scene, client_for):
    client = client_for("hr")
    body = {
        "key": "phone",
        "name": "通讯补贴",
        "kind": "transport_allowance",
        "employer_amount": "200",
        "employer_rate": "0",
        "employee_amount": "0",
        "employee_rate": "0",
        "tax_treatment": "exempt_up_to_cap",
        "exempt_cap": "150",
        "job_families": ["sales"],
        "min_tenure_months": "3",
        "effective_from": "2026-01-01",
        "active": "on",
    }
    with frozen_clock():
        response = client.post("/benefits/plans/new/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = BenefitPlan.objects.get(key="phone")
    assert (plan.exempt_cap, [f.code for f in plan.job_families.all()]) == (Decimal("150.00"), ["sales"])
    with frozen_clock():
        response = client.post(
            f"/benefits/plans/{plan.pk}/windows/new/", {"opens_on": "2026-04-01", "closes_on": "2026-04-15"}
        )
    assert response.status_code == 302
    assert plan.windows.count() == 1


def test_a_bad_plan_shows_its_errors(scene, client_for):
    client = client_for("hr")
    with frozen_clock():
        response = client.post(
            f"/benefits/plans/{scene.meal.pk}/",
            {
                "key": "meal",
                "name": "餐补",
                "kind": "meal_allowance",
                "employer_amount": "300",
                "employer_rate": "0",
                "employee_amount": "0",
                "employee_rate": "0",
                "tax_treatment": "exempt_up_to_cap",
                "min_tenure_months": "0",
                "effective_from": "2026-01-01",
            },
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 422
    assert "exempt_cap" in response.context["form"].errors
    scene.meal.refresh_from_db()
    assert scene.meal.tax_treatment == "taxable"


def test_an_overlapping_window_shows_its_error(scene, client_for):
    with frozen_clock():
        response = client_for("hr").post(
            f"/benefits/plans/{scene.meal.pk}/windows/new/", {"opens_on": "2026-03-20", "closes_on": "2026-04-15"}
        )
    assert response.status_code == 200
    assert "opens_on" in response.context["window_form"].errors


# ------------------------------------------------------------------------------------------------ query counts


def _people(scene, count: int) -> None:
    people = EmployeeFactory.create_batch(count, org_unit=scene.world.platform, job_family=scene.world.engineering)
    Enrolment.objects.bulk_create([Enrolment(employee=p, plan=scene.meal, start_month=JAN) for p in people])


def _count(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries, frozen_clock():
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


WEB_BASE = 6  # session, user, actor (employee, roles, has-reports), the bell's unread count
API_BASE = 4  # token and user, actor (employee, roles, has-reports)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/benefits/plans/", WEB_BASE + 3),  # plans, their job families, their windows
        ("/benefits/plans/{meal}/enrolments/", WEB_BASE + 5),  # the plan (+ families, windows), count, page
        ("/benefits/", WEB_BASE + 5),  # own enrolments, plans (+ families, windows), own facts
        ("/api/v1/benefits/benefit-plans", API_BASE + 3),  # plans, their job families, their windows
        ("/api/v1/benefits/enrolments?plan=meal", API_BASE + 3),  # the plan, count, page
    ],
)
def test_list_queries_do_not_grow(scene, client_for, api_client_for, url, expected):
    url = url.format(meal=scene.meal.pk)
    client = api_client_for("hr") if url.startswith("/api/") else client_for("hr")
    _people(scene, 3)
    _count(client, url)  # the first request of a token or session records its use
    small, _response = _count(client, url)
    _people(scene, 30)
    for key in ("extra-1", "extra-2"):  # more plans too
        BenefitPlan.objects.create(key=key, name=key, kind="meal_allowance", effective_from=JAN)
    large, response = _count(client, url)
    assert small == large == expected, url
    if url.startswith("/api/v1/benefits/enrolments"):
        assert response.json()["count"] == 33


def test_api_enrol_and_cancel(scene, api_client_for):
    client = api_client_for("employee")
    with frozen_clock():
        response = client.post("/api/v1/benefits/enrolments", {"plan": "meal"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["plan"], body["start_month"], body["state"], body["end_month"]) == (
        "meal",
        "2026-04-01",
        "active",
        None,
    )
    with frozen_clock():
        again = client.post("/api/v1/benefits/enrolments", {"plan": "meal"}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["errors"] == {"plan": [again.json()["errors"]["plan"][0]]}
    with frozen_clock():
        closed = client.post("/api/v1/benefits/enrolments", {"plan": "health"}, content_type="application/json")
    assert closed.status_code == 422 and "plan" in closed.json()["errors"]
    with frozen_clock():
        cancelled = client.post(f"/api/v1/benefits/enrolments/{body['id']}/cancel")
    assert (cancelled.status_code, cancelled.json()["state"]) == (200, "withdrawn")
    mine = client.get("/api/v1/benefits/enrolments").json()
    assert mine["count"] == 1


def test_api_plan_with_windows_is_written_whole(scene, api_client_for):
    client = api_client_for("hr")
    body = {
        "key": "annuity-2",
        "name": "年金二",
        "kind": "enterprise_annuity",
        "employer_rate": "8",
        "employee_rate": "2",
        "tax_treatment": "annuity",
        "job_families": ["software-engineer"],
        "effective_from": "2026-01-01",
        "windows": [
            {"opens_on": "2026-04-01", "closes_on": "2026-04-30"},
            {"opens_on": "2026-04-30", "closes_on": "2026-05-30"},
        ],
    }
    with frozen_clock():
        response = client.post("/api/v1/benefits/benefit-plans", body, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"windows.1.opens_on"}
    assert not BenefitPlan.objects.filter(key="annuity-2").exists()
    body["windows"] = body["windows"][:1]
    with frozen_clock():
        response = client.post("/api/v1/benefits/benefit-plans", body, content_type="application/json")
    assert response.status_code == 201
    out = response.json()
    assert (out["employer_rate"], out["job_families"], len(out["windows"])) == ("8.00", ["software-engineer"], 1)
    with frozen_clock():
        response = client.post(
            "/api/v1/benefits/benefit-plans", {**body, "windows": []}, content_type="application/json"
        )
    assert response.status_code == 200
