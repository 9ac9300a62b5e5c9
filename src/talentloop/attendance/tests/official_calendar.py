"""The official calendar rows for tests that read them.

The rows are shipped by a data migration, so a fresh test database holds them; but a test that runs
with ``transaction=True`` empties every table when it ends, and the suite runs in random order. A test
that needs the notice's days asks for the ``official_calendar`` fixture, which puts back whatever is
missing (the migration's own function, which skips dates already present)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

MIGRATION = "talentloop.attendance.migrations.0003_calendar_official_2025_2026"


def load_official_calendar() -> None:
    importlib.import_module(MIGRATION).forwards(apps, None)


@pytest.fixture
def official_calendar(db):
    load_official_calendar()
