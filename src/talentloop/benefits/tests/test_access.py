"""The persona matrix of the benefits pages and endpoints (rows in ``matrix_rows``, which the
project-wide matrix also collects), plus the access scopes themselves."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from talentloop.benefits import access
from talentloop.benefits.models import Enrolment
from talentloop.benefits.tests import matrix_rows
from talentloop.benefits.tests.scene import build_scene
from talentloop.core.access import actor_for
from talentloop.testing.matrix import Row

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "employee", "manager", "mentor", "hr", "admin", "outsider")


def _fill(value, keys):
    if isinstance(value, dict):
        return {k: _fill(v, keys) for k, v in value.items()}
    if isinstance(value, str):
        return value.format(**keys)
    return value


def _client(world, persona: str, api: bool) -> Client:
    if persona == "anonymous":
        return Client()
    user = getattr(world, persona)
    if not api:
        client = Client()
        client.force_login(user)
        return client
    from talentloop.accounts.services import api_token_create

    _token, secret = api_token_create(actor=actor_for(user), user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _run(world, row: Row, api: bool) -> None:
    keys = matrix_rows.keys(world)
    problems, got = [], {}
    for persona, expected in zip(PERSONAS, row.expected, strict=True):
        with transaction.atomic():
            client = _client(world, persona, api)
            url = _fill(row.url, keys)
            method = getattr(client, row.method.lower())
            if row.body is None:
                response = method(url)
            elif api:
                response = method(url, _fill(row.body, keys), content_type="application/json")
            else:
                response = method(url, _fill(row.body, keys))
            transaction.set_rollback(True)
        got[persona] = response.status_code
        if response.status_code != expected:
            problems.append(f"{persona}: expected {expected}, got {response.status_code}")
        elif api and expected >= 400 and set(response.json()) != {"detail", "errors"}:
            problems.append(f"{persona}: error body {response.json()}")
    assert not problems, f"{row.id}: " + "; ".join(problems) + f" (all: {got})"


@pytest.mark.parametrize("row", matrix_rows.WEB, ids=lambda r: r.id)
def test_web_page_access(world, row):
    _run(world, row, api=False)


@pytest.mark.parametrize("row", matrix_rows.API, ids=lambda r: r.id)
def test_api_operation_access(world, row):
    _run(world, row, api=True)


def _routes(resolver=None, prefix: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def test_every_benefits_page_and_operation_has_a_row():
    from talentloop.config.api import api

    pages = {r for r in _routes() if r.startswith("benefits/")}
    assert pages == {row.route for row in matrix_rows.WEB}
    operations = {
        (method.upper(), path)
        for path, ops in api.get_openapi_schema()["paths"].items()
        if path.startswith("/api/v1/benefits/")
        for method in ops
    }
    rows = {(row.method, re.sub(r"\{(\w+)\}", r"{\1}", row.route)) for row in matrix_rows.API}
    assert operations == rows


# ------------------------------------------------------------------------------------------------ scopes


def test_managers_see_no_enrolment_of_their_people(world):
    scene = build_scene(world)
    employee = world.emp(world.employee)
    row = Enrolment.objects.create(employee=employee, plan=scene.meal, start_month=dt.date(2026, 1, 1))
    visible = {p: set(access.visible_enrolments(actor_for(getattr(world, p)))) for p in PERSONAS[1:]}
    assert visible == {
        "employee": {row},
        "manager": set(),
        "mentor": set(),
        "hr": {row},
        "admin": {row},
        "outsider": set(),
    }


def test_hr_sees_the_enrolments_of_their_units_only(world):
    from talentloop.accounts.models import RoleAssignment
    from talentloop.testing.factories import grant

    scene = build_scene(world)
    RoleAssignment.objects.filter(user=world.hr, role="hr").delete()
    grant(world.hr, "hr", org_unit=world.sales)
    start = dt.date(2026, 1, 1)
    mine = Enrolment.objects.create(employee=world.emp(world.employee), plan=scene.meal, start_month=start)
    theirs = Enrolment.objects.create(employee=world.emp(world.outsider), plan=scene.meal, start_month=start)
    own = Enrolment.objects.create(employee=world.emp(world.hr), plan=scene.meal, start_month=start)
    actor = actor_for(world.hr)
    assert set(access.visible_enrolments(actor)) == {theirs, own}
    assert mine not in set(access.visible_enrolments(actor))
    assert set(access.enrolment_subjects(actor)) == {world.emp(world.outsider)}


def test_payroll_sees_every_enrolment_and_manages_plans(world):
    from talentloop.testing.factories import UserFactory, grant

    scene = build_scene(world)
    row = Enrolment.objects.create(employee=world.emp(world.employee), plan=scene.meal, start_month=dt.date(2026, 1, 1))
    user = UserFactory(username="payroll")
    grant(user, "payroll")
    actor = actor_for(user)
    assert access.can_manage_plans(actor)
    assert set(access.visible_enrolments(actor)) == {row}
    assert set(access.visible_plans(actor)) == {scene.meal, scene.annuity, scene.health, scene.transport}


def test_people_see_active_plans_only(world):
    scene = build_scene(world)
    type(scene.meal).objects.filter(pk=scene.meal.pk).update(active=False)
    assert scene.meal not in set(access.visible_plans(actor_for(world.employee)))
    assert scene.meal in set(access.visible_plans(actor_for(world.hr)))
    assert not access.visible_plans(actor_for(None)).exists()


def test_scopes_of_people_without_rights(world):
    from talentloop.organisation.models import Employee
    from talentloop.testing.factories import UserFactory

    anonymous = actor_for(None)
    assert not access.visible_enrolments(anonymous).exists()
    assert not access.enrolment_subjects(anonymous).exists()
    assert not access.enrolment_subjects(actor_for(world.manager)).exists()
    assert access.enrolment_subjects(actor_for(world.hr)).count() == Employee.objects.count()
    no_record = actor_for(UserFactory(username="no-record"))  # signed in, no employee record, no role
    assert not access.visible_plans(no_record).exists()
    assert not access.can_use_benefits(no_record)
