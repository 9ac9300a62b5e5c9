"""Error answers: the API answers JSON for every error (405, 500, a database that is down), the web
answers the product's pages in the reader's language."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db


def _quiet(client: Client) -> Client:
    """Answer as in production: an exception becomes the error handler's answer, not a test failure."""
    client.raise_request_exception = False
    return client


def _json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"detail", "errors"} and body["detail"]
    return body


def _database_down():
    return mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("could not connect to server"))


# ---------------------------------------------------------------- API


def test_a_wrong_method_is_a_json_405_with_allow(api_client_for):
    r = api_client_for("hr").put("/api/v1/me", {}, content_type="application/json")
    _json_error(r, 405)
    assert "GET" in r["Allow"]


def test_an_unknown_api_path_is_a_json_404(client):
    _json_error(client.get("/api/v1/no-such-thing"), 404)


def test_a_database_that_is_down_is_a_json_503_for_a_token(api_client_for):
    c = _quiet(api_client_for("hr"))
    with _database_down():
        r = c.get("/api/v1/me")
    _json_error(r, 503)
    assert r["Retry-After"]


def test_a_database_that_is_down_is_a_json_503_for_a_session(client_for):
    c = _quiet(client_for("hr"))
    with _database_down():
        r = c.get("/api/v1/employees")
    _json_error(r, 503)


def test_an_unexpected_error_in_an_operation_is_a_json_500(api_client_for):
    c = _quiet(api_client_for("hr"))
    with mock.patch("talentloop.accounts.api._me", side_effect=RuntimeError("boom")):
        r = c.get("/api/v1/me")
    body = _json_error(r, 500)
    assert "boom" not in body["detail"]


@override_settings(DEBUG=True)
def test_even_with_debug_on_the_api_never_answers_html(api_client_for):
    c = _quiet(api_client_for("hr"))
    with mock.patch("talentloop.accounts.api._me", side_effect=RuntimeError("boom")):
        r = c.get("/api/v1/me")
    _json_error(r, 500)


def test_an_error_of_a_layer_below_the_api_is_json(client):
    """A handler outside ninja (here handler500 itself, called by Django) answers JSON under /api/."""
    from talentloop.config.errors import server_error

    request = RequestFactory().get("/api/v1/me")
    try:
        raise OperationalError("down")
    except OperationalError:
        r = server_error(request)
    _json_error(r, 503)


# ---------------------------------------------------------------- web pages


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_404_page_is_the_product_page_in_the_readers_language(client_for, language):
    c = client_for("employee")
    r = c.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert r.status_code == 404
    html = r.content.decode()
    assert 'class="sidebar"' in html or 'class="tabbar"' in html  # the base layout with its navigation
    if language == "en":
        assert "Not found" in html
    else:
        assert 'lang="zh-Hans"' in html


def test_the_500_page_is_friendly_and_needs_no_database(client):
    c = _quiet(client)
    with mock.patch("talentloop.core.selectors.health", side_effect=RuntimeError("boom")):
        r = c.get("/healthz")
    assert r.status_code == 500
    html = r.content.decode()
    assert "boom" not in html and 'data-testid="error-page"' in html and "Something went wrong" in html


def test_the_500_page_follows_the_language(client):
    from talentloop.config.errors import server_error

    with translation.override("zh-hans"):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            r = server_error(RequestFactory().get("/"))
    assert r.status_code == 500 and 'lang="zh-Hans"' in r.content.decode()


def test_a_database_that_is_down_is_a_503_page(client_for):
    c = _quiet(client_for("hr"))
    with _database_down():
        r = c.get("/")
    assert r.status_code == 503
    assert r["Retry-After"] and "Temporarily unavailable" in r.content.decode()


def test_the_403_page_is_the_product_page(client_for, world):
    from talentloop.config.errors import permission_denied

    request = RequestFactory().get("/somewhere/")
    request.user = world.employee
    r = permission_denied(request, None)
    assert r.status_code == 403 and "Not allowed" in r.content.decode()
    request = RequestFactory().get("/api/v1/somewhere")
    _json_error(permission_denied(request, None), 403)


def test_a_refused_form_is_the_product_page_not_djangos(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.hr)
    r = c.post("/performance/webhook-sources/", {"key": "x", "name": "X"})
    assert r.status_code == 403
    html = r.content.decode()
    assert 'data-testid="error-page"' in html and "CSRF verification failed" not in html
