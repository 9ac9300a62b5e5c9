"""Sessions: the idle timeout beside the absolute lifetime (30 minutes for HR and administrators,
8 hours for everyone else, configurable), what an expired session answers, and
``Cache-Control: no-store`` on personal pages and API answers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from talentloop.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _after(clock, client, minutes: float, path: str = "/me/", **extra):
    clock.shift(dt.timedelta(minutes=minutes))
    return client.get(path, **extra)


@pytest.mark.parametrize(
    "persona, limit", [("employee", 8 * 60), ("manager", 8 * 60), ("mentor", 8 * 60), ("hr", 30), ("admin", 30)]
)
def test_a_session_idle_longer_than_its_limit_ends(world, client_for, clock, persona, limit):
    c = client_for(persona)
    assert c.get("/").status_code == 200
    # Activity keeps the session: requests just inside the limit, twice over.
    assert _after(clock, c, limit - 1, path="/").status_code == 200
    assert _after(clock, c, limit - 1, path="/").status_code == 200
    r = _after(clock, c, limit + 1, path="/notifications/?page=2")
    assert r.status_code == 302
    assert r["Location"] == "/accounts/login/?next=%2Fnotifications%2F%3Fpage%3D2"
    assert r["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in c.session
    # Signed out for good: the next request is anonymous.
    assert c.get("/").status_code == 302


def test_the_login_page_says_why(world, client_for, clock):
    c = client_for("hr")
    c.get("/")
    r = _after(clock, c, 31, path="/", follow=True)
    assert r.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "You were signed out after 30 minutes without activity." in r.content.decode()


def test_an_employee_is_not_signed_out_at_the_privileged_limit(world, client_for, clock):
    c = client_for("employee")
    c.get("/")
    assert _after(clock, c, 45).status_code == 200


def test_the_limits_are_configurable(world, client_for, clock, settings):
    settings.SESSION_IDLE_MINUTES = 10
    settings.SESSION_IDLE_MINUTES_PRIVILEGED = 5
    employee, hr = client_for("employee"), client_for("hr")
    employee.get("/")
    hr.get("/")
    clock.shift(dt.timedelta(minutes=6))
    assert employee.get("/me/").status_code == 200
    assert hr.get("/me/").status_code == 302
    assert _after(clock, employee, 11).status_code == 302


def test_htmx_requests_are_sent_to_the_login_page(world, client_for, clock):
    c = client_for("hr")
    c.get("/")
    r = _after(clock, c, 31, path="/notifications/", HTTP_HX_REQUEST="true")
    assert r.status_code == 204
    assert r["HX-Redirect"] == "/accounts/login/"


def test_an_api_call_with_an_expired_session_answers_401_json(world, client_for, api_client_for, clock):
    c = client_for("hr")
    c.get("/")
    r = _after(clock, c, 31, path="/api/v1/me")
    assert r.status_code == 401
    assert r.json() == {"detail": "You were signed out after 30 minutes without activity.", "errors": {}}
    # A bearer token is not a session: no idle timeout.
    api = api_client_for("hr")
    assert _after(clock, api, 120, path="/api/v1/me").status_code == 200


def test_a_sign_in_through_the_page_starts_the_clock(world, clock):
    c = Client()
    assert c.post("/accounts/login/", {"username": "hr", "password": PASSWORD}).status_code == 302
    assert _after(clock, c, 29).status_code == 200
    assert _after(clock, c, 31).status_code == 302


def test_the_absolute_lifetime_still_bounds_an_active_session(world, client_for, clock, settings):
    settings.SESSION_COOKIE_AGE = 3 * 3600
    c = client_for("employee")
    # Active every hour for three hours ...
    for _ in range(3):
        assert _after(clock, c, 60).status_code == 200
    # ... and still signed out three hours after signing in.
    r = _after(clock, c, 1, follow=True)
    assert r.redirect_chain[0] == ("/accounts/login/?next=%2Fme%2F", 302)
    assert "Your session has ended. Please sign in again." in r.content.decode()


# ---------------------------------------------------------------- Cache-Control: no-store


def test_personal_pages_and_api_answers_are_not_stored(world, client_for, api_client_for):
    c = client_for("employee")
    for path in ("/", "/me/", "/notifications/"):
        assert "no-store" in c.get(path)["Cache-Control"], path
    assert "no-store" in api_client_for("employee").get("/api/v1/me")["Cache-Control"]
    assert "no-store" in Client().get("/api/v1/me")["Cache-Control"]  # a 401 too
    assert (
        "no-store"
        in Client().post("/api/v1/auth/token", {"username": "x", "password": "y"}, content_type="application/json")[
            "Cache-Control"
        ]
    )


def test_the_service_worker_manifest_and_offline_page_keep_their_caching(world, client_for):
    c = client_for("employee")
    for path in ("/sw.js", "/manifest.webmanifest", "/offline/"):
        r = c.get(path)
        assert r.status_code == 200, path
        assert "no-store" not in r.get("Cache-Control", ""), path


def test_the_sign_in_page_asks_the_browser_to_drop_the_offline_copy(world):
    page = Client().get("/accounts/login/").content.decode()
    assert "data-clear-offline" in page
