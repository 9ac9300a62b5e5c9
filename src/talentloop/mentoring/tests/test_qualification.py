"""Mentor qualification: each criterion passing, failing and with missing data; applications,
HR's decisions (role granted, audited), versioned policies, who qualifies now and invitations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.models import RoleAssignment
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.mentoring.models import (
    Mentor,
    MentorApplication,
    MentorCertification,
    MentorInvitation,
    SkillAssessment,
)
from talentloop.mentoring.services import qualification as Q
from talentloop.mentoring.tests import programme_fixtures as F
from talentloop.notifications.models import Notification
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 3, 15)  # the last three complete calendar years are 2023, 2024 and 2025


def screen(employee, criteria, as_of=AS_OF):
    pol = F.policy([criteria] if isinstance(criteria, dict) else criteria)
    return Q.screen_employees(pol, [employee], as_of=as_of)[employee.pk]


def one(employee, criteria, as_of=AS_OF) -> dict:
    result = screen(employee, criteria, as_of)
    assert len(result) == 1
    return result[0]


@pytest.fixture
def emp(world):
    return world.emp(world.employee)


# ---------------------------------------------------------------- annual rating


RATING = {"key": "annual_rating_min", "params": {"min": "4.5", "years": 3}}


def test_annual_rating_passes_when_each_of_the_last_three_complete_years_is_high_enough(emp):
    for year, r in (("2023", "4.5"), ("2024", "4.8"), ("2025", "4.6")):
        F.rate(emp, year, r)
    F.rate(emp, "2022", "2.0")  # older than the window: ignored
    F.rate(emp, "2026", "1.0")  # the current year is not complete: ignored
    r = one(emp, RATING)
    assert r["status"] == "passed"
    assert [(y["year"], y["rating"], y["ok"]) for y in r["evidence"]["years"]] == [
        ("2023", "4.5", True), ("2024", "4.8", True), ("2025", "4.6", True)]


def test_annual_rating_fails_when_one_year_is_below(emp):
    for year, r in (("2023", "4.9"), ("2024", "4.4"), ("2025", "4.9")):
        F.rate(emp, year, r)
    r = one(emp, RATING)
    assert r["status"] == "failed"
    assert r["evidence"]["years"][1] == {"year": "2024", "rating": "4.4", "ok": False}


def test_annual_rating_has_no_data_when_a_year_is_missing(emp):
    F.rate(emp, "2024", "4.9")
    F.rate(emp, "2025", "4.9")
    r = one(emp, RATING)
    assert r["status"] == "no_data"
    assert r["evidence"]["years"][0] == {"year": "2023", "rating": None, "ok": None}


def test_a_failing_year_beats_a_missing_one(emp):
    F.rate(emp, "2025", "3.0")
    assert one(emp, RATING)["status"] == "failed"


def test_the_final_rating_counts_before_the_computed_one(emp):
    from talentloop.performance.models import Score

    Score.objects.create(employee=emp, period_key="2025", period_start=dt.date(2025, 1, 1), rating=D("3.0"),
                         computed_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    F.rate(emp, "2023", "4.7")
    F.rate(emp, "2024", "4.7")
    assert one(emp, RATING)["status"] == "failed"  # computed 3.0 for 2025
    F.rate(emp, "2025", "4.7")  # people decided 4.7
    assert one(emp, RATING)["status"] == "passed"


# ---------------------------------------------------------------- mentoring experience


EXPERIENCE = {"key": "mentoring_experience_years", "params": {"years": 2}}


def test_experience_has_no_data_without_any_mentoring_record(emp):
    r = one(emp, EXPERIENCE)
    assert r["status"] == "no_data"
    assert r["evidence"]["since"] is None


def test_experience_counts_from_the_first_plan_mentored(world, emp):
    # A plan started 2024-03-15 → 24 full months on 2026-03-15: exactly 2 years passes.
    m = F.mentor(emp, since=dt.date(2025, 6, 1))
    F.plan(m, world.emp(world.outsider), F.template(), dt.date(2024, 3, 15), status="completed")
    r = one(emp, EXPERIENCE)
    assert r["status"] == "passed"
    assert r["evidence"]["since"] == "2024-03-15"
    assert r["evidence"]["years"] == "2.0"
    # One day less than two years fails: 2024-03-16 → 23 full months.
    assert one(emp, EXPERIENCE, as_of=dt.date(2026, 3, 14))["status"] == "failed"


def test_experience_fails_when_too_short(emp):
    F.mentor(emp, since=dt.date(2025, 3, 15))
    r = one(emp, EXPERIENCE)
    assert r["status"] == "failed"
    assert r["evidence"]["years"] == "1.0"


def test_draft_and_cancelled_plans_are_not_experience(world, emp):
    m = F.mentor(emp, since=dt.date(2026, 1, 1))
    F.plan(m, world.emp(world.outsider), F.template(), dt.date(2022, 1, 1), status="cancelled")
    assert one(emp, EXPERIENCE)["evidence"]["since"] == "2026-01-01"


# ---------------------------------------------------------------- successful mentees


SUCCESS = {"key": "successful_mentees", "params": {"count": 2, "growth_min_pct": "20"}}


def _mentee(n: int, world):
    return EmployeeFactory(org_unit=world.sales, employee_number=f"MT-{n}", name=f"学员{n}", name_en=f"Mentee {n}")


def test_successful_mentees_pass_with_two_mentees_up_by_twenty_percent(world, emp):
    m = F.mentor(emp)
    tpl = F.template()
    a, b = _mentee(1, world), _mentee(2, world)
    F.plan(m, a, tpl, dt.date(2024, 4, 1), status="completed")
    F.plan(m, b, tpl, dt.date(2024, 4, 1), status="completed")
    # Before: 2024-Q1 (the last complete quarter before 1 Apr). After: the latest complete quarter
    # as of 15 Mar 2026 (2025-Q4) — it ends after 1 Oct 2024 (start + 6 months).
    F.rate(a, "2024-Q1", "3.5")
    F.rate(a, "2025-Q4", "4.2")  # (4.2 − 3.5) / 3.5 = +20.0 % ✓
    F.rate(b, "2024-Q1", "3.0")
    F.rate(b, "2025-Q3", "4.0")  # 2025-Q4 unrated: the latest rated qualifying quarter, +33.3 % ✓
    r = one(emp, SUCCESS)
    assert r["status"] == "passed", r
    assert r["evidence"]["successful"] == 2
    rows = {m["employee_number"]: m for m in r["evidence"]["mentees"]}
    assert rows["MT-1"]["growth_pct"] == "20.0" and rows["MT-1"]["before_key"] == "2024-Q1"
    assert rows["MT-1"]["after_key"] == "2025-Q4"
    assert rows["MT-2"]["growth_pct"] == "33.3" and rows["MT-2"]["after_key"] == "2025-Q3"


def test_successful_mentees_fail_when_growth_is_short(world, emp):
    m = F.mentor(emp)
    tpl = F.template()
    a, b = _mentee(1, world), _mentee(2, world)
    for mentee, after in ((a, "4.1"), (b, "4.3")):
        F.plan(m, mentee, tpl, dt.date(2024, 4, 1), status="completed")
        F.rate(mentee, "2024-Q1", "3.5")
        F.rate(mentee, "2025-Q4", after)
    # a: (4.1 − 3.5)/3.5 = 17.1 % ✗; b: 22.9 % ✓ → 1 of 2
    r = one(emp, SUCCESS)
    assert r["status"] == "failed"
    assert r["evidence"]["successful"] == 1


def test_successful_mentees_have_no_data_without_mentees_or_with_unrated_ones(world, emp):
    assert one(emp, SUCCESS)["status"] == "no_data"
    m = F.mentor(emp)
    tpl = F.template()
    a, b = _mentee(1, world), _mentee(2, world)
    F.plan(m, a, tpl, dt.date(2024, 4, 1), status="completed")
    F.plan(m, b, tpl, dt.date(2024, 4, 1), status="completed")
    F.rate(a, "2024-Q1", "3.5")
    F.rate(a, "2025-Q4", "4.2")  # a succeeded; b has no ratings: the result could still go either way
    r = one(emp, SUCCESS)
    assert r["status"] == "no_data"
    assert [x["ok"] for x in r["evidence"]["mentees"]] == [True, None]


def test_a_plan_younger_than_six_months_has_no_after_quarter(world, emp):
    m = F.mentor(emp)
    a = _mentee(1, world)
    F.plan(m, a, F.template(), dt.date(2025, 11, 1))
    F.rate(a, "2025-Q3", "3.0")
    F.rate(a, "2025-Q4", "4.5")  # ends 1 Jan 2026 < 1 May 2026: too early to count
    assert one(emp, SUCCESS)["evidence"]["mentees"][0]["growth_pct"] is None


# ---------------------------------------------------------------- certification


CERT = {"key": "certification", "params": {"course": "mentor-skills", "min_score": "60"}}


def test_certification_passes_with_a_recorded_certificate(emp):
    MentorCertification.objects.create(employee=emp, name="导师技能课程", passed_on=dt.date(2025, 5, 1))
    r = one(emp, CERT)
    assert r["status"] == "passed"
    assert r["evidence"]["certifications"][0]["passed_on"] == "2025-05-01"


def test_certification_passes_with_a_skill_assessment_score_at_the_threshold(emp):
    SkillAssessment.objects.create(employee=emp, skill="mentor-skills", score=D("60"), assessed_on=dt.date(2025, 9, 1))
    assert one(emp, CERT)["status"] == "passed"


def test_certification_fails_below_the_threshold(emp):
    SkillAssessment.objects.create(employee=emp, skill="mentor-skills", score=D("59.5"),
                                   assessed_on=dt.date(2025, 9, 1))
    MentorCertification.objects.create(employee=emp, name="导师技能课程", passed_on=dt.date(2025, 5, 1), score=D(40))
    r = one(emp, CERT)
    assert r["status"] == "failed"
    assert r["evidence"]["assessments"][0]["score"] == "59.50"


def test_certification_has_no_data_without_an_exam(emp):
    SkillAssessment.objects.create(employee=emp, skill="python", score=D("99"), assessed_on=dt.date(2025, 9, 1))
    assert one(emp, CERT)["status"] == "no_data"


# ---------------------------------------------------------------- tenure and level


def test_tenure_passes_and_fails(world, emp):
    # Hired 2019-05-06 (persona world): 6 years 10 full months on 2026-03-15.
    r = one(emp, {"key": "tenure_years", "params": {"years": 2}})
    assert (r["status"], r["evidence"]["years"]) == ("passed", "6.8")
    assert one(emp, {"key": "tenure_years", "params": {"years": 7}})["status"] == "failed"


def test_tenure_has_no_data_for_someone_not_hired_yet(world):
    newcomer = EmployeeFactory(org_unit=world.platform, hire_date=dt.date(2026, 4, 1))
    assert one(newcomer, {"key": "tenure_years", "params": {"years": 1}})["status"] == "no_data"


def test_level_passes_and_fails(world):
    mentor_emp = world.emp(world.mentor)  # level 7
    assert one(mentor_emp, {"key": "level_min", "params": {"level": 7}})["status"] == "passed"
    r = one(mentor_emp, {"key": "level_min", "params": {"level": 8}})
    assert (r["status"], r["evidence"]) == ("failed", {"required": 8, "level": 7})


# ---------------------------------------------------------------- policy


def test_policy_versions_and_validation(world):
    hr = F.actor(world, "hr")
    p1 = Q.mentor_policy_create(actor=hr, criteria=[{"key": "level_min", "params": {"level": "5"}}])
    p2 = Q.mentor_policy_create(actor=hr, criteria=[{"key": "annual_rating_min"}], allow_management_chain=True)
    assert (p1.version, p2.version) == (1, 2)
    assert p1.criteria == [{"key": "level_min", "params": {"level": 5}}]
    assert p2.criteria == [{"key": "annual_rating_min", "params": {"min": "4.5", "years": 3}}]  # defaults filled
    assert Q.current_policy() == p2
    with pytest.raises(InvalidInput) as exc:
        Q.mentor_policy_create(actor=hr, criteria=[{"key": "annual_rating_min", "params": {"min": "6"}},
                                                   {"key": "shoe_size"}])
    assert set(exc.value.errors) == {"criteria.0.params.min", "criteria.1.key"}
    with pytest.raises(PermissionDenied):
        Q.mentor_policy_create(actor=F.actor(world, "manager"), criteria=[{"key": "level_min"}])
    assert AuditEntry.objects.filter(entity_type="mentoring.mentorpolicy").count() == 2


# ---------------------------------------------------------------- applications


@pytest.fixture
def qualified(world, emp):
    """``employee`` meets a two-criterion policy: rated ≥ 4.5 in 2023–2025 and level ≥ 3."""
    Q.mentor_policy_create(actor=F.actor(world, "hr"), criteria=[RATING, {"key": "level_min", "params": {"level": 3}}])
    for year in ("2023", "2024", "2025"):
        F.rate(emp, year, "4.6")
    return emp


def test_an_application_is_screened_at_once_and_keeps_its_policy_version(world, qualified):
    app = Q.mentor_application_submit(actor=F.actor(world, "employee"), motivation="想带新人",
                                      expertise="Python, 代码评审，Python", as_of=AS_OF)
    assert app.status == "submitted" and app.qualifies
    assert [(r["key"], r["status"]) for r in app.screening] == [("annual_rating_min", "passed"),
                                                                ("level_min", "passed")]
    assert app.expertise == ["Python", "代码评审"]
    Q.mentor_policy_create(actor=F.actor(world, "hr"), criteria=[{"key": "level_min", "params": {"level": 9}}])
    app.refresh_from_db()
    assert app.policy_version == 1
    with pytest.raises(Conflict):
        Q.mentor_application_submit(actor=F.actor(world, "employee"))


def test_hr_approves_and_the_person_becomes_a_mentor_with_the_role(world, qualified):
    app = Q.mentor_application_submit(actor=F.actor(world, "employee"), expertise=["Go"], as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        Q.mentor_application_approve(actor=F.actor(world, "manager"), application=app)
    with pytest.raises(PermissionDenied):
        Q.mentor_application_approve(actor=F.actor(world, "employee"), application=app)
    mentor = Q.mentor_application_approve(actor=F.actor(world, "hr"), application=app)
    assert (mentor.capacity, mentor.active, mentor.expertise) == (3, True, ["Go"])
    assert RoleAssignment.objects.filter(user=world.employee, role="mentor").exists()
    assert AuditEntry.objects.filter(entity_type="accounts.roleassignment", action="create").exists()
    assert AuditEntry.objects.filter(entity_type="mentoring.mentorapplication", summary__contains="approved").exists()
    assert Notification.objects.filter(recipient=qualified, kind="application_decided").exists()
    with pytest.raises(Conflict):
        Q.mentor_application_reject(actor=F.actor(world, "hr"), application=app, reason="late")


def test_approving_someone_who_does_not_qualify_needs_a_reason(world, emp):
    Q.mentor_policy_create(actor=F.actor(world, "hr"), criteria=[RATING])
    app = Q.mentor_application_submit(actor=F.actor(world, "employee"), as_of=AS_OF)
    assert not app.qualifies and app.screening[0]["status"] == "no_data"
    with pytest.raises(InvalidInput) as exc:
        Q.mentor_application_approve(actor=F.actor(world, "hr"), application=app)
    assert "reason" in exc.value.errors
    Q.mentor_application_approve(actor=F.actor(world, "hr"), application=app, reason="新入职，外部导师经验丰富")
    assert Mentor.objects.filter(employee=emp, active=True).exists()


def test_reject_needs_a_reason(world, qualified):
    app = Q.mentor_application_submit(actor=F.actor(world, "employee"), as_of=AS_OF)
    with pytest.raises(InvalidInput):
        Q.mentor_application_reject(actor=F.actor(world, "hr"), application=app, reason=" ")
    Q.mentor_application_reject(actor=F.actor(world, "hr"), application=app, reason="名额已满")
    app.refresh_from_db()
    assert (app.status, app.reason) == ("rejected", "名额已满")
    assert not Mentor.objects.filter(employee=qualified).exists()


def test_who_qualifies_now_and_invitations(world, qualified):
    hr = F.actor(world, "hr")
    from talentloop.mentoring import selectors

    _policy, rows = selectors.qualified_list(hr, as_of=AS_OF)
    assert [r.employee.pk for r in rows] == [qualified.pk]
    created = Q.mentor_invite(actor=hr, employees=[qualified], message="欢迎", as_of=AS_OF)
    assert len(created) == 1 and MentorInvitation.objects.count() == 1
    assert Notification.objects.filter(recipient=qualified, kind="mentoring_invitation").count() == 1
    with pytest.raises(InvalidInput):  # invited already
        Q.mentor_invite(actor=hr, employees=[qualified], as_of=AS_OF)
    with pytest.raises(InvalidInput) as exc:  # does not qualify
        Q.mentor_invite(actor=hr, employees=[world.emp(world.outsider)], as_of=AS_OF)
    assert exc.value.extra["rejected"][0]["employee"] == world.emp(world.outsider).pk
    app = Q.mentor_application_submit(actor=F.actor(world, "employee"), as_of=AS_OF)
    assert app.invitation == created[0]


def test_screening_is_set_based(world):
    """The number of queries does not grow with the number of people screened."""
    pol = F.policy()
    tpl = F.template()

    def people(n):
        out = []
        for i in range(n):
            e = EmployeeFactory(org_unit=world.platform)
            m = F.mentor(e)
            F.plan(m, _mentee(1000 * n + i, world), tpl, dt.date(2024, 4, 1), status="completed")
            SkillAssessment.objects.create(employee=e, skill="mentor-skills", score=70, assessed_on=dt.date(2025, 1, 1))
            out.append(e)
        return out

    small, large = people(2), people(12)
    with CaptureQueriesContext(connection) as q_small:
        Q.screen_employees(pol, small, as_of=AS_OF)
    with CaptureQueriesContext(connection) as q_large:
        Q.screen_employees(pol, large, as_of=AS_OF)
    assert len(q_small) == len(q_large) <= 10


def test_api_application_answers_per_criterion(world, api_client_for, qualified):
    c = api_client_for("employee")
    r = c.post("/api/v1/mentoring/applications", {"motivation": "x", "expertise": ["Go"]},
               content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    # Screened as of today: the rating years depend on the date, the level does not.
    assert [s["key"] for s in body["screening"]] == ["annual_rating_min", "level_min"]
    assert body["screening"][1]["status"] == "passed"
    assert {s["status"] for s in body["screening"]} <= {"passed", "failed", "no_data"}
    assert set(body["screening"][0]) == {"key", "status", "evidence"}
    hr = api_client_for("hr")
    r = hr.post(f"/api/v1/mentoring/applications/{body['id']}/approve", {"reason": "ok"},
                content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert api_client_for("outsider").get(f"/api/v1/mentoring/applications/{body['id']}").status_code == 404
    assert MentorApplication.objects.get(pk=body["id"]).decided_by == world.hr


def test_apply_page_shows_the_screening(world, client_for, qualified):
    c = client_for("employee")
    r = c.get("/mentoring/apply/")
    assert r.status_code == 200
    assert b'data-criterion="annual_rating_min"' in r.content
    r = c.post("/mentoring/apply/", {"motivation": "带新人", "expertise": "Go"})
    assert r.status_code == 302
    app = MentorApplication.objects.get()
    r = c.get(f"/mentoring/apply/{app.pk}/")
    assert r.status_code == 200 and b'data-testid="screening"' in r.content
