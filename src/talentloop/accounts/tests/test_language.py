"""The language a person reads messages sent outside the app in: remembered when they switch, taken
from the browser at sign-in until they do, readable and changeable through the API."""

from __future__ import annotations

import pytest
from django.test import Client

from talentloop.accounts import services
from talentloop.core.errors import InvalidInput

pytestmark = pytest.mark.django_db
PASSWORD = "talentloop-Passw0rd!"


def test_switching_language_in_the_app_remembers_it(world, client_for):
    client = client_for("employee")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/more/"})
    assert response.status_code == 302 and response["Location"] == "/more/"
    world.employee.refresh_from_db()
    assert world.employee.language == "en"
    assert client.get("/more/").content.decode().count('lang="en"') == 1  # the page follows at once
    client.post("/i18n/setlang/", {"language": "xx", "next": "/more/"})  # not offered: nothing changes
    world.employee.refresh_from_db()
    assert world.employee.language == "en"


def test_anonymous_switch_changes_only_the_page_language(world):
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302


def test_sign_in_takes_the_browsers_language_until_one_is_chosen(world):
    world.employee.set_password(PASSWORD)
    world.employee.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    world.employee.refresh_from_db()
    assert world.employee.language == "en"
    services.user_language_set(user=world.employee, language="zh-hans")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    world.employee.refresh_from_db()
    assert world.employee.language == "zh-hans"  # a choice is not overridden by a browser


def test_an_unknown_language_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        services.user_language_set(user=world.employee, language="fr")
    assert "language" in exc.value.errors
    assert services.user_language_set(user=world.employee, language="en") is True
    assert services.user_language_set(user=world.employee, language="en") is False


def test_the_api_reads_and_changes_it(world, api_client_for):
    client = api_client_for("employee")
    assert client.get("/api/v1/me").json()["language"] == ""
    response = client.patch("/api/v1/me", {"language": "en"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["language"] == "en"
    bad = client.patch("/api/v1/me", {"language": "fr"}, content_type="application/json")
    assert bad.status_code == 422
    world.employee.refresh_from_db()
    assert world.employee.language == "en"
