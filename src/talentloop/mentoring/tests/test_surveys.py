"""Mentee surveys: sent by the daily job on the right days and never twice, answered once by the
mentee, and confidential — a mentor cannot read a single answer through any page or endpoint."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
import time_machine
from django.core.management import call_command

from talentloop.mentoring.models import MenteeSurvey, SurveyAnswer
from talentloop.mentoring.services.surveys import send_due_surveys, survey_occasions
from talentloop.mentoring.tests import effectiveness_fixtures as F
from talentloop.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db

START = dt.date(2025, 1, 15)
SECRET = "MY-MENTOR-IS-ALWAYS-LATE-7391"


def test_occasions_every_three_months_and_at_the_end():
    # 6 months from 15 Jan: 15 Apr during, 15 Jul at the end (15 Jul itself is the end, not "during")
    assert survey_occasions(START, dt.date(2025, 7, 15), 3) == [
        ("during", 1, dt.date(2025, 4, 15)), ("end", 1, dt.date(2025, 7, 15))]
    # 12 months: 15 Apr, 15 Jul, 15 Oct during, 15 Jan at the end
    assert [d for _o, _s, d in survey_occasions(START, dt.date(2026, 1, 15), 3)] == [
        dt.date(2025, 4, 15), dt.date(2025, 7, 15), dt.date(2025, 10, 15), dt.date(2026, 1, 15)]


@pytest.fixture
def plan(world):
    mentor = F.mentor_of(world.emp(world.mentor))
    return F.plan(mentor, world.emp(world.employee), F.template("新员工"), START)


def test_sent_on_the_day_never_twice_and_caught_up_after_a_missed_run(plan):
    assert send_due_surveys(dt.date(2025, 4, 14)) == 0
    # the run of 15 Apr is missed; the run of 16 Apr catches up
    assert send_due_surveys(dt.date(2025, 4, 16)) == 1
    assert send_due_surveys(dt.date(2025, 4, 16)) == 0
    assert send_due_surveys(dt.date(2025, 4, 17)) == 0
    survey = MenteeSurvey.objects.get()
    assert (survey.occasion, survey.scheduled_on, survey.sent_on, survey.closes_on) == (
        "during", dt.date(2025, 4, 15), dt.date(2025, 4, 16), dt.date(2025, 5, 6))  # open 21 days
    notice = Notification.objects.get()
    assert notice.recipient_id == plan.mentee_id and notice.link == f"/mentoring/surveys/{survey.pk}/"
    assert (notice.kind, notice.dedupe_key, notice.data["plan_id"]) == ("survey_due", f"survey:{survey.pk}", plan.pk)


def test_the_end_survey_goes_out_after_the_plan_completed(plan):
    plan.status = "completed"
    plan.save()
    assert send_due_surveys(dt.date(2025, 7, 16)) == 1
    assert MenteeSurvey.objects.get().occasion == "end"


def test_an_old_plan_does_not_flood_its_mentee(plan):
    # a run long after the window of 15 Apr sends nothing for it
    assert send_due_surveys(dt.date(2025, 6, 1)) == 0


def test_run_reminders_runs_the_survey_job_and_twice_sends_nothing_twice(plan, capsys):
    call_command("run-reminders", "--date", "2025-04-15")
    out = json.loads(capsys.readouterr().out)
    assert out["send_due_surveys"] == 1
    call_command("run-reminders", "--date", "2025-04-15")
    assert json.loads(capsys.readouterr().out)["send_due_surveys"] == 0
    assert MenteeSurvey.objects.count() == 1


def _survey(plan, sequence: int, sent: dt.date) -> MenteeSurvey:
    return MenteeSurvey.objects.create(plan=plan, occasion="during", sequence=sequence, scheduled_on=sent,
                                       sent_on=sent, closes_on=sent + dt.timedelta(days=3650))


def test_only_the_mentee_answers_once_while_open(world, plan, client_for, api_client_for):
    survey = _survey(plan, 1, dt.date(2025, 4, 15))
    # the mentor and HR cannot even open the form
    assert client_for("mentor").get(f"/mentoring/surveys/{survey.pk}/").status_code == 404
    assert client_for("hr").get(f"/mentoring/surveys/{survey.pk}/").status_code == 404
    body = {"on_time": True, "content_fits": False, "problems_solved": True, "comment": SECRET}
    assert api_client_for("mentor").post(f"/api/v1/mentoring/surveys/{survey.pk}/answer", body,
                                         content_type="application/json").status_code == 404
    employee = client_for("employee")
    assert employee.get(f"/mentoring/surveys/{survey.pk}/").status_code == 200
    response = employee.post(f"/mentoring/surveys/{survey.pk}/", {"on_time": "yes", "content_fits": "no",
                                                                  "problems_solved": "yes", "comment": SECRET})
    assert response.status_code == 302
    answer = SurveyAnswer.objects.get()
    assert (answer.on_time, answer.content_fits, answer.problems_solved, answer.comment) == (True, False, True, SECRET)
    # the comment is encrypted at rest
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT comment FROM mentoring_surveyanswer")
        assert SECRET not in cur.fetchone()[0]
    # a second answer is refused
    again = api_client_for("employee").post(f"/api/v1/mentoring/surveys/{survey.pk}/answer", body,
                                            content_type="application/json")
    assert again.status_code == 409
    # the audit log records that a survey was answered, not what
    from talentloop.core.audit.models import AuditEntry

    entry = AuditEntry.objects.get(entity_type="mentoring.surveyanswer")
    assert SECRET not in json.dumps(entry.changes) and entry.summary == "survey answered"


def test_a_closed_survey_cannot_be_answered(world, plan, api_client_for):
    survey = MenteeSurvey.objects.create(plan=plan, occasion="during", sequence=1, scheduled_on=dt.date(2025, 4, 15),
                                         sent_on=dt.date(2025, 4, 15), closes_on=dt.date(2025, 5, 6))
    response = api_client_for("employee").post(
        f"/api/v1/mentoring/surveys/{survey.pk}/answer",
        {"on_time": True, "content_fits": True, "problems_solved": True}, content_type="application/json")
    assert response.status_code == 409
    assert not SurveyAnswer.objects.exists()


def _answers(world, plan, flags: list[tuple[bool, bool, bool]], comment: str = "") -> list[SurveyAnswer]:
    """Answers from distinct mentees of the same mentor (a plan each), in this order."""
    out = []
    tpl = plan.template
    for i, (a, b, c) in enumerate(flags):
        mentee = plan.mentee if i == 0 else F.person(org_unit=world.platform, job_family=world.engineering)
        p = plan if i == 0 else F.plan(plan.mentor, mentee, tpl, START)
        s = _survey(p, 1, dt.date(2025, 4, 15))
        out.append(SurveyAnswer.objects.create(survey=s, on_time=a, content_fits=b, problems_solved=c,
                                               comment=f"{comment}-{i}" if comment else ""))
    return out


def _mentor_can_see_everything(world, client_for, api_client_for, plan) -> str:
    """Every page and endpoint a mentor can open about their mentoring, concatenated."""
    mentor_pk = plan.mentor_id
    web = client_for("mentor")
    api = api_client_for("mentor")
    pages = ["/mentoring/surveys/results/", f"/mentoring/surveys/results/{mentor_pk}/",
             f"/mentoring/effectiveness/mentors/{mentor_pk}/", "/mentoring/effectiveness/me/",
             "/mentoring/surveys/", f"/mentoring/plans/{plan.pk}/", "/mentoring/mentees/",
             f"/mentoring/mentors/{mentor_pk}/", "/mentoring/me/"]
    endpoints = ["/api/v1/mentoring/surveys", "/api/v1/mentoring/surveys/aggregate",
                 f"/api/v1/mentoring/surveys/aggregate?mentor_id={mentor_pk}",
                 f"/api/v1/mentoring/mentors/{mentor_pk}/effectiveness", f"/api/v1/mentoring/plans/{plan.pk}",
                 f"/api/v1/mentoring/plans/{plan.pk}/items", "/api/v1/mentoring/notices",
                 f"/api/v1/mentoring/mentors/{mentor_pk}"]
    seen = []
    for url in pages:
        response = web.get(url, follow=True)
        assert response.status_code == 200, url
        seen.append(response.content.decode())
    for survey in MenteeSurvey.objects.all():
        assert web.get(f"/mentoring/surveys/{survey.pk}/").status_code == 404
    for url in endpoints:
        response = api.get(url)
        assert response.status_code == 200, url
        seen.append(response.content.decode())
    return "\n".join(seen)


def test_a_mentor_cannot_read_a_single_answer_anywhere(world, plan, client_for, api_client_for):
    _answers(world, plan, [(False, True, True), (True, True, False)], comment=SECRET)
    everything = _mentor_can_see_everything(world, client_for, api_client_for, plan)
    assert SECRET not in everything
    aggregate = api_client_for("mentor").get("/api/v1/mentoring/surveys/aggregate").json()
    # two answers: nothing is shown, not even how many there are
    assert aggregate == {"mentor_id": plan.mentor_id, "min_answers": 3, "shown": False, "counted": 0,
                         "respondents": 0, "on_time": None, "content_fits": None, "problems_solved": None,
                         "programmes": [], "comments": []}
    page = client_for("mentor").get("/mentoring/surveys/results/")
    assert b'data-testid="not-enough-answers"' in page.content
    effectiveness = api_client_for("mentor").get(
        f"/api/v1/mentoring/mentors/{plan.mentor_id}/effectiveness").json()
    assert effectiveness["surveys"] == {"shown": False, "counted": 0, "on_time": None, "content_fits": None,
                                        "problems_solved": None}
    assert [i["value"] for i in effectiveness["inputs"] if i["key"].startswith("survey_")] == [None, None, None]
    assert effectiveness["per_mentee"] == []


def test_rates_over_three_answers_and_a_fourth_never_shows_alone(world, plan, client_for, api_client_for):
    _answers(world, plan, [(True, True, False), (True, False, False), (False, True, True)], comment=SECRET)
    mentor = api_client_for("mentor")
    first = mentor.get("/api/v1/mentoring/surveys/aggregate").json()
    # on time 2 of 3 = 66.7 %, fits 2 of 3, solved 1 of 3 = 33.3 %
    assert (first["shown"], first["counted"]) == (True, 3)
    assert (D(str(first["on_time"])), D(str(first["content_fits"])), D(str(first["problems_solved"]))) == (
        D("66.7"), D("66.7"), D("33.3"))
    assert first["comments"] == []  # the mentor never reads comments
    # a fourth answer arrives: the figures do not move until three new answers are in
    extra = F.person(org_unit=world.platform, job_family=world.engineering)
    s = _survey(F.plan(plan.mentor, extra, plan.template, START), 1, dt.date(2025, 5, 1))
    SurveyAnswer.objects.create(survey=s, on_time=False, content_fits=False, problems_solved=False)
    assert mentor.get("/api/v1/mentoring/surveys/aggregate").json() == first
    assert SECRET not in _mentor_can_see_everything(world, client_for, api_client_for, plan)
    # HR reads the same rates and the unattributed comments of the counted answers
    hr = api_client_for("hr").get(f"/api/v1/mentoring/surveys/aggregate?mentor_id={plan.mentor_id}").json()
    assert hr["on_time"] == first["on_time"]
    assert hr["comments"] == [f"{SECRET}-0", f"{SECRET}-1", f"{SECRET}-2"]


def test_survey_aggregates_are_closed_to_others(world, plan, api_client_for, client_for):
    _answers(world, plan, [(True, True, True)] * 3)
    for persona in ("employee", "outsider", "manager"):
        assert api_client_for(persona).get(
            f"/api/v1/mentoring/surveys/aggregate?mentor_id={plan.mentor_id}").status_code == 404
        assert client_for(persona).get(f"/mentoring/surveys/results/{plan.mentor_id}/").status_code == 404
    # the mentee's own list shows their survey, not anyone else's
    rows = api_client_for("employee").get("/api/v1/mentoring/surveys").json()["items"]
    assert [r["state"] for r in rows] == ["answered"]
    assert api_client_for("outsider").get("/api/v1/mentoring/surveys").json()["items"] == []


def test_the_survey_list_costs_the_same_queries_for_any_number_of_surveys(world, plan, client_for, api_client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    web, api = client_for("employee"), api_client_for("employee")
    urls = [(web, "/mentoring/surveys/"), (api, "/api/v1/mentoring/surveys")]
    _survey(plan, 1, dt.date(2025, 4, 15))
    [count(c, u) for c, u in urls]
    before = [count(c, u) for c, u in urls]
    for i in range(2, 8):
        _survey(plan, i, dt.date(2025, 4, 15) + dt.timedelta(days=30 * i))
    assert [count(c, u) for c, u in urls] == before


def test_survey_notices_are_delivered_after_commit(plan, django_capture_on_commit_callbacks):
    from django.core import mail

    NotificationPreference.objects.create(employee_id=plan.mentee_id, kind="survey_due", channels=["email"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_due_surveys(dt.date(2025, 4, 15))
    # The inbox row is written with the survey; nothing leaves before the transaction commits.
    assert Notification.objects.filter(recipient_id=plan.mentee_id, kind="survey_due").count() == 1
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------- confidentiality counts people, not answers


def _answer(plan, sequence: int, flags=(True, True, True), comment: str = "") -> SurveyAnswer:
    s = _survey(plan, sequence, dt.date(2025, 4, 15) + dt.timedelta(days=sequence))
    return SurveyAnswer.objects.create(survey=s, on_time=flags[0], content_fits=flags[1], problems_solved=flags[2],
                                       comment=comment)


def test_three_answers_of_one_mentee_are_withheld(world, plan, client_for, api_client_for):
    # one plan, three surveys, three answers: all from the same mentee
    for i in range(1, 4):
        _answer(plan, i, (False, False, False), comment=f"{SECRET}-{i}")
    for persona in ("mentor", "hr"):
        aggregate = api_client_for(persona).get(
            f"/api/v1/mentoring/surveys/aggregate?mentor_id={plan.mentor_id}").json()
        assert (aggregate["shown"], aggregate["counted"], aggregate["on_time"], aggregate["comments"]) == (
            False, 0, None, []), persona
    page = client_for("mentor").get("/mentoring/surveys/results/")
    assert b'data-testid="not-enough-answers"' in page.content and b"0%" not in page.content
    effectiveness = api_client_for("mentor").get(f"/api/v1/mentoring/mentors/{plan.mentor_id}/effectiveness").json()
    assert effectiveness["surveys"]["shown"] is False
    assert [i["value"] for i in effectiveness["inputs"] if i["key"].startswith("survey_")] == [None, None, None]
    assert SECRET not in _mentor_can_see_everything(world, client_for, api_client_for, plan)


def test_a_mentees_later_answers_do_not_move_the_figures_alone(world, plan, api_client_for):
    # three distinct mentees: shown; then the first mentee answers three more times: no new step
    _answers(world, plan, [(True, True, True), (True, False, True), (False, True, True)])
    mentor = api_client_for("mentor")
    first = mentor.get("/api/v1/mentoring/surveys/aggregate").json()
    assert (first["shown"], first["counted"], first["respondents"]) == (True, 3, 3)
    for i in range(2, 5):
        _answer(plan, i, (False, False, False))
    assert mentor.get("/api/v1/mentoring/surveys/aggregate").json() == first


def test_a_programme_is_withheld_when_the_rest_would_give_a_mentee_away(world, plan, client_for, api_client_for):
    # five mentees answered in programme A, one in programme B (six distinct mentees: two steps, all
    # counted). B alone is too small; A shown beside the total would give B's mentee away by
    # difference (total − A = B), so A is withheld too and only the total is shown.
    other = F.template("领导力")
    _answers(world, plan, [(True, True, True)] * 5)
    lonely = F.person(org_unit=world.platform, job_family=world.engineering)
    _answer(F.plan(plan.mentor, lonely, other, START), 1, (False, False, False))
    data = api_client_for("hr").get(f"/api/v1/mentoring/surveys/aggregate?mentor_id={plan.mentor_id}").json()
    assert (data["shown"], data["counted"], data["respondents"]) == (True, 6, 6)
    assert [(p["programme"], p["shown"], p["on_time"]) for p in data["programmes"]] == [
        ("新员工", False, None), ("领导力", False, None)]
    page = client_for("hr").get(f"/mentoring/surveys/results/{plan.mentor_id}/")
    assert page.content.count(b'data-testid="programme-withheld"') == 2
    # two more mentees in B: B holds three people, and both programmes can be shown
    for _ in range(2):
        extra = F.person(org_unit=world.platform, job_family=world.engineering)
        _answer(F.plan(plan.mentor, extra, other, START), 1, (True, False, False))
    # eight mentees: the second step is still open (three per step: 6 counted); one more closes it
    extra = F.person(org_unit=world.platform, job_family=world.engineering)
    _answer(F.plan(plan.mentor, extra, plan.template, START), 1, (True, True, True))
    data = api_client_for("hr").get(f"/api/v1/mentoring/surveys/aggregate?mentor_id={plan.mentor_id}").json()
    assert (data["counted"], data["respondents"]) == (9, 9)
    # A: six mentees all yes; B: one no of three on time → 2 of 3 = 66.7 %
    assert [(p["programme"], p["shown"], D(str(p["on_time"]))) for p in data["programmes"]] == [
        ("新员工", True, D("100.0")), ("领导力", True, D("66.7"))]


def test_comments_are_hrs_without_names_unless_the_settings_say_so(world, plan, client_for, api_client_for,
                                                                     actor_of):
    from talentloop.mentoring.services.effectiveness import effectiveness_config_save

    _answers(world, plan, [(True, True, True)] * 3, comment=SECRET)
    names = (plan.mentee.name, plan.mentee.name_en)
    hr = api_client_for("hr").get(f"/api/v1/mentoring/surveys/aggregate?mentor_id={plan.mentor_id}").json()
    assert hr["comments"] == [f"{SECRET}-0", f"{SECRET}-1", f"{SECRET}-2"]
    hr_page = client_for("hr").get(f"/mentoring/surveys/results/{plan.mentor_id}/").content.decode()
    assert 'data-testid="who-sees-what"' in hr_page and f"<li>{SECRET}-0</li>" in hr_page
    # the mentor never reads a comment, and the administrator neither
    assert api_client_for("mentor").get("/api/v1/mentoring/surveys/aggregate").json()["comments"] == []
    mentor_page = client_for("mentor").get("/mentoring/surveys/results/").content.decode()
    assert SECRET not in mentor_page and 'data-testid="survey-comments"' not in mentor_page
    assert 'data-testid="who-sees-what"' in mentor_page
    assert api_client_for("admin").get(
        f"/api/v1/mentoring/surveys/aggregate?mentor_id={plan.mentor_id}").json()["comments"] == []
    # HR turns on named comments: HR reads who wrote what; the mentor still reads nothing
    effectiveness_config_save(actor=actor_of("hr"), data={"survey_comments_named": True}, note="")
    named = api_client_for("hr").get(f"/api/v1/mentoring/surveys/aggregate?mentor_id={plan.mentor_id}").json()
    assert any(c in named["comments"] for c in (f"{name}: {SECRET}-0" for name in names))
    assert f"{SECRET}-0" not in named["comments"]  # no longer unattributed
    assert SECRET not in _mentor_can_see_everything(world, client_for, api_client_for, plan)


def test_the_survey_form_tells_the_mentee_who_sees_what(world, plan, client_for):
    survey = _survey(plan, 1, dt.date(2025, 4, 15))
    with time_machine.travel(dt.datetime(2025, 4, 20, 2, 0, tzinfo=dt.UTC), tick=False):
        html = client_for("employee").get(f"/mentoring/surveys/{survey.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert 'data-testid="who-sees-what"' in text and "at least 3 different mentees" in text
