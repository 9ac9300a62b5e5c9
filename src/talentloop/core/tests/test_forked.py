"""core.forked: a computation in a forked copy gives its value back, a failing one gives None, one no
longer wanted is stopped, and the setting turns the whole thing off."""

from __future__ import annotations

import os
import time

import pytest
from django.test import override_settings

from talentloop.core import forked

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def test_the_value_computed_in_the_copy_comes_back():
    parent = os.getpid()
    copy = forked.Forked(lambda: {"pid": os.getpid(), "rows": [(1, "a"), (2, "b")]})
    out = copy.result()
    assert out["rows"] == [(1, "a"), (2, "b")] and out["pid"] != parent
    assert copy.result() is None  # once taken, there is nothing more to take


def test_a_copy_that_fails_gives_none():
    def failing():
        raise ValueError("bad")

    assert forked.Forked(failing).result() is None


def test_a_copy_no_longer_wanted_is_stopped():
    copy = forked.Forked(lambda: time.sleep(60))
    started = time.monotonic()
    copy.abandon()
    assert time.monotonic() - started < 10 and copy.result() is None
    copy.abandon()  # harmless twice


def test_the_setting_turns_it_off():
    with override_settings(FORK_COMPUTE=False):
        assert not forked.available()
    with override_settings(FORK_COMPUTE=True):
        assert forked.available() == ((os.cpu_count() or 1) > 1)
