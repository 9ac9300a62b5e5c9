"""The payslip pages and endpoints run a fixed number of queries whatever the number of payslips,
lines and questions (two sizes each).

A signed-in page costs 6 queries before the view (session, user, the actor's employee, roles and
reports, the bell's unread count); an API call with a token 4 (token and user, the actor's three)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.reauth import HEADER
from talentloop.payroll.models import (
    PayItem,
    PayrollLine,
    PayrollRun,
    Payslip,
    PayslipQuestion,
    RunKind,
    RunState,
    SalaryComponent,
)
from talentloop.payroll.tests.payslips_scene import build, slip_of
from talentloop.payroll.tests.scene import FROZEN, frozen_clock
from talentloop.payroll.tests.test_payslips import fresh
from talentloop.payroll.tests.test_payslips_api import confirmed

pytestmark = pytest.mark.django_db

WEB_BASE = 6
API_BASE = 4


def _more_payslips(scene, n: int) -> None:
    """``n`` more published payslips of the employee (off-cycle runs of earlier months)."""
    employee = scene.emp("employee")
    for i in range(n):
        month = dt.date(2023 + i // 12, 1 + i % 12, 1)
        run = PayrollRun.objects.create(
            pay_group=scene.group_a, month=month, kind=RunKind.OFF_CYCLE, state=RunState.LOCKED
        )
        Payslip.objects.create(run=run, employee=employee, month=month, net=Decimal("100.00"), bonus=Decimal(i % 2),
                               published_at=FROZEN)  # fmt: skip


def _more_lines(scene, slip: Payslip, n: int) -> None:
    """``n`` more components on the payslip, ``n`` one-off items, and a question on each of ``n`` lines."""
    lines = []
    for i in range(n):
        SalaryComponent.objects.create(key=f"extra{i}", name=f"补贴{i}", name_en=f"Extra {i}", order=200 + i)
        item = PayItem.objects.create(employee=slip.employee, month=slip.month, kind="earning", amount=Decimal(1),
                                      reason=f"One-off {i}")  # fmt: skip
        lines.append(PayrollLine(payslip=slip, position=100 + i, code=f"component.extra{i}", kind="earning",
                                 amount=Decimal("10.00"), explain={"key": f"extra{i}", "taxable": True}))  # fmt: skip
        lines.append(PayrollLine(payslip=slip, position=200 + i, code=f"component.item{item.pk}", kind="earning",
                                 amount=Decimal("1.00"), explain={"key": f"item{item.pk}"}))  # fmt: skip
        PayslipQuestion.objects.create(payslip=slip, line_code=f"component.extra{i}", text="?", asked_at=FROZEN)
    PayrollLine.objects.bulk_create(lines)


def _count(client: Client, url: str, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


@pytest.mark.parametrize("n", [2, 20])
def test_my_payslips_page(world, n):
    # view: count + one page of payslips with their runs = 2
    scene, _run = build(world)
    _more_payslips(scene, n)
    with frozen_clock():
        queries, response = _count(fresh(scene, "employee"), "/payroll/payslips/")
    assert queries == WEB_BASE + 2
    assert len(response.context["rows"]) == n + 1


@pytest.mark.parametrize("n", [2, 20])
def test_the_payslip_page_of_its_owner(world, n):
    # view: the payslip with run, group and person, its lines, the components' names, the one-off
    # items' reasons, the questions = 5
    scene, run = build(world)
    slip = slip_of(scene, run)
    _more_lines(scene, slip, n)
    with frozen_clock():
        queries, response = _count(fresh(scene, "employee"), f"/payroll/payslips/{slip.pk}/")
    assert queries == WEB_BASE + 5
    labels = [ln.label for s in response.context["view"].sections for ln in s.lines]
    assert f"Extra {n - 1}" in labels and f"One-off {n - 1}" in labels
    assert len(response.context["view"].questions) == n


@pytest.mark.parametrize("n", [2, 20])
def test_the_payslip_page_read_by_payroll(world, n):
    # the owner's 5, and the audit entry = 6
    scene, run = build(world)
    slip = slip_of(scene, run)
    _more_lines(scene, slip, n)
    with frozen_clock():
        queries, _response = _count(fresh(scene, "payroll_a"), f"/payroll/payslips/{slip.pk}/")
    assert queries == WEB_BASE + 6


@pytest.mark.parametrize("n", [2, 20])
def test_the_question_queue(world, n):
    # view: count + one page of questions with payslip, run, group and person = 2, the names of the
    # components they are about = 1 (one-off items' reasons only when a question is about one)
    scene, run = build(world)
    _more_lines(scene, slip_of(scene, run), n)
    with frozen_clock():
        queries, response = _count(fresh(scene, "payroll_a"), "/payroll/questions/")
    assert queries == WEB_BASE + 3
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [2, 20])
def test_the_api(world, n):
    scene, run = build(world)
    slip = slip_of(scene, run)
    _more_payslips(scene, n)
    _more_lines(scene, slip, n)
    with frozen_clock():
        client = confirmed(scene, "employee")
        token = {f"HTTP_{HEADER.upper().replace('-', '_')}": client.defaults["HTTP_X_REAUTH_TOKEN"]}
        listed, _r = _count(client, "/api/v1/payroll/payslips")
        one, _r = _count(client, f"/api/v1/payroll/payslips/{slip.pk}", **token)
    assert listed == API_BASE + 2  # count + one page
    assert one == API_BASE + 5  # as the page
