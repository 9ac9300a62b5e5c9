"""Payslip pages: who opens which payslip (persona matrix), fresh re-authentication in front of them,
every line with its explanation in the reader's language, the audit of reads by payroll, and
questions on a line going to payroll and back.

Figures (``payslips_scene``; Shanghai policy from 2024-07-01, 21.75 paid days, 8 hours a day): the
employee's January is base 10,000 + meal 500 + the scene's overtime formula 344.83 (4 h × 10,000 /
21.75 / 8 × 1.5 = 344.827… → 344.83), less 2 days of unpaid leave 919.54 (10,000 / 21.75 =
459.7701… × 2 = 919.540… → 919.54), plus the 150 % overtime line 344.83: gross 10,270.12.
Contributions on the new hire's first-month base 10,000: pension 800, medical 200, unemployment 50,
housing fund 700 = 1,750. Tax: 10,270.12 − 5,000 − 1,750 = 3,520.12 × 3 % = 105.6036 → 105.60.
Net 10,270.12 − 1,750 − 105.60 = 8,414.52.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.test import Client

from talentloop.accounts import reauth
from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import PermissionDenied
from talentloop.notifications.models import Notification
from talentloop.payroll.models import PayGroupAccess, PayslipQuestion, QuestionState
from talentloop.payroll.services import runs
from talentloop.payroll.services.payslip_questions import payslip_question_answer, payslip_question_ask
from talentloop.payroll.tests.payslips_scene import build, locked_run, set_salaries, slip_of
from talentloop.payroll.tests.scene import FROZEN, build_scene, frozen_clock
from talentloop.testing.factories import grant
from talentloop.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world):
    return build(world)


def user_of(scene, persona: str):
    return getattr(scene, persona) if persona.startswith("payroll") else getattr(scene.world, persona)


def fresh(scene, persona: str, at: dt.datetime = FROZEN) -> Client:
    """A client signed in as ``persona`` that re-authenticated at ``at``."""
    client = Client()
    client.force_login(user_of(scene, persona))
    session = client.session
    session[reauth.SESSION_KEY] = {"user": user_of(scene, persona).pk, "at": at.timestamp()}
    session.save()
    return client


# ---------------------------------------------------------------- who opens what

DETAIL_MATRIX = [
    ("employee", 200),
    ("payroll_a", 200),
    ("admin", 200),
    ("payroll_b", 404),
    ("payroll_none", 404),
    ("hr", 404),
    ("manager", 404),
    ("lead", 404),
    ("outsider", 404),
]


@pytest.mark.parametrize(("persona", "status"), DETAIL_MATRIX)
def test_who_opens_the_employees_payslip(built, persona, status):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        client = fresh(scene, persona)
        page = client.get(f"/payroll/payslips/{slip.pk}/")
        pdf = client.get(f"/payroll/payslips/{slip.pk}.pdf")
    assert (page.status_code, pdf.status_code) == (status, status)


@pytest.mark.parametrize(("persona", "count"), [("employee", 1), ("manager", 1), ("hr", 0), ("payroll_a", 0)])
def test_my_payslips_lists_only_my_own(built, persona, count):
    scene, _run = built
    with frozen_clock():
        page = fresh(scene, persona).get("/payroll/payslips/")
    assert page.status_code == 200
    assert len(page.context["rows"]) == count


def test_an_unpublished_payslip_is_not_the_persons_yet(world):
    with frozen_clock():
        scene = build_scene(world)
        set_salaries(scene)
        run = runs.payroll_run_create(
            actor=scene.actor("payroll_a"), pay_group=scene.group_a, month=dt.date(2025, 1, 1)
        )
        runs.payroll_run_calculate(actor=scene.actor("payroll_a"), run=run)
        slip = slip_of(scene, run)
        assert fresh(scene, "employee").get(f"/payroll/payslips/{slip.pk}/").status_code == 404
        assert fresh(scene, "employee").get("/payroll/payslips/").context["rows"] == []
        # payroll reviews it before the lock
        assert fresh(scene, "payroll_a").get(f"/payroll/payslips/{slip.pk}/").status_code == 200


def test_an_account_without_a_person_has_no_payslips_page(built):
    scene, _run = built
    with frozen_clock():
        assert fresh(scene, "admin").get("/payroll/payslips/").status_code == 404


def test_anonymous_is_sent_to_sign_in(built):
    scene, run = built
    response = Client().get(f"/payroll/payslips/{slip_of(scene, run).pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------- fresh re-authentication


def test_the_payslip_asks_to_confirm_then_opens_for_five_minutes(built):
    scene, run = built
    slip = slip_of(scene, run)
    url = f"/payroll/payslips/{slip.pk}/"
    client = Client()
    client.force_login(scene.world.employee)
    with frozen_clock() as clock:
        first = client.get(url)
        assert (
            first.status_code == 302
            and first["Location"] == f"/accounts/reauth/?next=%2Fpayroll%2Fpayslips%2F{slip.pk}%2F"
        )
        assert client.get(f"/payroll/payslips/{slip.pk}.pdf").status_code == 302
        assert client.get("/payroll/payslips/").status_code == 302
        back = client.post("/accounts/reauth/", {"password": PASSWORD, "next": url})
        assert back["Location"] == url
        page = client.get(url)
        assert page.status_code == 200 and page["Cache-Control"] == "no-store"
        clock.shift(dt.timedelta(minutes=4, seconds=59))
        assert client.get(url).status_code == 200
        clock.shift(dt.timedelta(seconds=2))
        assert client.get(url).status_code == 302


def test_a_proof_of_another_account_does_not_count(built):
    scene, run = built
    client = Client()
    client.force_login(scene.world.employee)
    session = client.session
    session[reauth.SESSION_KEY] = {"user": scene.world.manager.pk, "at": FROZEN.timestamp()}
    session.save()
    with frozen_clock():
        assert client.get(f"/payroll/payslips/{slip_of(scene, run).pk}/").status_code == 302


# ---------------------------------------------------------------- what the page says


def test_every_line_explains_itself(built):
    scene, run = built
    with frozen_clock():
        page = fresh(scene, "employee").get(f"/payroll/payslips/{slip_of(scene, run).pk}/")
    view = page.context["view"]
    lines = {line.code: line for section in view.sections for line in section.lines}
    assert [s.key for s in view.sections] == ["pay", "deductions"]
    assert [ln.code for ln in view.sections[0].lines] == [
        "component.base", "component.meal", "component.overtime", "unpaid_leave", "overtime_150",
    ]  # fmt: skip
    assert lines["component.base"].label == "Base salary"  # the test settings' language: English
    assert lines["unpaid_leave"].explanation == "2 days × daily wage 459.7701 (wage base 10,000.00 ÷ 21.75 paid days)"
    assert lines["overtime_150"].explanation == "4 hours × hourly wage 57.4713 × 1.5"
    assert lines["pension.employee"].explanation.startswith(
        "Base 10,000.00 × 8 % (between the floor 7,384.00 and the ceiling 36,921.00)"
    )
    assert "rounded to the yuan" in lines["housing_fund.employee"].explanation
    assert lines["iit"].explanation.startswith(
        "Income to date 10,270.12 − exempt income 0.00 − basic deduction 5,000.00 − social insurance and housing "
        "fund 1,750.00 − special additional deductions 0.00 − other deductions 0.00 = taxable income to date "
        "3,520.12. Bracket 1: 3 % less the quick deduction 0.00 = tax to date 105.60; withheld before 0.00; "
        "this month 105.60."
    )
    assert (view.gross, view.deductions, view.net) == (D("10270.12"), D("1855.60"), D("8414.52"))
    body = page.content.decode()
    assert 'data-testid="net-amount">8,414.52<' in body
    assert "employer" not in " ".join(lines)  # the company's contributions are not on the payslip
    assert dict(view.ytd)["Income tax withheld"] == "105.60"


def test_the_page_reads_in_english_for_an_english_reader(built):
    scene, run = built
    with frozen_clock():
        client = fresh(scene, "employee")
        page = client.get(f"/payroll/payslips/{slip_of(scene, run).pk}/", HTTP_ACCEPT_LANGUAGE="en")
    lines = {line.code: line for section in page.context["view"].sections for line in section.lines}
    assert lines["component.base"].label == "Base salary"
    assert lines["pension.employee"].label == "Pension insurance (employee)"


def test_the_page_reads_in_chinese(built):
    scene, run = built
    with frozen_clock():
        client = fresh(scene, "employee")
        client.cookies["django_language"] = "zh-hans"
        page = client.get(f"/payroll/payslips/{slip_of(scene, run).pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "基本工资" in page.content.decode()


def test_a_read_by_payroll_is_audited_without_amounts(built):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        fresh(scene, "employee").get(f"/payroll/payslips/{slip.pk}/")
        assert not AuditEntry.objects.filter(action="read_sensitive").exists()  # one's own: not audited
        fresh(scene, "payroll_a").get(f"/payroll/payslips/{slip.pk}/")
        fresh(scene, "admin").get(f"/payroll/payslips/{slip.pk}.pdf")
    entries = list(AuditEntry.objects.filter(action="read_sensitive").order_by("id"))
    assert [e.actor_label for e in entries] == ["payroll_a", "admin"]
    assert all(e.summary == f"payslip: {slip.pk} 2025-01" and e.entity_id == str(slip.employee_id) for e in entries)
    assert all("8414" not in (e.summary + str(e.changes)) for e in entries)


def test_the_list_says_what_kind_of_pay_newest_first(built):
    scene, jan = built
    with frozen_clock():
        feb = locked_run(scene, dt.date(2025, 2, 1), attendance=False)
        page = fresh(scene, "employee").get("/payroll/payslips/")
    rows = page.context["rows"]
    assert [r["month"] for r in rows] == [feb.month, jan.month]
    assert [r["kind_label"] for r in rows] == ["Monthly pay", "Monthly pay"]
    assert b"January 2025" in page.content and b"8,414.52" in page.content


# ---------------------------------------------------------------- questions


def test_a_question_on_a_line_goes_to_payroll_and_the_answer_comes_back(built, django_capture_on_commit_callbacks):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        employee = fresh(scene, "employee")
        with django_capture_on_commit_callbacks(execute=True):
            asked = employee.post(
                f"/payroll/payslips/{slip.pk}/questions/", {"line_code": "unpaid_leave", "text": "我只请了一天假"}
            )
        question = PayslipQuestion.objects.get()
        assert asked.status_code == 302
        assert asked["Location"] == f"/payroll/payslips/{slip.pk}/#question-{question.pk}"
        assert (question.line_code, question.state, question.asked_by) == (
            "unpaid_leave", QuestionState.OPEN, scene.world.employee,
        )  # fmt: skip
        told = Notification.objects.get(kind="payslip_question_asked")
        assert told.recipient.user == scene.payroll_a and "2025-01" in told.text and "919" not in told.text
        assert told.link == f"/payroll/questions/{question.pk}/"
        # payroll sees it in their queue and answers
        payroll = fresh(scene, "payroll_a")
        queue = payroll.get("/payroll/questions/")
        assert [q.pk for q, _label in queue.context["rows"]] == [question.pk]
        assert queue.context["rows"][0][1] == "Unpaid leave"  # the line's name
        assert fresh(scene, "payroll_b").get("/payroll/questions/").context["rows"] == []
        with django_capture_on_commit_callbacks(execute=True):
            answered = payroll.post(f"/payroll/questions/{question.pk}/", {"answer": "考勤记录是两天，请核对。"})
        assert answered.status_code == 302
        question.refresh_from_db()
        assert (question.state, question.answered_by) == (QuestionState.ANSWERED, scene.payroll_a)
        back = Notification.objects.get(kind="payslip_question_answered")
        assert back.recipient == scene.emp("employee")
        assert back.link == f"/payroll/payslips/{slip.pk}/#question-{question.pk}"
        page = employee.get(f"/payroll/payslips/{slip.pk}/")
        assert "考勤记录是两天" in page.content.decode()
        # the person closes it
        employee.post(f"/payroll/payslips/{slip.pk}/questions/{question.pk}/close/")
        question.refresh_from_db()
        assert question.state == QuestionState.CLOSED


def test_an_empty_question_is_refused_with_the_field(built):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        client = fresh(scene, "employee")
        page = client.post(f"/payroll/payslips/{slip.pk}/questions/", {"line_code": "iit", "text": "   "})
        htmx = client.post(f"/payroll/payslips/{slip.pk}/questions/", {"text": ""}, HTTP_HX_REQUEST="true")
        unknown = client.post(f"/payroll/payslips/{slip.pk}/questions/", {"line_code": "nope", "text": "Why?"})
    assert page.status_code == 200 and "text" in page.context["form"].errors
    assert page.context["asked_line"] == "iit"
    assert htmx.status_code == 422
    assert unknown.status_code == 200 and unknown.context["form"].errors
    assert not PayslipQuestion.objects.exists()


def test_asking_from_a_line_with_htmx_answers_the_line(built):
    scene, run = built
    slip = slip_of(scene, run)
    url = f"/payroll/payslips/{slip.pk}/questions/"
    with frozen_clock():
        client = fresh(scene, "employee")
        asked = client.post(url, {"line_code": "iit", "text": "Why?"}, HTTP_HX_REQUEST="true")
        empty = client.post(url, {"line_code": "iit", "text": ""}, HTTP_HX_REQUEST="true")
    body = asked.content.decode()
    assert asked.status_code == 200 and body.lstrip().startswith("<li") and 'data-code="iit"' in body
    assert 'data-testid="asked"' in body and "Why?" in body and "<html" not in body
    assert empty.status_code == 422 and empty.content.decode().lstrip().startswith("<li")
    assert PayslipQuestion.objects.count() == 1


@pytest.mark.parametrize("persona", ["manager", "payroll_a", "admin", "hr"])
def test_nobody_asks_on_anothers_payslip(built, persona):
    scene, run = built
    slip = slip_of(scene, run)
    with frozen_clock():
        response = fresh(scene, persona).post(f"/payroll/payslips/{slip.pk}/questions/", {"text": "Why?"})
    assert response.status_code == 404
    assert not PayslipQuestion.objects.exists()


def _question(scene, run):
    with frozen_clock():
        return payslip_question_ask(
            actor=scene.actor("employee"), payslip=slip_of(scene, run), line_code="iit", text="Why this much?"
        )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("payroll_a", 200), ("admin", 200), ("payroll_b", 404), ("payroll_none", 404), ("hr", 404), ("employee", 404)],
)
def test_who_may_answer(built, persona, status):
    scene, run = built
    question = _question(scene, run)
    with frozen_clock():
        client = fresh(scene, persona)
        assert client.get(f"/payroll/questions/{question.pk}/").status_code == status
        response = client.post(f"/payroll/questions/{question.pk}/", {"answer": "See the attendance."})
    assert response.status_code == (302 if status == 200 else 404)
    question.refresh_from_db()
    assert question.state == (QuestionState.ANSWERED if status == 200 else QuestionState.OPEN)


@pytest.mark.parametrize("persona", ["employee", "hr", "manager"])
def test_the_question_queue_is_for_payroll(built, persona):
    scene, _run = built
    with frozen_clock():
        assert fresh(scene, persona).get("/payroll/questions/").status_code == 404


def test_an_empty_answer_is_refused_and_an_answered_question_is_not_answered_again(built):
    scene, run = built
    question = _question(scene, run)
    with frozen_clock():
        client = fresh(scene, "payroll_a")
        empty = client.post(f"/payroll/questions/{question.pk}/", {"answer": ""}, HTTP_HX_REQUEST="true")
        assert empty.status_code == 422 and "answer" in empty.context["form"].errors
        client.post(f"/payroll/questions/{question.pk}/", {"answer": "First."})
        again = client.post(f"/payroll/questions/{question.pk}/", {"answer": "Second."})
    assert again.status_code == 200 and again.context["form"].errors
    question.refresh_from_db()
    assert question.answer == "First."


def test_payroll_does_not_answer_their_own_question(world):
    """A payroll user paid in a group they run may ask, but someone else answers."""
    scene, run = build(world)
    PayGroupAccess.objects.create(pay_group=scene.group_a, user=scene.world.employee)
    grant(scene.world.employee, "payroll")
    question = _question(scene, run)
    with frozen_clock(), pytest.raises(PermissionDenied):
        payslip_question_answer(actor=actor_for(scene.world.employee), question=question, answer="Fine.")
