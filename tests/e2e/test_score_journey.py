"""An employee opens their dashboard, a score and its explanation, and the observations behind a
metric; a manager and HR look at their dashboards; HR configures a scorecard — on a phone (390×844)
and on a desktop. Charts must draw (ECharts, loaded only on these pages, under the strict CSP) and
nothing may overflow the phone's width."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MONTHS = 6


def _months_back(n: int):
    from talentloop.performance import periods as P

    cur = P.containing(timezone.localdate())
    out = [cur]
    for _i in range(n - 1):
        out.append(out[-1].previous())
    return out[::-1]


def _history(world):
    """Six months of facts for the employee (and two teammates) on the software-engineer scorecard:
    the number of tasks rises month by month, customer satisfaction and code quality vary."""
    from talentloop.performance.models import FinalRating
    from talentloop.performance.services.observations import observations_ingest
    from talentloop.performance.services.scores import recompute_period
    from talentloop.performance.tests.test_pages import build_config
    from talentloop.testing.factories import EmployeeFactory

    hr, _m, _v = build_config(world)
    emp = world.emp(world.employee)
    lead = world.emp(world.lead)
    mates = [emp] + [EmployeeFactory(org_unit=world.platform, job_family=world.engineering, manager=lead,
                                     hire_date=dt.date(2020, 1, 1), name=f"同事{i}", name_en=f"Teammate {i}")
                     for i in range(2)]
    months = _months_back(MONTHS)
    items = []
    for m_index, month in enumerate(months):
        for p_index, person in enumerate(mates):
            tasks = 5 + m_index + (3 - 2 * p_index) * (m_index % 3)
            days = max(1, min(28, (timezone.localdate() - month.start).days + 1))
            for t in range(tasks):
                day = month.start + dt.timedelta(days=t % days)
                items.append({"employee_id": person.pk, "metric": "tasks-done", "value": 1, "source": "jira",
                              "external_id": f"{person.pk}-{month.key}-{t}",
                              "occurred_at": dt.datetime.combine(day, dt.time(9 + t % 8), tzinfo=dt.UTC).isoformat()})
            first = dt.datetime.combine(month.start, dt.time(11), tzinfo=dt.UTC)
            items += [
                {"employee_id": person.pk, "metric": "bugs", "value": 2 + (m_index + p_index) % 3, "source": "git",
                 "external_id": f"b-{person.pk}-{month.key}", "occurred_at": first.isoformat()},
                {"employee_id": person.pk, "metric": "lines", "value": 1200, "source": "git",
                 "external_id": f"l-{person.pk}-{month.key}", "occurred_at": first.isoformat()},
                {"employee_id": person.pk, "metric": "csat", "value": str(3.5 + 0.25 * ((m_index + p_index) % 4)),
                 "source": "crm", "external_id": f"c-{person.pk}-{month.key}", "occurred_at": first.isoformat()},
            ]
    observations_ingest(actor=hr, items=items)
    for month in months:
        recompute_period(month)
    FinalRating.objects.create(employee=emp, period_key=months[-3].key, rating="3.5", decided_by=world.hr)
    return months


def _no_overflow(page, width: int = 390):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide on a {width}px screen"


def _watch(page) -> list[str]:
    # Charts honour reduced motion: drawn at once, so the screenshots show them complete.
    page.emulate_media(reduced_motion="reduce")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def _chart_drawn(page, testid: str):
    chart = page.get_by_test_id(testid)
    expect(chart).to_have_class(re.compile(r"is-drawn"))
    expect(chart.locator("svg").first).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["height"] >= 150 and box["width"] > 250, box
    return chart


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_employee_opens_a_score_and_its_explanation(world, new_page, sign_in, shot, device):
    months = _history(world)
    page = new_page(device)
    problems = _watch(page)
    sign_in(page, "employee")
    page.goto("/performance/")
    expect(page.get_by_role("heading", name="My performance")).to_be_visible()
    _chart_drawn(page, "chart-trend")
    _chart_drawn(page, "chart-metrics")
    if device == "phone":
        _no_overflow(page)
    shot(page, "01-dashboard")

    # The explained score of an earlier month, through the picker.
    page.get_by_test_id("open-score").click()
    expect(page.get_by_test_id("score-title")).to_have_text("My score")
    with page.expect_navigation():
        page.select_option("#period-select", months[-3].key)
    expect(page).to_have_url(re.compile(rf"period={months[-3].key}"))
    explanation = page.get_by_test_id("score-explanation")
    expect(explanation).to_contain_text("Why is it this?")
    expect(explanation).to_contain_text("is the weighted mean of")
    expect(explanation).to_contain_text("The final rating 3.5 was decided by people")
    expect(page.get_by_test_id("score-rating")).to_contain_text("3.5")
    expect(page.get_by_test_id("computed-vs-final")).to_contain_text("Decided by people")
    expect(page.get_by_test_id("request-review")).to_be_visible()
    dimensions = page.get_by_test_id("dimension")
    expect(dimensions).to_have_count(4)
    teamwork = dimensions.filter(has_text="Teamwork")
    expect(teamwork).to_contain_text("No data")
    if device == "phone":
        _no_overflow(page)
    shot(page, "02-score")

    # The observations behind "Tasks done", newest first, loaded into the page.
    delivery = dimensions.filter(has_text="Delivery")
    delivery.get_by_test_id("open-observations").click()
    listing = delivery.get_by_test_id("observations")
    expect(listing).to_be_visible()
    expect(listing).to_contain_text("Tasks done")
    rows = listing.get_by_test_id("observation-row")
    assert rows.count() >= 5
    first, second = (rows.nth(i).locator("time").get_attribute("datetime") for i in (0, 1))
    assert first >= second
    if device == "phone":
        _no_overflow(page)
    shot(page, "03-observations")
    assert not problems, problems


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_manager_and_hr_dashboards_draw_their_charts(world, new_page, sign_in, shot, device):
    _history(world)
    page = new_page(device)
    problems = _watch(page)
    sign_in(page, "manager")
    page.goto("/performance/team/")
    expect(page.get_by_role("heading", name="My team")).to_be_visible()
    _chart_drawn(page, "chart-distribution")
    _chart_drawn(page, "chart-team-trend")
    expect(page.get_by_test_id("team-scored")).to_contain_text("3")
    if device == "phone":
        _no_overflow(page)
    shot(page, "01-team")
    page.context.clear_cookies()

    page.goto("/accounts/login/")
    sign_in(page, "hr")
    page.goto("/performance/organisation/")
    _chart_drawn(page, "chart-units")
    _chart_drawn(page, "chart-metric-attainment")
    expect(page.get_by_test_id("unit-table")).to_contain_text("R&D")
    if device == "phone":
        _no_overflow(page)
    shot(page, "02-organisation")
    assert not problems, problems


def test_pages_without_charts_do_not_load_echarts(world, new_page, sign_in):
    page = new_page("phone")
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)
    sign_in(page, "hr")
    page.goto("/performance/metrics/")
    page.goto("/performance/periods/")
    assert not [s for s in scripts if "echarts" in s], scripts
    page.goto("/performance/organisation/")
    expect(page.get_by_test_id("chart-units")).to_have_class(re.compile(r"is-drawn"))
    assert [s for s in scripts if "echarts" in s]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_hr_writes_a_scorecard_and_sees_the_weights_error(world, new_page, sign_in, shot, device):
    from talentloop.performance.tests.test_pages import build_config

    build_config(world)
    page = new_page(device)
    sign_in(page, "hr")
    page.goto("/performance/scorecards/new/")
    page.fill("#id_card-name", "工厂")
    page.fill("#id_card-valid_from", "2026-12")
    page.fill("#id_d0-key", "output")
    page.fill("#id_d0-name", "产出")
    page.fill("#id_d0-weight", "60")
    page.select_option("#id_d0-m0-metric", label="Tasks done (件)")
    page.fill("#id_d0-m0-weight", "100")
    page.fill("#id_d0-m0-target", "20")
    page.get_by_test_id("add-dimension-row").click()
    expect(page.get_by_test_id("dimension-row")).to_have_count(2)
    expect(page.locator("#id_d0-key")).to_have_value("output")
    page.fill("#id_d1-key", "teamwork")
    page.fill("#id_d1-name", "团队协作")
    page.fill("#id_d1-weight", "30")
    page.locator("details", has=page.locator("#id_d1-ratings_weight")).locator("summary").click()
    page.fill("#id_d1-ratings_weight", "100")
    page.get_by_test_id("save-scorecard").click()
    expect(page.get_by_test_id("scorecard-errors")).to_contain_text(
        "The dimension weights add up to 90; they must add up to exactly 100.")
    if device == "phone":
        _no_overflow(page)
    shot(page, "01-weights-error")
    page.fill("#id_d0-weight", "70")
    page.get_by_test_id("save-scorecard").click()
    expect(page.get_by_test_id("scorecard-name")).to_have_text("工厂")
    expect(page.get_by_test_id("version")).to_contain_text("From 2026-12")
    if device == "phone":
        _no_overflow(page)
    shot(page, "02-scorecard")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_hr_uploads_observations_after_a_dry_run(world, new_page, sign_in, shot, device, tmp_path):
    from talentloop.performance.models import Observation
    from talentloop.performance.tests.test_pages import build_config

    build_config(world)
    csv = tmp_path / "observations.csv"
    csv.write_text("employee_number,metric,value,occurred_at,source,external_id\n"
                   "T-employee,tasks-done,1,2026-03-02T10:00:00+08:00,jira,PROJ-1\n"
                   "T-employee,tasks-done,1,2026-03-03T10:00:00+08:00,jira,PROJ-2\n"
                   "T-employee,tasks-done,2,2026-03-03T10:00:00+08:00,jira,PROJ-2\n"
                   "T-nobody,tasks-done,1,2026-03-04T10:00:00+08:00,jira,PROJ-3\n", encoding="utf-8")
    page = new_page(device)
    sign_in(page, "hr")
    page.goto("/performance/observations/upload/")
    page.set_input_files("#id_file", str(csv))
    page.get_by_label("Import the valid rows and skip the rejected ones").check()
    page.get_by_test_id("upload-preview").click()
    expect(page.get_by_test_id("count-accepted")).to_have_text("2 new")
    expect(page.get_by_test_id("count-correction")).to_have_text("1 correction")
    expect(page.get_by_test_id("count-rejected")).to_have_text("1 rejected")
    rejected = page.locator("[data-testid=upload-row][data-outcome=rejected]")
    expect(rejected).to_contain_text("employee_number: No such employee.")
    assert Observation.objects.count() == 0
    if device == "phone":
        _no_overflow(page)
    shot(page, "01-dry-run")
    page.get_by_test_id("upload-apply-valid").click()
    expect(page.get_by_test_id("upload-result")).to_contain_text("1 skipped")
    assert Observation.objects.filter(is_current=True).count() == 2
    shot(page, "02-done")
