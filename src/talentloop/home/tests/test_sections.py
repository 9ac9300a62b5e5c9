"""Each home section's selector, with figures worked out by hand from the scenario in factories.py,
what each role gets (and never gets), the order of urgency, the section refresh and the 1:1
recorded from the home page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import translation

from talentloop.core.access import actor_for
from talentloop.home import selectors
from talentloop.home.selectors import base, mentoring, performance, team
from talentloop.home.selectors.base import URGENT, Ctx
from talentloop.home.tests.factories import build_home_world, grow_company
from talentloop.mentoring.models import PlanItem, SessionRecord
from talentloop.mentoring.services.cadence import session_record
from talentloop.performance.models import Aggregation, Direction, ScoringRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(world):
    with translation.override("en"):
        yield build_home_world(world)


def ctx(user, home) -> Ctx:
    return Ctx(actor=actor_for(user), today=home.today)


# ---------------------------------------------------------------- the employee's own performance


def test_live_performance_shows_this_month_each_metric_and_the_trend(world, home):
    s = performance.live_performance(ctx(world.employee, home))
    # This month: total 104 → rating 1 + 4 × (104 − 40) ÷ 80 = 4.2.
    assert (s.total, s.rating, s.is_current) == (D("104.00"), D("4.2"), True)
    # Tasks 11 against 10 → 110 (met); satisfaction 4 against 4.5 → 88.89 (below).
    assert [(m.name, m.actual, m.target, m.met) for m in s.metrics] == [
        ("Tasks done", D(11), D(10), True), ("Customer satisfaction", D(4), D("4.5"), False)]
    # Six months 80, 85, —, 90, 95, 104: the gap splits the line in two. x steps (120 − 2×3) ÷ 5 = 22.8;
    # y = 32 − 3 − (v − 80) ÷ 24 × 26: 80 → 29.0, 85 → 23.6, 90 → 18.2, 95 → 12.8, 104 → 3.0.
    assert s.trend.points == ["3.0,29.0 25.8,23.6", "71.4,18.2 94.2,12.8 117.0,3.0"]
    assert s.trend.last == (117.0, 3.0)


def test_live_performance_without_a_score_says_so(world, home):
    s = performance.live_performance(ctx(world.outsider, home))
    assert s.total is None and s.metrics == [] and s.trend.points == []


def test_goals_in_plain_words(world, home):
    with translation.override("en"):
        s = performance.goals(ctx(home.newgrad_user, home))
    # Delivery 50 % × tasks 100 % = 50 %; customer 30 % × satisfaction 100 % = 30 %; teamwork 20 % is
    # all the manager's rating.
    assert s.scorecard == "Software engineer"
    assert s.sentences == [
        "“Tasks done” counts for 50% of your score; the target is 10 件 a month.",
        "“Customer satisfaction” counts for 30% of your score; the target is an average of 4.5 each month.",
        "Your manager's rating of “Teamwork” counts for 20% of your score.",
    ]


def test_goal_sentences_for_other_kinds_of_metric():
    with translation.override("en"):
        lower = performance.metric_sentence("Bugs", D("12.5"), D(2), "", direction=Direction.LOWER,
                                            aggregation=Aggregation.SUM, rule=ScoringRule.ATTAINMENT)
        binary = performance.metric_sentence("Certified", D(10), D(1), "", direction=Direction.HIGHER,
                                             aggregation=Aggregation.LAST, rule=ScoringRule.BINARY)
    assert lower == "“Bugs” counts for 12.5% of your score; keep it at or below 2 each month (fewer is better)."
    assert binary == "“Certified” counts for 10% of your score; it counts as met when you reach 1 in a month."


def test_feedback_and_alerts_are_the_persons_own(world, home):
    fb = performance.feedback(ctx(world.employee, home))
    assert [f.text for f in fb.items] == ["Thanks for pairing on the release.",
                                         "Great code review on the billing service."]
    own = performance.alerts(ctx(world.employee, home))
    assert own.alert_count == 1 and own.alerts[0].pk == home.alert.pk and not own.show_reviews
    assert performance.alerts(ctx(world.outsider, home)) is None  # nothing open for them


# ---------------------------------------------------------------- mentoring


def test_my_mentor_and_how_to_reach_them(world, home):
    s = mentoring.my_mentor(ctx(home.newgrad_user, home))
    assert (s.name, s.phone, s.email) == ("Mentor", "13800000001", "mentor@example.com")
    assert s.next_item.pk == home.overdue_item.pk


def test_mentor_entry_offers_to_become_a_mentor_only_when_qualified(world, home):
    from talentloop.mentoring.tests import programme_fixtures as F

    s = mentoring.mentor_entry(ctx(world.outsider, home), has_mentor=False)
    assert (s.has_policy, s.qualifies) == (False, False)
    F.policy([{"key": "level_min", "params": {"level": 3}}])  # outsider is level 3
    assert mentoring.mentor_entry(ctx(world.outsider, home), has_mentor=False).qualifies is True
    F.policy([{"key": "level_min", "params": {"level": 4}}])
    assert mentoring.mentor_entry(ctx(world.outsider, home), has_mentor=False).qualifies is False
    # Someone with a mentor who does not qualify has nothing to enter; a mentor is one already.
    assert mentoring.mentor_entry(ctx(world.employee, home), has_mentor=True) is None
    assert mentoring.mentor_entry(ctx(world.mentor, home), has_mentor=False) is None


def test_mentees_with_live_score_and_trend_only_own(world, home):
    grow_company(world, home, 10)  # another mentor with two mentees of their own
    s = mentoring.mentees(ctx(world.mentor, home))
    # employee 95 → 104 (+9: up); newgrad 70 → 75 (+5: up); ordered by name.
    assert [(r.name, r.total, r.trend) for r in s.rows] == [("Employee", D("104.00"), "up"),
                                                             ("Newgrad", D("75.00"), "up")]
    assert s.capacity == 3
    assert mentoring.MenteeRow(1, "x", "", "", D(80), D("79.5")).trend == "steady"
    assert mentoring.MenteeRow(1, "x", "", "", D(80), None).trend == ""


def test_mentor_due_this_week_overdue_first(world, home):
    s = mentoring.mentor_due(ctx(world.mentor, home))
    # Within 7 days: the assessment 10 days late, the 1:1 2 days late, the 1:1s in 3 and 5 days
    # (not the one in 30 days).
    assert [d.item.pk for d in s.items] == [home.late_assessment.pk, home.overdue_item.pk, home.soon_item.pk,
                                            home.employee_item.pk]
    assert [d.overdue for d in s.items] == [True, True, False, False]
    assert [d.can_record for d in s.items] == [False, True, True, True]
    assert (s.overdue, s.urgency) == (2, URGENT)


def test_mentor_stats(world, home):
    actor = actor_for(world.mentor)
    session_record(actor=actor, item=home.overdue_item, held_on=home.today - dt.timedelta(days=1),
                   duration_minutes=90)
    session_record(actor=actor, item=home.employee_item, held_on=home.today, duration_minutes=30)
    s = mentoring.mentor_stats(ctx(world.mentor, home))
    # Two sessions of 90 + 30 = 120 minutes = 2.0 h; the first done a day after its due date, the
    # second five days early; the skill assessment is ten days overdue and not done, so it counts
    # against the rate: 1 on time of 2 done + 1 overdue = 33 %.
    assert (s.active_mentees, s.sessions, s.hours, s.items_done, s.items_on_time, s.items_overdue,
            s.on_time_pct) == (2, 2, D("2.0"), 2, 1, 1, 33)


# ---------------------------------------------------------------- the manager


def test_team_glance(world, home):
    grow_company(world, home, 6)  # i % 3 == 0 report to outsider: 0 and 3; the other four to lead
    s = team.team_glance(ctx(world.manager, home))
    # Team: lead, mentor, employee, newgrad, the four newcomers under lead (i = 1, 2, 4, 5) and the
    # other mentor grow_company makes (under lead, no score) = 9.
    # This month's totals: employee 104, newgrad 75, newcomers 60 + 7i % 60 → 67, 74, 88, 95.
    # Average (104 + 75 + 67 + 74 + 88 + 95) ÷ 6 = 503 ÷ 6 = 83.8; below 100: all but employee = 5.
    assert (s.people, s.scored, s.average, s.below_count) == (9, 6, D("83.8"), 5)
    # Ratings 1 + 4 × (t − 40) ÷ 80: 104 → 4.2, 75 → 2.8, 67 → 2.4, 74 → 2.7, 88 → 3.4, 95 → 3.8.
    assert [(band, count) for band, count, _w in s.distribution] == [(1, 0), (2, 1), (3, 3), (4, 2), (5, 0)]
    assert [b.total for b in s.below] == [D(67), D(74), D(75), D(88), D(95)]


def test_team_overdue_and_growth(world, home):
    s = team.team_overdue(ctx(world.manager, home))
    assert (s.count, [i.pk for i in s.items]) == (2, [home.late_assessment.pk, home.overdue_item.pk])
    g = team.team_growth(ctx(world.manager, home))
    # employee: 3.0 in the quarter before the plan, 3.6 in the latest complete quarter → +20.0 %;
    # newgrad's plan is too young to measure.
    assert (g.mentees, g.measured, g.improved, g.average_pct) == (2, 1, 1, D("20.0"))
    assert team.team_overdue(ctx(world.outsider, home)) is None


# ---------------------------------------------------------------- roles, access and order


def keys_for(user, home):
    return selectors.home_page(actor_for(user), home.today).keys


def test_each_role_gets_its_sections_and_no_others(world, home):
    employee = keys_for(world.employee, home)
    assert {"performance", "feedback", "my_mentor", "alerts"} <= set(employee)
    assert not {"team", "team_overdue", "team_growth", "mentees", "mentor_due", "mentor_stats", "hr",
                "goals", "training"} & set(employee)
    newgrad = keys_for(home.newgrad_user, home)
    assert {"goals", "my_mentor", "performance"} <= set(newgrad)
    mentor = keys_for(world.mentor, home)
    assert {"mentees", "mentor_due", "mentor_stats"} <= set(mentor)
    assert not {"team", "hr", "my_mentor", "mentor_entry"} & set(mentor)
    manager = keys_for(world.manager, home)
    assert {"team", "team_overdue", "team_growth", "alerts"} <= set(manager)
    assert not {"mentees", "hr"} & set(manager)
    assert "hr" in keys_for(world.hr, home)
    # The technical admin reads every open alert and the overview, nothing personal.
    assert keys_for(world.admin, home) == ["alerts", "hr"]


def test_most_urgent_first(world, home):
    mentor = keys_for(world.mentor, home)
    assert mentor[0] == "mentor_due"  # two items overdue
    manager = keys_for(world.manager, home)
    assert manager.index("alerts") < manager.index("team") and manager.index("team_overdue") < manager.index("team")


def test_outsider_manager_sees_no_one_else(world, home):
    # outsider gets reports from grow_company; their team section shows only them, never platform.
    grow_company(world, home, 3)
    s = team.team_glance(ctx(world.outsider, home))
    assert s.people == 1  # i = 0 reports to outsider (i = 1, 2 to lead)


def test_sparkline_of_a_flat_and_an_empty_series():
    flat = base.sparkline([("a", D(90)), ("b", D(90))])
    assert flat.points == ["3.0,16.0 117.0,16.0"]
    assert base.sparkline([("a", None)]).points == []


# ---------------------------------------------------------------- the views


def test_home_page_renders_every_section(world, home, client_for):
    response = client_for("mentor").get("/")
    html = response.content.decode()
    for key in ("mentor_due", "mentees", "mentor_stats", "performance"):
        assert f'data-testid="section-{key}"' in html
    assert "<script" not in html.split("<main", 1)[1]  # no chart code on the home page


def test_section_refresh_is_the_partial_alone(world, home, client_for):
    response = client_for("manager").get("/home/sections/team/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card home-section"')
    assert "<html" not in html


def test_record_a_session_from_home_with_htmx(world, home, client_for):
    client = client_for("mentor")
    url = f"/home/items/{home.overdue_item.pk}/record/"
    response = client.post(url, {"held_on": home.today.isoformat(), "duration_minutes": "60", "notes": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="recorded"' in response.content.decode()
    home.overdue_item.refresh_from_db()
    assert home.overdue_item.completed_on == home.today
    record = SessionRecord.objects.get(item=home.overdue_item)
    assert (record.duration_minutes, record.recorded_by_id) == (60, world.mentor.pk)
    # Done: it is no longer due, and a second save is refused as a conflict shown on the form.
    assert f"record-{home.overdue_item.pk}" not in response.content.decode()


def test_record_with_a_future_date_is_refused(world, home, client_for):
    client = client_for("mentor")
    url = f"/home/items/{home.soon_item.pk}/record/"
    future = (home.today + dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"held_on": future, "duration_minutes": "60"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "The date cannot be in the future." in response.content.decode()
    response = client.post(url, {"held_on": "", "duration_minutes": "2"})
    assert response.status_code == 200 and "home/record.html" in [t.name for t in response.templates]
    assert PlanItem.objects.get(pk=home.soon_item.pk).completed_on is None


def test_record_plain_post_redirects_home(world, home, client_for):
    response = client_for("mentor").post(f"/home/items/{home.soon_item.pk}/record/",
                                         {"held_on": home.today.isoformat(), "duration_minutes": "30"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_only_a_one_to_one_of_the_mentors_own_plan(world, home, client_for):
    data = {"held_on": home.today.isoformat(), "duration_minutes": "30"}
    assert client_for("mentor").post(f"/home/items/{home.late_assessment.pk}/record/", data).status_code == 404
    assert client_for("manager").post(f"/home/items/{home.soon_item.pk}/record/", data).status_code == 404
    assert client_for("hr").post(f"/home/items/{home.soon_item.pk}/record/", data).status_code == 404


# ---------------------------------------------------------------- the apps built alongside


def test_onboarding_training_recommendations_and_promotion(world, home):
    from talentloop.home.selectors import apps

    newgrad = ctx(home.newgrad_user, home)
    onboarding = apps.onboarding(newgrad)
    # Started 30 days ago: steps due on days −2, 1, 3 and 5 are past and not done (4 overdue); the
    # 30-day check-in is due today. 0 of 5 done.
    assert (onboarding.summary.done, onboarding.summary.total, onboarding.summary.overdue) == (0, 5, 4)
    assert onboarding.urgency == URGENT
    with translation.override("en"):
        assert [t.content.label for t in apps.training(newgrad).sessions] == ["Code review workshop"]
        recs = apps.recommendations(ctx(world.employee, home))
    assert "Handling customer complaints" in [r.content.title_en for r in recs.items]
    assert all(r.reason for r in recs.items)
    promotion = apps.promotion(ctx(world.employee, home))
    assert promotion.path.next.level == 4 and promotion.total == len(promotion.path.requirements) >= 2
    assert apps.promotion(ctx(world.hr, home)) is None  # no ladder for the HR family
    # A new hire sees onboarding first of all (four steps overdue), then what is due for the mentor.
    assert "onboarding" in keys_for(home.newgrad_user, home)[:2]


def test_first_load_is_light(world, home, client_for):
    """HTML, CSS and JS of the first load, gzip-compressed, stay far under 150 KB (no chart code)."""
    import gzip
    import re

    client = client_for("manager")
    html = client.get("/").content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    assert assets and not [a for a in assets if b"echarts" in a or b"charts.js" in a]
    total = len(gzip.compress(html))
    for asset in assets:
        response = client.get(asset.decode())
        total += len(gzip.compress(b"".join(response.streaming_content) if response.streaming else response.content))
    assert total < 150 * 1024


def test_section_opened_directly_is_a_whole_page(world, home, client_for):
    response = client_for("mentor").get("/home/sections/mentees/")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and 'data-testid="section-mentees"' in html
    assert client_for("employee").get("/home/sections/mentees/").status_code == 404


def test_unread_notifications_come_first(world, home, client_for):
    from talentloop.notifications.services import items_for, notify_each

    notify_each(kind=_any_kind(), items=items_for([world.emp(world.employee).pk], {}, "/"))
    response = client_for("employee").get("/")
    page = response.context["page"]
    assert page.keys[0] == "notifications" and page.sections[0].unread == 1
    assert 'data-testid="notification"' in response.content.decode()
    assert "notifications" not in keys_for(world.mentor, home)  # nothing unread


def _any_kind() -> str:
    from talentloop.notifications import kinds

    return next(k.key for k in kinds.all_kinds() if k.personal)


def test_hr_overview_and_team_onboarding(world, home):
    from talentloop.home.selectors import hr
    from talentloop.mentoring.models import MentoringPlan, PlanStatus

    s = hr.hr_overview(ctx(world.hr, home))
    # Everyone is active: the six personas with a record (manager, lead, mentor, employee, outsider, hr)
    # plus newgrad = 7; nothing waits for HR yet.
    assert (s.headcount, s.applications, s.plans_to_approve, s.waiting) == (7, 0, 0, 0)
    MentoringPlan.objects.filter(pk=home.newgrad_plan.pk).update(status=PlanStatus.SUBMITTED)
    s = hr.hr_overview(ctx(world.hr, home))
    assert (s.plans_to_approve, s.urgency) == (1, 70)
    admin = hr.hr_overview(ctx(world.admin, home))
    assert (admin.headcount, admin.applications) == (7, None)  # the admin reads, HR decides
    assert hr.hr_overview(ctx(world.manager, home)) is None
    # newgrad (under lead, under manager) has 4 onboarding steps overdue: urgent for the manager.
    onboarding = team.team_onboarding(ctx(world.manager, home))
    assert [(r.employee.pk, r.overdue) for r in onboarding.rows] == [(home.newgrad.pk, 4)]
    assert onboarding.urgency == URGENT
    assert team.team_onboarding(ctx(world.employee, home)) is None
