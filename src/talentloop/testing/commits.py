"""Test helper: what a commit would run, inside a test's transaction."""

from __future__ import annotations

from django.db import connection


def commit_callbacks() -> None:
    """Run what the test's transaction would run on commit (on_commit callbacks registered so far)."""
    callbacks, connection.run_on_commit[:] = list(connection.run_on_commit), []
    for _savepoints, func, _robust in callbacks:
        func()
