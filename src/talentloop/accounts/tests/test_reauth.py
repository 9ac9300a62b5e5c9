"""Fresh re-authentication: the page and its session proof, the API's signed re-auth token, five
minutes measured on a frozen clock that the tests move (fresh, 4:59, 5:01), a wrong password answered
and counted by the sign-in throttle, and a token that is not the caller's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client, RequestFactory

from talentloop.accounts import reauth
from talentloop.accounts.services import api_token_create
from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
PAGE = "/accounts/reauth/"
API = "/api/v1/auth/reauth"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _protected(request):
    return HttpResponse("secret")


protected = reauth.fresh_auth_required(_protected)


def _get(client: Client, path: str = "/payroll/payslips/1/"):
    """Call the guarded view with the client's session (the guard reads only the session)."""
    request = RequestFactory().get(path)
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import get_user

    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    request.user = get_user(request)
    return protected(request)


def _token(world, persona: str = "employee", scope: str = "write") -> str:
    user = getattr(world, persona)
    _row, secret = api_token_create(actor=actor_for(user), user=user, scope=scope)
    return secret


# ---------------------------------------------------------------- the page


def test_the_page_asks_the_password_and_sends_back_where_the_person_was(world, client_for, clock):
    client = client_for("employee")
    first = _get(client)
    assert first.status_code == 302
    assert first["Location"] == "/accounts/reauth/?next=%2Fpayroll%2Fpayslips%2F1%2F"
    page = client.get(PAGE, {"next": "/payroll/payslips/1/"})
    assert page.status_code == 200 and b'data-testid="reauth"' in page.content
    assert page["Cache-Control"] == "no-store"
    done = client.post(PAGE, {"password": PASSWORD, "next": "/payroll/payslips/1/"})
    assert done.status_code == 302 and done["Location"] == "/payroll/payslips/1/"
    assert _get(client).status_code == 200
    assert AuditEntry.objects.filter(action="login", summary="reauth: password").count() == 1


def test_the_proof_lasts_five_minutes(world, client_for, clock):
    client = client_for("employee")
    client.post(PAGE, {"password": PASSWORD})
    clock.shift(dt.timedelta(minutes=4, seconds=59))
    assert _get(client).status_code == 200
    clock.shift(dt.timedelta(seconds=2))  # 5:01
    response = _get(client)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauth/")


def test_an_htmx_request_is_redirected_whole(world, client_for, clock):
    client = client_for("employee")
    request = RequestFactory().get("/payroll/payslips/1/", HTTP_HX_REQUEST="true")
    request.htmx = True
    request.user = world.employee
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    response = protected(request)
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/reauth/?next=")
    assert client  # the fixture signs nobody else in


def test_next_to_another_site_is_ignored(world, client_for, clock):
    client = client_for("employee")
    done = client.post(PAGE, {"password": PASSWORD, "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == "/"
    page = client.get(PAGE, {"next": "//evil.example/x"})
    assert page.context["next"] == "" and b'name="next" value=""' in page.content


def test_a_wrong_password_is_refused_and_counted_like_a_sign_in(world, client_for, clock, settings):
    client = client_for("employee")
    wrong = client.post(PAGE, {"password": "nope"})
    assert wrong.status_code == 200 and "password" in wrong.context["form"].errors
    assert _get(client).status_code == 302
    assert AuditEntry.objects.filter(action="login_failed", summary="reauth").count() == 1
    for _i in range(settings.LOGIN_THROTTLE["LOCK_AFTER"] - 1):
        client.post(PAGE, {"password": "nope"})
    locked = client.post(PAGE, {"password": PASSWORD})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert _get(client).status_code == 302
    # the lock is the sign-in one: the same account from the same address cannot sign in either
    assert Client().post("/accounts/login/", {"username": "employee", "password": PASSWORD}).status_code == 429


def test_the_page_needs_a_signed_in_person(world, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_unknown_method_falls_back_to_the_password(world, client_for, clock):
    page = client_for("employee").get(PAGE, {"method": "sms"})
    assert page.status_code == 200 and page.context["method"].key == "password"


def test_a_registered_method_is_offered_and_used(world, client_for, clock):
    from django import forms

    class CodeForm(forms.Form):
        code = forms.CharField()

    def verify(request, user, data):
        if data.get("code") != "123456":
            raise reauth.InvalidInput("wrong", {"code": ["wrong"]})

    reauth.register(reauth.ReauthMethod(key="test-otp", label="One-time code", form=CodeForm, verify=verify))
    try:
        client = client_for("employee")
        page = client.get(PAGE)
        assert b"method=test-otp" in page.content
        assert client.post(PAGE, {"method": "test-otp", "code": "000000"}).status_code == 200
        assert _get(client).status_code == 302
        assert client.post(PAGE, {"method": "test-otp", "code": "123456"}).status_code == 302
        assert _get(client).status_code == 200
    finally:
        reauth._METHODS.pop("test-otp")


# ---------------------------------------------------------------- the API


class _Request:
    """What require_fresh_api reads: the header, the user and the API token."""

    def __init__(self, user, api_token, header: str = ""):
        self.user, self.api_token = user, api_token
        self.headers = {reauth.HEADER: header} if header else {}


def _ask(world, secret: str, password: str = PASSWORD):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}").post(
        API, {"password": password}, content_type="application/json"
    )


def _api_token_row(secret: str):
    from talentloop.accounts.services import api_token_authenticate

    return api_token_authenticate(secret)


def test_the_api_answers_a_token_good_for_five_minutes(world, clock):
    secret = _token(world)
    response = _ask(world, secret)
    assert response.status_code == 200
    body = response.json()
    assert body["header"] == "X-Reauth-Token"
    assert body["expires_at"].startswith("2026-11-02T09:05:00")
    row = _api_token_row(secret)
    reauth.require_fresh_api(_Request(world.employee, row, body["reauth_token"]))
    clock.shift(dt.timedelta(minutes=4, seconds=59))
    reauth.require_fresh_api(_Request(world.employee, row, body["reauth_token"]))
    clock.shift(dt.timedelta(seconds=2))
    with pytest.raises(reauth.ReauthRequired) as stale:
        reauth.require_fresh_api(_Request(world.employee, row, body["reauth_token"]))
    assert stale.value.extra["code"] == "reauth_expired" and stale.value.status == 403


def test_no_header_or_a_forged_one_is_refused_with_its_code(world, clock):
    row = _api_token_row(_token(world))
    with pytest.raises(reauth.ReauthRequired) as missing:
        reauth.require_fresh_api(_Request(world.employee, row))
    assert missing.value.extra["code"] == "reauth_required"
    with pytest.raises(reauth.ReauthRequired) as forged:
        reauth.require_fresh_api(_Request(world.employee, row, "abc:def"))
    assert forged.value.extra["code"] == "reauth_invalid"


def test_a_token_is_bound_to_its_user_and_its_api_token(world, clock):
    mine = _token(world)
    body = _ask(world, mine).json()
    other_user = _api_token_row(_token(world, "outsider"))
    with pytest.raises(reauth.ReauthRequired) as theirs:
        reauth.require_fresh_api(_Request(world.outsider, other_user, body["reauth_token"]))
    assert theirs.value.extra["code"] == "reauth_invalid"
    # the same person's other API token (another device) needs its own confirmation
    second = _api_token_row(_token(world))
    with pytest.raises(reauth.ReauthRequired):
        reauth.require_fresh_api(_Request(world.employee, second, body["reauth_token"]))


def test_the_api_refuses_a_wrong_password_and_throttles(world, clock, settings):
    secret = _token(world)
    wrong = _ask(world, secret, "nope")
    assert wrong.status_code == 422 and "password" in wrong.json()["errors"]
    for _i in range(settings.LOGIN_THROTTLE["LOCK_AFTER"] - 1):
        _ask(world, secret, "nope")
    locked = _ask(world, secret)
    assert locked.status_code == 429 and "Retry-After" in locked


def test_a_read_only_token_may_confirm(world, clock):
    assert _ask(world, _token(world, scope="read")).status_code == 200


def test_the_api_needs_a_token(world, clock):
    assert Client().post(API, {"password": PASSWORD}, content_type="application/json").status_code == 401
    assert _ask(world, "tl_not-a-token").status_code == 401


def test_an_unknown_method_is_a_field_error(world, clock):
    response = Client(HTTP_AUTHORIZATION=f"Bearer {_token(world)}").post(
        API, {"method": "sms", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 422 and "method" in response.json()["errors"]
