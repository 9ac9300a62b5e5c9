"""The payslip API: re-authentication with the signed re-auth token (fresh, 4:59, 5:01, another
user's), who reads which payslip, the PDF, and questions asked and answered. Figures as in
``test_payslips`` (the employee's January: gross 10,270.12, deductions 1,855.60, net 8,414.52)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from talentloop.accounts.services import api_token_create
from talentloop.core.access import actor_for
from talentloop.payroll.models import PayslipQuestion, QuestionState
from talentloop.payroll.tests.payslips_scene import build, slip_of
from talentloop.payroll.tests.scene import frozen_clock
from talentloop.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1/payroll"


@pytest.fixture
def built(world):
    return build(world)


def user_of(scene, persona: str):
    return getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)


def token_client(scene, persona: str, scope: str = "write") -> Client:
    user = user_of(scene, persona)
    _row, secret = api_token_create(actor=actor_for(user), user=user, scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def confirmed(scene, persona: str, scope: str = "write") -> Client:
    """A token client that asked for a re-auth token and sends it on every request."""
    client = token_client(scene, persona, scope)
    answer = client.post("/api/v1/auth/reauth", {"password": PASSWORD}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    client.defaults["HTTP_X_REAUTH_TOKEN"] = answer.json()["reauth_token"]
    return client


def test_without_confirmation_the_payslips_answer_403_with_a_code(built):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        client = token_client(scene, "employee")
        for url in (f"{API}/payslips", f"{API}/payslips/{slip.pk}", f"{API}/payslips/{slip.pk}.pdf"):
            response = client.get(url)
            assert response.status_code == 403, url
            assert response.json()["code"] == "reauth_required"
        # a payslip that does not exist answers the same: nothing is told before the confirmation
        assert client.get(f"{API}/payslips/999999").json()["code"] == "reauth_required"


def test_the_re_auth_token_lasts_five_minutes(built):
    scene, run = built
    url = f"{API}/payslips/{slip_of(scene, run).pk}"
    with frozen_clock() as clock:
        client = confirmed(scene, "employee")
        assert client.get(url).status_code == 200
        clock.shift(dt.timedelta(minutes=4, seconds=59))
        assert client.get(url).status_code == 200
        clock.shift(dt.timedelta(seconds=2))
        stale = client.get(url)
    assert stale.status_code == 403 and stale.json()["code"] == "reauth_expired"


def test_another_users_re_auth_token_is_refused(built):
    scene, run = built
    with frozen_clock():
        theirs = confirmed(scene, "manager").defaults["HTTP_X_REAUTH_TOKEN"]
        client = token_client(scene, "employee")
        response = client.get(f"{API}/payslips/{slip_of(scene, run).pk}", HTTP_X_REAUTH_TOKEN=theirs)
    assert response.status_code == 403 and response.json()["code"] == "reauth_invalid"


def test_a_read_only_token_reads_its_payslips(built):
    scene, run = built
    with frozen_clock():
        response = confirmed(scene, "employee", scope="read").get(f"{API}/payslips")
    assert response.status_code == 200 and response.json()["count"] == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("employee", 200),
        ("payroll_a", 200),
        ("admin", 200),
        ("payroll_b", 404),
        ("payroll_none", 404),
        ("hr", 404),
        ("manager", 404),
        ("outsider", 404),
    ],
)
def test_who_reads_the_employees_payslip(built, persona, status):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        client = confirmed(scene, persona)
        one = client.get(f"{API}/payslips/{slip.pk}")
        pdf = client.get(f"{API}/payslips/{slip.pk}.pdf")
    assert (one.status_code, pdf.status_code) == (status, status)


def test_the_payslip_with_its_lines_and_explanations(built):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        mine = confirmed(scene, "employee")
        listed = mine.get(f"{API}/payslips").json()
        body = mine.get(f"{API}/payslips/{slip.pk}").json()
    assert listed["items"] == [
        {
            "id": slip.pk,
            "month": "2025-01-01",
            "net": "8414.52",
            "run_kind": "regular",
            "kind_label": "Monthly pay",
            "published_at": "2025-03-15T10:00:00Z",
        }
    ]
    assert (body["gross"], body["deductions"], body["net"]) == ("10270.12", "1855.60", "8414.52")
    lines = {ln["code"]: ln for section in body["sections"] for ln in section["lines"]}
    assert lines["iit"]["amount"] == "-105.60" and "Bracket 1: 3 %" in lines["iit"]["explanation"]
    assert lines["pension.employee"]["explanation"].startswith("Base 10,000.00 × 8 %")
    assert {"label": "Income tax withheld", "value": "105.60"} in body["year_to_date"]


def test_the_pdf_is_an_attachment(built):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        response = confirmed(scene, "employee").get(f"{API}/payslips/{slip.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="payslip-2025-01-{slip.pk}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_a_question_asked_and_answered(built):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        asked = token_client(scene, "employee").post(
            f"{API}/payslips/{slip.pk}/questions",
            {"line_code": "pension.employee", "text": "Why 8 %?"},
            content_type="application/json",
        )
        assert asked.status_code == 201, asked.content
        question = asked.json()
        assert (question["line_label"], question["state"]) == ("Pension insurance (employee)", "open")
        queue = token_client(scene, "payroll_a").get(f"{API}/questions")
        assert [q["id"] for q in queue.json()["items"]] == [question["id"]]
        assert token_client(scene, "payroll_b").get(f"{API}/questions").json()["count"] == 0
        assert token_client(scene, "hr").get(f"{API}/questions").json()["count"] == 0
        wrong = token_client(scene, "payroll_b").post(
            f"{API}/questions/{question['id']}/answer", {"answer": "No."}, content_type="application/json"
        )
        assert wrong.status_code == 404
        answered = token_client(scene, "payroll_a").post(
            f"{API}/questions/{question['id']}/answer", {"answer": "The city's rate."}, content_type="application/json"
        )
        assert answered.status_code == 200 and answered.json()["state"] == "answered"
        again = token_client(scene, "payroll_a").post(
            f"{API}/questions/{question['id']}/answer", {"answer": "Again."}, content_type="application/json"
        )
        assert again.status_code == 409
        # the person reads the answer on the payslip
        body = confirmed(scene, "employee").get(f"{API}/payslips/{slip.pk}").json()
    assert body["questions"][0]["answer"] == "The city's rate."
    assert PayslipQuestion.objects.get().state == QuestionState.ANSWERED


def test_bad_questions_are_refused(built):
    scene, run = built
    slip = slip_of(scene, run)
    url = f"{API}/payslips/{slip.pk}/questions"
    with frozen_clock():
        mine = token_client(scene, "employee")
        empty = mine.post(url, {"text": "  "}, content_type="application/json")
        no_line = mine.post(url, {"line_code": "pension.employer", "text": "?"}, content_type="application/json")
        not_mine = token_client(scene, "manager").post(url, {"text": "?"}, content_type="application/json")
        payroll = token_client(scene, "payroll_a").post(url, {"text": "?"}, content_type="application/json")
        empty_answer_to = token_client(scene, "payroll_a").post(
            f"{API}/questions/1/answer", {"answer": ""}, content_type="application/json"
        )
    assert empty.status_code == 422 and "text" in empty.json()["errors"]
    assert no_line.status_code == 422 and "line_code" in no_line.json()["errors"]  # not shown on the payslip
    assert not_mine.status_code == 404
    assert payroll.status_code == 403
    assert empty_answer_to.status_code == 404
    assert not PayslipQuestion.objects.exists()


def test_an_empty_answer_is_a_field_error(built):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        asked = token_client(scene, "employee").post(
            f"{API}/payslips/{slip.pk}/questions", {"text": "Why?"}, content_type="application/json"
        )
        response = token_client(scene, "payroll_a").post(
            f"{API}/questions/{asked.json()['id']}/answer", {"answer": " "}, content_type="application/json"
        )
    assert response.status_code == 422 and "answer" in response.json()["errors"]


def test_the_web_client_calling_the_api_uses_its_session(built):
    """A signed-in browser calling the API with its cookie: the session's proof counts, or the re-auth
    endpoint marks the session fresh."""
    scene, run = built
    url = f"{API}/payslips/{slip_of(scene, run).pk}"
    with frozen_clock() as clock:
        client = Client()
        client.force_login(scene.world.employee)
        assert client.get(url).json()["code"] == "reauth_required"
        answer = client.post("/api/v1/auth/reauth", {"password": PASSWORD}, content_type="application/json")
        assert answer.status_code == 200
        assert client.get(url).status_code == 200
        assert client.get(url, HTTP_X_REAUTH_TOKEN=answer.json()["reauth_token"]).status_code == 200
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        assert client.get(url).json()["code"] == "reauth_required"
