"""Shared fixtures: the persona world, clients signed in as each persona, and the CI vendor check."""

from __future__ import annotations

import os

import pytest


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say which database this run used (CI runs the suite once per engine and checks this line)."""
    from django.db import connection

    terminalreporter.write_line(f"DATABASE VENDOR: {connection.vendor}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Nothing kept in the cache (core.cache) outlives a test: a rolled-back test never commits, so
    what it kept and the names it wrote would otherwise reach the next one."""
    from django.core.cache import cache as shared

    from talentloop.core import cache
    from talentloop.performance.services.recompute import DRAIN_QUEUED_KEY

    cache.reset()
    # A drain that a test queued but never ran (its job mocked) would keep later tests from queueing one.
    shared.delete(DRAIN_QUEUED_KEY)
    yield
    cache.reset()
    shared.delete(DRAIN_QUEUED_KEY)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request handled in the test's thread leaves the
    language it activated (the reader's) active, which would otherwise reach the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def pytest_report_header(config):
    return [f"talentloop settings: {os.environ.get('DJANGO_SETTINGS_MODULE', 'talentloop.config.settings.test')}"]


@pytest.fixture(scope="session", autouse=True)
def _database_vendor(django_db_setup, django_db_blocker):
    """Print the database vendor of this run and fail when CI expected another one."""
    from django.db import connection

    vendor = connection.vendor
    print(f"\nDATABASE VENDOR: {vendor}")
    expected = os.environ.get("TALENTLOOP_EXPECT_VENDOR")
    if expected and expected != vendor:
        pytest.exit(f"expected database vendor {expected!r} but the tests ran on {vendor!r}", returncode=3)


@pytest.fixture
def world(db):
    from talentloop.testing.personas import build_world

    return build_world()


@pytest.fixture
def client_for(client, world):
    """``client_for('hr')`` returns a test client signed in as that persona (None: anonymous)."""
    from django.test import Client

    def make(persona: str | None):
        c = Client()
        if persona is not None:
            c.force_login(getattr(world, persona))
        return c

    return make


@pytest.fixture
def actor_of(world):
    from talentloop.core.access import actor_for

    def make(persona: str):
        return actor_for(getattr(world, persona))

    return make


@pytest.fixture
def api_client_for(world):
    """A client carrying a Bearer token for the persona (scope write unless given)."""
    from django.test import Client

    from talentloop.accounts.services import api_token_create
    from talentloop.core.access import actor_for

    def make(persona: str | None, scope: str = "write"):
        if persona is None:
            return Client()
        user = getattr(world, persona)
        _token, secret = api_token_create(actor=actor_for(user), user=user, scope=scope)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make
