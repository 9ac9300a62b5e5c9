"""Issue 5: an employee submits a customer feedback record from the phone (390×844), the manager
confirms it in their queue, and the employee's score for the month changes on the performance page.

Huey runs immediately in the test settings, so the confirmation's recompute happens on commit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _setup(world):
    """A scorecard of one dimension, customer satisfaction (average, target 4); this month the
    employee has one score of 3 (→ 75); confirmed customer feedback goes to that metric."""
    from talentloop.core.access import actor_for
    from talentloop.performance import periods as P
    from talentloop.performance.models import Aggregation
    from talentloop.performance.services.config import metric_save, scorecard_save
    from talentloop.performance.services.observations import observations_ingest
    from talentloop.performance.services.results import work_result_settings_update
    from talentloop.performance.services.scores import recompute_period

    hr = actor_for(world.hr)
    today = timezone.localdate()
    csat = metric_save(actor=hr, data={"key": "csat", "name": "客户满意度", "name_en": "Customer satisfaction",
                                       "aggregation": Aggregation.AVG, "unit": "分"})
    scorecard_save(actor=hr, name="软件工程师", name_en="Software engineer", job_family=world.engineering,
                   valid_from=dt.date(today.year, 1, 1),
                   dimensions=[{"key": "customer", "name": "客户反馈", "name_en": "Customer feedback", "weight": 100,
                                "metrics": [{"metric": csat, "weight": 100, "target": 4}]}])
    emp = world.emp(world.employee)
    observations_ingest(actor=hr, items=[{
        "employee_id": emp.pk, "metric": "csat", "value": 3, "source": "crm", "external_id": "crm-1",
        "occurred_at": dt.datetime.combine(today, dt.time(1), tzinfo=dt.UTC).isoformat()}])
    recompute_period(P.containing(today), [emp.pk])
    work_result_settings_update(actor=hr, values={"customer_feedback": {"trusted": False, "metric": csat}})


def _no_overflow(page, width: int = 390):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide on a {width}px screen"


def test_customer_feedback_from_the_phone_moves_the_score(world, new_page, sign_in, shot):
    from talentloop.performance import periods as P
    from talentloop.performance.models import Observation, Score

    _setup(world)
    employee = new_page("phone")
    sign_in(employee, "employee")
    employee.goto("/performance/")
    before = employee.get_by_test_id("current-total")
    expect(before).to_have_text("75")
    shot(employee, "01-score-before")

    # Submit the customer's feedback: three kinds as segmented tabs, customer feedback first.
    employee.goto("/performance/results/new/")
    expect(employee.get_by_test_id("kind-customer_feedback")).to_have_attribute("aria-current", "page")
    _no_overflow(employee)
    employee.get_by_test_id("submit-result").click()  # nothing filled in: field errors, nothing saved
    expect(employee.locator(".field.has-error").first).to_be_visible()
    expect(employee.get_by_text("This field is required.").first).to_be_visible()
    employee.locator("#id_customer").fill("华东电网")
    employee.get_by_test_id("score-choice").get_by_role("radio", name="5").check()
    employee.get_by_label("What the customer said").fill("问题一次解决，非常满意。")
    target = employee.get_by_test_id("submit-result").bounding_box()
    assert target is not None and target["height"] >= 44
    shot(employee, "02-submit-form")
    with employee.expect_navigation():
        employee.get_by_test_id("submit-result").click()
    expect(employee.get_by_text("Your manager has been asked to confirm it.")).to_be_visible()
    expect(employee.get_by_test_id("result-status")).to_have_text("Waiting for confirmation")
    _no_overflow(employee)
    shot(employee, "03-submitted")
    assert not Observation.objects.filter(source="work-result").exists()

    # The manager (above the employee's lead) confirms it from their queue, in place (htmx).
    manager = new_page("phone")
    sign_in(manager, "manager")
    manager.goto("/performance/results/confirm/")
    card = manager.get_by_test_id("result-card").filter(has_text="华东电网")
    expect(card).to_contain_text("Employee")
    expect(card).to_contain_text("score 5/5")
    _no_overflow(manager)
    shot(manager, "04-queue")
    card.get_by_test_id("confirm").click()
    expect(manager.get_by_test_id("result-status")).to_have_text("Confirmed")
    expect(manager.get_by_text("The result was confirmed.")).to_be_visible()
    shot(manager, "05-confirmed")

    # The employee's score moved: the average of 3 and 5 is 4, the target → 100.
    emp = world.emp(world.employee)
    assert Score.objects.get(employee=emp, period_key=P.containing(timezone.localdate()).key).total == Decimal(100)
    employee.goto("/performance/")
    expect(employee.get_by_test_id("current-total")).to_have_text("100")
    shot(employee, "06-score-after")
    employee.goto("/performance/results/")
    expect(employee.get_by_test_id("result-status").first).to_have_text("Confirmed")
    _no_overflow(employee)
    shot(employee, "07-my-results")


def _a11y():
    """The shared scan of tests/e2e/test_accessibility.py (axe-core, 44 px targets, 16 px text)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent / "test_accessibility.py"
    spec = importlib.util.spec_from_file_location("results_a11y", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_result_pages_pass_the_accessibility_scan(world, new_page, sign_in):
    """Every work result page on the phone, including the error state of the form and a project
    report with its attachment, as the persona that uses it."""
    from axe_playwright_python.sync_playwright import Axe
    from django.core.files.uploadedfile import SimpleUploadedFile

    from talentloop.core.access import actor_for
    from talentloop.performance.services.results import work_result_submit

    _setup(world)
    report = work_result_submit(actor=actor_for(world.employee), kind="project_report",
                                occurred_on=timezone.localdate(), title="支付网关迁移", text="按期上线。",
                                files=[SimpleUploadedFile("photo.jpg", b"\xff\xd8jpeg", "image/jpeg")])
    scan, axe = _a11y()._scan, Axe().axe_script
    problems: list[str] = []
    pages = {
        "employee": ["/performance/results/new/?kind=customer_feedback",
                     "/performance/results/new/?kind=project_report",
                     "/performance/results/new/?kind=skill_test", "/performance/results/",
                     f"/performance/results/{report.pk}/"],
        "manager": ["/performance/results/confirm/", f"/performance/results/{report.pk}/",
                    f"/performance/results/person/{report.employee_id}/"],
        "hr": ["/performance/results/settings/"],
    }
    for persona, urls in pages.items():
        page = new_page("phone")
        sign_in(page, persona)
        for url in urls:
            page.goto(url)
            problems += [f"{persona} {url}: {p}" for p in scan(page, axe)]
            _no_overflow(page)
        if persona == "employee":
            page.goto("/performance/results/new/?kind=skill_test")
            page.get_by_test_id("submit-result").click()
            expect(page.locator(".field.has-error").first).to_be_visible()
            problems += [f"employee (form errors): {p}" for p in scan(page, axe)]
    # Known problems of shared files this area does not own (reported to the lead): the language
    # picker of base.html and the error list of components/field.html (role="alert" on the <ul>).
    shared = ("lang-select", "listitem: <li> elements must be contained")
    assert not [p for p in problems if not any(s in p for s in shared)], "\n".join(problems)
