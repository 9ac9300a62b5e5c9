"""Every model the home page reads is either registered with the shared cache (core.cache: a write
makes what is kept from it rebuilt) or read afresh on every page for a stated reason; what a kept
value is built from is registered under a name that value depends on (otherwise a write would leave
it stale); and what the reader's own sections are built from renews the reader's version when written
(core.cache.register_personal), is configuration, or is another person's name kept for a bounded
window (home.selectors.base.PERSON_KEPT)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from talentloop.core import cache
from talentloop.home.selectors import base as home_base
from talentloop.home.tests.factories import build_home_world
from talentloop.testing.commits import commit_callbacks

pytestmark = pytest.mark.django_db

PERSONAL = "the reader's own data or their people's, written every day: read on every page within the " \
           "section's query budget (tests/test_home_query_counts.py)"
REQUEST = "the signed-in request itself (session, account, roles)"
# Models the home page reads on every page, never kept, and why.
UNCACHED = {
    "sessions.session": REQUEST,
    "accounts.user": REQUEST,
    "accounts.roleassignment": REQUEST,
    "organisation.employee": PERSONAL,
    "organisation.employmentevent": PERSONAL,
    "organisation.orgunit": PERSONAL + "; the greeting's unit name",
    "organisation.jobfamily": PERSONAL + "; the greeting's job family name",
    "organisation.position": PERSONAL + "; the greeting's position name",
    "performance.score": PERSONAL,
    "performance.finalrating": PERSONAL,
    "performance.feedback": PERSONAL,
    "performance.alert": PERSONAL,
    "performance.alertrule": PERSONAL + "; an alert's rule is shown with the alert",
    "performance.rootcausereview": PERSONAL,
    "performance.workresult": PERSONAL,
    "performance.observation": PERSONAL,
    "mentoring.mentor": PERSONAL,
    "mentoring.mentoringplan": PERSONAL,
    "mentoring.planitem": PERSONAL,
    "mentoring.plantopic": PERSONAL,
    "mentoring.programmetemplate": PERSONAL + "; a plan's programme name",
    "mentoring.sessionrecord": PERSONAL,
    "mentoring.skillassessment": PERSONAL,
    "mentoring.mentorapplication": PERSONAL,
    "mentoring.mentorcertification": PERSONAL,
    "onboarding.checklist": PERSONAL,
    "onboarding.checkliststep": PERSONAL,
    "onboarding.checklisttemplate": PERSONAL + "; a checklist's template name",
    "learning.behaviourevent": PERSONAL,
    "learning.contentcompletion": PERSONAL,
    "learning.dismissal": PERSONAL,
    "learning.trainingsession": PERSONAL,
    "learning.sessionattendance": PERSONAL,
    "learning.trainingsignup": PERSONAL,
    "attendance.clockevent": PERSONAL + "; the day's punches",
    "attendance.worksite": PERSONAL + "; the site of each of the day's punches, joined to them",
    "leave.leaverequest": PERSONAL + "; the day's approved leave",
    "careers.levelhistory": PERSONAL,
    "notifications.notification": PERSONAL,
}

# Read by the reader's own sections without renewing the reader's version: who the other person is.
OTHERS = {
    "organisation.employee": "a mentor's, mentee's or feedback giver's name beside the reader's data",
    "accounts.user": "a mentor's account, for their e-mail",
    "mentoring.programmetemplate": "a plan's programme name",
    "onboarding.checklisttemplate": "a checklist's template name",
    "organisation.jobfamily": "the greeting's job family name",
    "organisation.position": "the greeting's position name",
}

_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?', re.IGNORECASE)


def _models_of(sql_list: list[str]) -> set[str]:
    by_table = {m._meta.db_table: m._meta.label_lower for m in apps.get_models(include_auto_created=True)}
    return {by_table[t] for sql in sql_list for t in _TABLE.findall(sql) if t in by_table}


@contextmanager
def _recording(monkeypatch):
    """Every statement of the page, and those run while a kept value is built (with its names)."""
    page: list[str] = []
    builds: list[tuple[tuple[str, ...], list[str]]] = []
    building: list[list[str]] = []

    def execute(execute, sql, params, many, context):
        page.append(sql)
        for statements in building:
            statements.append(sql)
        return execute(sql, params, many, context)

    def recorded(real, label):
        """``real`` with the statements it runs recorded under the names ``label`` gives its arguments."""
        def wrapper(first, second):
            statements: list[str] = []
            building.append(statements)
            try:
                return real(first, second)
            finally:
                building[:] = [b for b in building if b is not statements]  # by identity: nested builds
                builds.append((label(first, second), statements))
        return wrapper

    build = recorded(cache._build, lambda _fn, names: names)
    build_own = recorded(home_base.build_for_reader, lambda key, _fn: (f"own:{key}",))
    monkeypatch.setattr(cache, "_build", build)
    monkeypatch.setattr(home_base, "build_for_reader", build_own)
    with connection.execute_wrapper(execute):
        yield page, builds


@pytest.mark.parametrize("persona", ["newgrad", "employee", "mentor", "manager", "hr"])
def test_every_model_the_home_page_reads_is_registered_or_read_afresh(world, persona, monkeypatch):
    home = build_home_world(world)
    user = home.newgrad_user if persona == "newgrad" else getattr(world, persona)
    commit_callbacks()
    cache.reset()  # cold: every kept value is built
    client = Client()
    client.force_login(user)
    with _recording(monkeypatch) as (page, builds):
        assert client.get("/").status_code == 200
    assert builds, "the page keeps its configuration in the cache"
    own = [(names[0], statements) for names, statements in builds if names[0].startswith("own:")]
    assert own, "the page keeps the reader's own sections"
    for names, statements in builds:
        if names[0].startswith("own:"):
            continue
        for label in _models_of(statements):
            model = apps.get_model(label)
            assert cache.registered_names(model) & set(names), (
                f"{label} is read to build a value kept under {names} but is not registered under any of them")
    for name, statements in own:
        for label in _models_of(statements):
            model = apps.get_model(label)
            assert cache.is_personal(model) or cache.registered_names(model) or label in OTHERS, (
                f"{label} is read to build the reader's own section {name}: register it with "
                "core.cache.register_personal (a write renews the people it concerns) or as configuration")
    unaccounted = {label for label in _models_of(page)
                   if not cache.registered_names(apps.get_model(label)) and label not in UNCACHED}
    assert not unaccounted, f"register these models with core.cache, or list why they are read afresh: {unaccounted}"
