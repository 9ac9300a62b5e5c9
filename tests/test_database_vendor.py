"""CI runs the suite on SQLite and on PostgreSQL; this fails when a leg ran on the wrong engine."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_vendor_is_the_expected_one():
    expected = os.environ.get("TALENTLOOP_EXPECT_VENDOR")
    with connection.cursor() as cur:  # a real round trip, not only the configured engine
        cur.execute("SELECT 1")
    if expected:
        assert connection.vendor == expected, f"expected {expected}, ran on {connection.vendor}"
