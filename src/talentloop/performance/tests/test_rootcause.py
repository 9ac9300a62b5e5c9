"""Target root cause: three misses in a row open a review that names the likely cause.

The org (the persona world plus two peer units): rnd (head: manager) has platform (head: lead;
lead, mentor, employee), infra and qa (three engineers each). Engineers have a scorecard with one
metric, tasks done (a sum, higher is better), target 10 a month — so a unit's value is tasks per
head. Checks run as of 2 July 2026: the latest complete month is June; the history is the six
months before it (May back to December 2025).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.notifications.models import Notification
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance import access
from talentloop.performance.models import (
    Aggregation,
    Observation,
    RootCauseReview,
    RootCauseSettings,
    RootCauseStatus,
    SubjectKind,
)
from talentloop.performance.services.config import metric_save, scorecard_save
from talentloop.performance.services.rootcause import (
    root_cause_decide,
    root_cause_settings_save,
    root_causes_evaluate,
)
from talentloop.testing.factories import EmployeeFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]


def put(subject, metric, value, month: str, dayno: int = 10) -> None:
    on = dt.date.fromisoformat(f"{month}-{dayno:02d}")
    field = "org_unit" if metric.subject_kind == SubjectKind.ORG_UNIT else "employee"
    Observation.objects.create(metric=metric, value=D(str(value)), occurred_on=on,
                               occurred_at=dt.datetime.combine(on, dt.time(3), tzinfo=dt.UTC), source="test",
                               external_id=f"{metric.key}-{field}-{subject.pk}-{month}-{dayno}", **{field: subject})


class Org:
    def __init__(self, world):
        self.world = world
        self.hr = actor_for(world.hr)
        OrgUnit.objects.filter(pk=world.platform.pk).update(manager=world.emp(world.lead))
        world.platform.refresh_from_db()
        self.tasks = metric_save(actor=self.hr, data={"key": "tasks-done", "name": "完成任务", "name_en": "Tasks done",
                                                      "aggregation": Aggregation.SUM})
        scorecard_save(actor=self.hr, name="工程师", job_family=world.engineering, valid_from=dt.date(2025, 1, 1),
                       dimensions=[{"key": "delivery", "name": "交付", "weight": 100,
                                    "metrics": [{"metric": self.tasks, "weight": 100, "target": 10}]}])
        self.platform = [world.emp(world.lead), world.emp(world.mentor), world.emp(world.employee)]
        self.infra_unit = OrgUnitFactory(code="infra", name="基础设施", name_en="Infra", parent=world.rnd)
        self.qa_unit = OrgUnitFactory(code="qa", name="测试", name_en="QA", parent=world.rnd)
        self.infra = [EmployeeFactory(org_unit=self.infra_unit, job_family=world.engineering) for _i in range(3)]
        self.qa = [EmployeeFactory(org_unit=self.qa_unit, job_family=world.engineering) for _i in range(3)]
        # The manager (in rnd itself) delivers at target, so rnd's own per-head figure stays fair.
        self.series(self.tasks, [world.emp(world.manager)], [10] * 8)

    def series(self, metric, people, values, months=MONTHS):
        for month, value in zip(months, values, strict=False):
            if value is None:
                continue
            for person in people:
                put(person, metric, value, month)

    def unit_metric(self, key, aggregation=Aggregation.SUM):
        return metric_save(actor=self.hr, data={"key": key, "name": key, "aggregation": aggregation,
                                                "subject_kind": SubjectKind.ORG_UNIT})

    def review(self, unit=None) -> RootCauseReview:
        return RootCauseReview.objects.get(org_unit=unit or self.world.platform, metric=self.tasks)


@pytest.fixture
def org(world):
    return Org(world)


def check(as_of: str):
    return root_causes_evaluate(actor=None, as_of=dt.date.fromisoformat(as_of))


def causes(review) -> dict:
    return {c["key"]: c for c in review.causes}


def test_three_misses_open_a_review_and_unclear_when_no_cause_holds(org, django_capture_on_commit_callbacks):
    #                 Dec Jan Feb Mar Apr May Jun Jul
    org.series(org.tasks, org.platform, [10, 10, 10, 10, 9, 9, 9, 10])
    org.series(org.tasks, org.infra + org.qa, [10] * 8)
    # As of 2 June only April and May missed: two misses open nothing.
    check("2026-06-02")
    assert not RootCauseReview.objects.filter(org_unit=org.world.platform).exists()
    # As of 2 July the third miss (June) opens the review, for the unit's head and HR.
    with django_capture_on_commit_callbacks(execute=True):
        result = check("2026-07-02")
    # platform, and the units above it: rnd and the company count (10 + 3 × 9 + 6 × 10) / 10 = 9.7 per head
    # from April; infra and qa met their target.
    assert result.opened == 3
    review = org.review()
    assert (review.first_period, review.last_period, review.periods_missed) == ("2026-04", "2026-06", 3)
    assert (review.value, review.target, review.status) == (D(9), D(10), RootCauseStatus.OPEN)
    found = causes(review)
    # target: history May…Dec 9, 9, 10, 10, 10, 10 → mean 9.67; peers 10 and 10 → median 10;
    # better 10 → threshold 1.2 × 10 = 12; 10 is not above it.
    assert found["target_too_high"]["holds"] is False
    assert found["target_too_high"]["evidence"]["threshold"] == "12.00"
    assert found["target_too_high"]["evidence"]["history_mean"] == "9.67"
    # resources: three people every month (the records), no hours or workload observations
    assert found["resources_thin"]["holds"] is False
    assert found["resources_thin"]["evidence"]["headcount"]["drop_pct"] == "0.00"
    assert found["capability_short"]["holds"] is False
    assert (review.primary_cause, review.suggested_actions) == ("unclear", ["investigate"])
    # No likely cause: never told one by one; the unit's head and HR each get one digest of the run.
    assert not Notification.objects.filter(kind="root_cause_review").exists()
    digests = Notification.objects.filter(kind="root_cause_digest")
    assert {n.recipient_id for n in digests if review.pk in n.data["reviews"]} == {
        org.world.emp(org.world.lead).pk, org.world.emp(org.world.hr).pk}
    assert RootCauseReview.objects.get(org_unit=org.world.rnd).value == D("9.7")

    # The same streak never opens a second review, on the same day or later.
    assert check("2026-07-02").opened == 0
    assert check("2026-07-20").opened == 0
    # July meets the target: the streak is over.
    assert check("2026-08-02").recovered == 3
    review.refresh_from_db()
    assert review.recovered_period == "2026-07"
    # Replaying the day that opened it does not open it again.
    assert check("2026-07-02").opened == 0
    assert RootCauseReview.objects.filter(org_unit=org.world.platform).count() == 1


def test_target_too_high(org):
    org.series(org.tasks, org.platform + org.infra + org.qa, [6] * 7)
    check("2026-07-02")
    review = org.review()
    assert review.periods_missed == 7 and review.first_period == "2025-12"
    target = causes(review)["target_too_high"]
    # history mean 6, peer median 6 → better 6 → threshold 7.2; the target 10 is above it
    # by 100 × (10 − 7.2) / 7.2 = 38.89% → strong.
    assert target["holds"] is True
    assert (target["evidence"]["better"], target["evidence"]["threshold"]) == ("6.00", "7.20")
    assert (target["margin"], target["strength"]) == ("38.89", "strong")
    assert (review.primary_cause, review.suggested_actions) == ("target_too_high", ["adjust_target"])


def test_target_too_high_when_lower_is_better(org, world):
    hr = org.hr
    bugs = metric_save(actor=hr, data={"key": "bugs", "name": "缺陷", "aggregation": Aggregation.AVG,
                                       "direction": "lower"})
    scorecard_save(actor=hr, name="平台", org_unit=world.platform, valid_from=dt.date(2025, 1, 1),
                   dimensions=[{"key": "quality", "name": "质量", "weight": 100,
                                "metrics": [{"metric": bugs, "weight": 100, "target": 2}]}])
    org.series(bugs, org.platform, [4] * 7)
    check("2026-07-02")
    review = RootCauseReview.objects.get(org_unit=world.platform, metric=bugs)
    target = causes(review)["target_too_high"]
    # no peers have the metric; history mean 4 → threshold 4 ÷ 1.2 = 3.33; the target 2 is below it
    # by 100 × (3.333… − 2) / 3.333… = 40% → strong.
    assert target["holds"] is True
    assert (target["evidence"]["threshold"], target["margin"]) == ("3.33", "40.00")


def test_resources_too_thin(org):
    #                 Dec Jan Feb Mar Apr May Jun
    org.series(org.tasks, org.platform, [10, 10, 10, 10, 8, 8, 8])
    org.series(org.tasks, org.infra + org.qa, [10] * 7)
    headcount = org.unit_metric("headcount", Aggregation.LAST)
    hours = org.unit_metric("hours")
    workload = org.unit_metric("workload")
    unit = org.world.platform
    org.series(headcount, [unit], [5, 5, 5, 5, 5, 4, 4])
    org.series(hours, [unit], [800] * 7)
    org.series(workload, [unit], [100] * 7)
    check("2026-07-02")
    review = org.review()
    found = causes(review)
    assert found["target_too_high"]["holds"] is False  # better max(9.33, 10) = 10 → 12 > 10
    res = found["resources_thin"]
    # headcount 4 against the mean of May…Dec (4 + 5 × 5) / 6 = 4.83: 17.24% lower ≥ 10% → 7.24 past
    assert res["evidence"]["headcount_source"] == "observations"
    assert (res["evidence"]["headcount"]["drop_pct"], res["evidence"]["headcount"]["holds"]) == ("17.24", True)
    assert res["evidence"]["hours"]["drop_pct"] == "0.00"
    # workload per head 100 / 4 = 25 against (25 + 20 × 5) / 6 = 20.83: 20% higher ≥ 15% → 5 past
    assert (res["evidence"]["workload_per_head"]["rise_pct"], res["evidence"]["workload_per_head"]["holds"]) == (
        "20.00", True)
    assert (res["holds"], res["margin"], res["strength"]) == (True, "7.24", "moderate")
    assert (review.primary_cause, review.suggested_actions) == ("resources_thin", ["add_resources"])


@pytest.mark.parametrize("signal", ["skills", "tenure"])
def test_capability_short(org, world, signal):
    org.series(org.tasks, org.platform, [10, 10, 10, 10, 8, 8, 8])
    org.series(org.tasks, org.infra + org.qa, [10] * 7)
    if signal == "skills":
        skill = metric_save(actor=org.hr, data={"key": "skill-assessment", "name": "技能评估",
                                                "aggregation": Aggregation.AVG})
        org.series(skill, org.platform, [None] * 5 + [60])
        org.series(skill, org.infra + org.qa, [None] * 5 + [80])
    else:
        # two of the three joined on 1 September 2025: 302 days by 30 June 2026, under a year
        Employee.objects.filter(pk__in=[world.emp(world.lead).pk, world.emp(world.mentor).pk]).update(
            hire_date=dt.date(2025, 9, 1))
    check("2026-07-02")
    review = org.review()
    cap = causes(review)["capability_short"]
    assert cap["holds"] is True
    if signal == "skills":
        # mean 60 against the peer units' 80: 25% lower ≥ 10% → 15 past → strong
        assert (cap["evidence"]["skill"]["gap_pct"], cap["margin"], cap["strength"]) == ("25.00", "15.00", "strong")
    else:
        # 2 of 3 = 66.67% ≥ 40% → 26.67 past → strong
        assert (cap["evidence"]["tenure"]["share_pct"], cap["margin"]) == ("66.67", "26.67")
    assert (review.primary_cause, review.suggested_actions) == ("capability_short", ["training"])


def test_several_causes_strongest_first(org):
    org.series(org.tasks, org.platform + org.infra + org.qa, [6] * 7)
    headcount = org.unit_metric("headcount", Aggregation.LAST)
    org.series(headcount, [org.world.platform], [5, 5, 5, 5, 5, 5, 4])  # 20% lower → 10 past → moderate
    check("2026-07-02")
    review = org.review()
    assert review.primary_cause == "target_too_high"  # strong (38.89) before moderate
    assert review.suggested_actions == ["adjust_target", "add_resources"]


def test_hr_tunes_the_rules(org):
    org.series(org.tasks, org.platform, [10, 10, 10, 10, 10, 8, 8])
    org.series(org.tasks, org.infra + org.qa, [10] * 7)
    with pytest.raises(PermissionDenied):
        root_cause_settings_save(actor=actor_for(org.world.manager), data={"consecutive_periods": 2})
    with pytest.raises(InvalidInput) as exc:
        root_cause_settings_save(actor=org.hr, data={"target_factor": D("0.5"), "skill_metric": "tasks-done",
                                                     "headcount_metric": "tasks-done"})
    assert {"target_factor", "headcount_metric"} <= set(exc.value.errors)
    assert check("2026-07-02").opened == 0
    root_cause_settings_save(actor=org.hr, data={"consecutive_periods": 2})
    assert RootCauseSettings.current().consecutive_periods == 2
    check("2026-07-02")
    assert org.review().periods_missed == 2


def test_decision_and_access(org, world):
    org.series(org.tasks, org.platform + org.infra + org.qa, [6] * 7)
    check("2026-07-02")
    review = RootCauseReview.objects.select_related("org_unit").get(org_unit=world.platform, metric=org.tasks)
    seen = {p: access.visible_root_cause_reviews(actor_for(getattr(world, p))).filter(pk=review.pk).exists()
            for p in ("employee", "lead", "manager", "mentor", "hr", "admin", "outsider")}
    # lead heads platform, manager heads rnd above it; HR and the admin see every review
    assert seen == {"employee": False, "lead": True, "manager": True, "mentor": False, "hr": True, "admin": True,
                    "outsider": False}
    for persona in ("employee", "mentor", "outsider", "admin"):
        with pytest.raises(PermissionDenied):
            root_cause_decide(actor=actor_for(getattr(world, persona)), review=review, decision="training")
    with pytest.raises(InvalidInput) as exc:
        root_cause_decide(actor=actor_for(world.lead), review=review, decision="other")
    assert "note" in exc.value.errors
    root_cause_decide(actor=actor_for(world.lead), review=review, decision="adjust_target",
                      note="Target 8 from next quarter")
    review.refresh_from_db()
    assert (review.status, review.decision, review.decided_by) == (RootCauseStatus.DECIDED, "adjust_target",
                                                                   world.lead)
    from talentloop.core.audit.models import AuditEntry

    assert AuditEntry.objects.filter(entity_type="performance.rootcausereview", entity_id=str(review.pk)).exists()


def test_the_check_is_set_based(org, world):
    """The same queries for a few and for many people and units."""
    org.series(org.tasks, org.platform + org.infra + org.qa, [6] * 7)

    def grow(n):
        for _i in range(n):
            unit = OrgUnitFactory(parent=world.rnd)
            org.series(org.tasks, [EmployeeFactory(org_unit=unit, job_family=world.engineering) for _j in range(3)],
                       [6] * 7)

    counts = []
    for n in (1, 6):
        grow(n)
        RootCauseReview.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            check("2026-07-02")
        counts.append(len([q for q in queries.captured_queries if not q["sql"].startswith("INSERT")]))
    assert counts[0] == counts[1], counts
    assert RootCauseReview.objects.filter(metric=org.tasks).count() == 3 + 7 + 2  # platform, infra, qa, 7 new; rnd,
    #                                                                               company


# ---------------------------------------------------------------- pages and endpoints


@pytest.fixture
def review(org, world):
    org.series(org.tasks, org.platform + org.infra + org.qa, [6] * 7)
    check("2026-07-02")
    return org.review()


def test_review_pages(world, client_for, review):
    lead = client_for("lead")
    listed = lead.get("/performance/root-causes/")
    assert listed.status_code == 200 and "Platform" in listed.content.decode()
    page = lead.get(f"/performance/root-causes/{review.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="cause-target_too_high"' in html and "holds · strong" in html
    assert "Adjust the target" in html and 'data-testid="decision-form"' in html
    bad = lead.post(f"/performance/root-causes/{review.pk}/decide/", {"decision": "other", "note": ""})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    ok = lead.post(f"/performance/root-causes/{review.pk}/decide/", {"decision": "training", "note": "Course"})
    assert ok.status_code == 302
    review.refresh_from_db()
    assert review.decision == "training"
    assert client_for("employee").get(f"/performance/root-causes/{review.pk}/").status_code == 404
    hr = client_for("hr")
    assert hr.get("/performance/root-causes/settings/").status_code == 200
    saved = hr.post("/performance/root-causes/settings/", {
        "is_active": "on", "period_kind": "month", "consecutive_periods": "4", "history_periods": "6",
        "target_factor": "1.3", "resource_drop_pct": "10", "workload_rise_pct": "15", "skill_gap_pct": "10",
        "new_joiner_share_pct": "40", "tenure_days": "365", "headcount_metric": "headcount", "hours_metric": "hours",
        "workload_metric": "workload", "skill_metric": "skill-assessment"})
    assert saved.status_code == 302
    assert RootCauseSettings.current().target_factor == D("1.3")
    assert client_for("manager").get("/performance/root-causes/settings/").status_code == 404


def test_review_api(world, api_client_for, review):
    lead = api_client_for("lead")
    items = lead.get("/api/v1/root-cause-reviews").json()["items"]
    assert review.pk in [i["id"] for i in items]
    one = lead.get(f"/api/v1/root-cause-reviews/{review.pk}").json()
    assert one["primary_cause"] == "target_too_high" and one["suggested_actions"] == ["adjust_target"]
    target = next(c for c in one["causes"] if c["key"] == "target_too_high")
    assert target["strength"] == "strong" and target["summary"]
    assert api_client_for("employee").get(f"/api/v1/root-cause-reviews/{review.pk}").status_code == 404
    bad = lead.post(f"/api/v1/root-cause-reviews/{review.pk}/decide", {"decision": "maybe"},
                    content_type="application/json")
    assert bad.status_code == 422
    ok = lead.post(f"/api/v1/root-cause-reviews/{review.pk}/decide", {"decision": "adjust_target", "note": "8"},
                   content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "decided"
    hr = api_client_for("hr")
    assert hr.get("/api/v1/root-cause-settings").json()["consecutive_periods"] == 3
    put = hr.put("/api/v1/root-cause-settings", {"consecutive_periods": 4}, content_type="application/json")
    assert put.status_code == 200 and put.json()["consecutive_periods"] == 4
    assert api_client_for("manager").put("/api/v1/root-cause-settings", {}, content_type="application/json"
                                         ).status_code == 403


@pytest.mark.parametrize("extra_units", [0, 8])
def test_review_list_query_count(org, world, client_for, api_client_for, extra_units):
    org.series(org.tasks, org.platform + org.infra + org.qa, [6] * 7)
    for _i in range(extra_units):
        unit = OrgUnitFactory(parent=world.rnd)
        org.series(org.tasks, [EmployeeFactory(org_unit=unit, job_family=world.engineering)], [6] * 7)
    check("2026-07-02")
    client = client_for("manager")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/performance/root-causes/")
    assert len(page.context["reviews"]) == 4 + extra_units  # platform, infra, qa, the new ones, rnd
    # the actor's headed units (for the scope) + count + one page (unit and metric joined)
    assert len(queries) == 6 + 3
    api = api_client_for("hr")
    api.get("/api/v1/root-cause-reviews")
    with CaptureQueriesContext(connection) as queries:
        assert len(api.get("/api/v1/root-cause-reviews").json()["items"]) == 5 + extra_units
    assert len(queries) == 4 + 2  # the count and one page (unit and metric joined)


# ---------------------------------------------------------------- alerts people can act on


def _notifications(recipient_pk: int) -> list:
    return list(Notification.objects.filter(recipient_id=recipient_pk).values_list("kind", flat=True))


def test_one_digest_per_recipient_and_run_and_no_unclear_review_told_alone(org, django_capture_on_commit_callbacks):
    from django.utils import translation

    from talentloop.performance.services.rootcause import notify_reviews

    org.series(org.tasks, org.platform, [10, 10, 10, 10, 9, 9, 9, 10])
    org.series(org.tasks, org.infra + org.qa, [10] * 8)
    with django_capture_on_commit_callbacks(execute=True):
        result = check("2026-07-02")
    assert result.opened == 3  # platform, rnd and the company, none with a likely cause
    hr, lead = org.world.emp(org.world.hr).pk, org.world.emp(org.world.lead).pk
    # HR covers all three units: one notice, not three; the lead one digest for platform
    hr_notices = list(Notification.objects.filter(recipient_id=hr))
    assert [(n.kind, n.data["count"], n.data["likely"], n.data["unclear"]) for n in hr_notices] == [
        ("root_cause_digest", 3, 0, 3)]
    assert hr_notices[0].link == "/performance/root-causes/?status=open"
    with translation.override("en"):
        assert hr_notices[0].message.startswith(
            "3 root-cause reviews opened (0 with a likely cause, 3 where evidence is missing): ")
    assert _notifications(hr) == ["root_cause_digest"]
    assert _notifications(lead) == ["root_cause_digest"]
    # a review with a likely cause, alone for its recipient, keeps its own notice; the others go
    # into the digest of whoever receives several
    Notification.objects.all().delete()
    RootCauseReview.objects.filter(pk=org.review().pk).update(primary_cause="target_too_high")
    notify_reviews(list(RootCauseReview.objects.values_list("pk", flat=True)))
    lead_notices = list(Notification.objects.filter(recipient_id=lead))
    assert [(n.kind, n.dedupe_key) for n in lead_notices] == [("root_cause_review", f"root-cause:{org.review().pk}")]
    assert [(n.kind, n.data["likely"], n.data["unclear"]) for n in Notification.objects.filter(
        recipient_id=hr)] == [("root_cause_digest", 1, 2)]
    # Told once: the same run again tells nobody twice.
    assert notify_reviews(list(RootCauseReview.objects.values_list("pk", flat=True))) == 0


def test_a_review_without_a_likely_cause_says_which_evidence_is_missing(org, world, client_for, api_client_for):
    from django.utils import translation

    from talentloop.performance.selectors_alerts import cause_summary, missing_evidence

    org.series(org.tasks, org.platform, [10, 10, 10, 10, 9, 9, 9, 10])
    org.series(org.tasks, org.infra + org.qa, [10] * 8)
    check("2026-07-02")
    review = org.review()
    assert review.primary_cause == "unclear"  # the stored code stays
    with translation.override("en"):
        missing = missing_evidence(review.causes)
        # headcount comes from the employee records; no hours, workload or skill assessments recorded
        assert missing == ["no hours recorded", "no workload figures", "no skill assessments in the last 12 months"]
        assert cause_summary(review) == ("Evidence missing: no hours recorded; no workload figures; no skill "
                                         "assessments in the last 12 months")
    lead = client_for("lead")
    page = lead.get(f"/performance/root-causes/{review.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="missing-evidence"' in page and "<li>no hours recorded</li>" in page
    listed = lead.get("/performance/root-causes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Evidence missing: no hours recorded" in listed and ">Unclear<" not in listed
    one = api_client_for("lead").get(f"/api/v1/root-cause-reviews/{review.pk}").json()
    assert one["primary_cause"] == "unclear" and one["missing_evidence"] and one["cause_summary"]
