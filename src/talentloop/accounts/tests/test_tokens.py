"""API tokens: stored hashed, expiring, scoped read/write, revocable by owner and admin only."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from talentloop.accounts.models import ApiToken
from talentloop.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_tokens_are_stored_as_sha256_and_the_secret_never(world, actor_of):
    token, secret = api_token_create(actor=actor_of("employee"), user=world.employee, name="phone")
    assert secret.startswith("tl_") and len(secret) > 40
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert len(row["key_hash"]) == 64
    assert all(secret not in str(value) for value in row.values())
    assert row["prefix"] == secret[:10]  # a short public prefix to tell tokens apart
    # 30 days by default (settings.API_TOKEN_DEFAULT_DAYS)
    assert abs((token.expires_at - timezone.now()) - dt.timedelta(days=30)) < dt.timedelta(minutes=1)


def test_api_token_endpoint_and_bearer_use(world):
    r = Client().post("/api/v1/auth/token", {"username": "employee", "password": PASSWORD, "scope": "read"},
                      content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"token", "expires_at", "scope"} and body["scope"] == "read"
    me = _bearer(body["token"]).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == "employee"
    token = ApiToken.objects.get(key_hash=hashlib.sha256(body["token"].encode()).hexdigest())
    assert token.last_used_at is not None


def test_wrong_credentials_get_401(world):
    for body in ({"username": "employee", "password": "wrong"}, {"username": "nobody", "password": "x"}):
        r = Client().post("/api/v1/auth/token", body, content_type="application/json")
        assert r.status_code == 401
        assert r.json() == {"detail": "Wrong username or password.", "errors": {}}
    r = Client().post("/api/v1/auth/token", {"username": "", "password": ""}, content_type="application/json")
    assert r.status_code == 422 and set(r.json()["errors"]) == {"username", "password"}


@pytest.mark.parametrize("header", ["Bearer tl_not-a-token", "Bearer ", "Basic abc", "Token x"])
def test_bad_or_missing_tokens_are_401(world, header):
    r = Client(HTTP_AUTHORIZATION=header).get("/api/v1/me")
    assert r.status_code == 401
    assert r.json() == {"detail": "Authentication required.", "errors": {}}


def test_expired_and_revoked_tokens_stop_working(world, actor_of):
    token, secret = api_token_create(actor=actor_of("employee"), user=world.employee)
    assert _bearer(secret).get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api_token_authenticate(secret) is None
    assert _bearer(secret).get("/api/v1/me").status_code == 401

    token, secret = api_token_create(actor=actor_of("employee"), user=world.employee)
    api_token_revoke(actor=actor_of("employee"), token=token)
    assert _bearer(secret).get("/api/v1/me").status_code == 401


def test_tokens_of_deactivated_accounts_stop_working(world, actor_of):
    _token, secret = api_token_create(actor=actor_of("employee"), user=world.employee)
    world.employee.is_active = False
    world.employee.save()
    assert _bearer(secret).get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("method, path, body", [
    ("post", "/api/v1/employees", {"employee_number": "X1", "name": "x", "hire_date": "2024-01-01",
                                   "org_unit_id": 1, "job_family_id": 1}),
    ("patch", "/api/v1/employees/{employee}", {"phone": "1"}),
    ("delete", "/api/v1/auth/tokens/{token}", None),
    ("post", "/api/v1/employees/{employee}/events", {"kind": "leave", "effective_date": "2024-01-01"}),
    ("post", "/api/v1/org-units", {"code": "x", "name": "x"}),
])
def test_read_only_tokens_may_only_read(world, actor_of, method, path, body):
    token, secret = api_token_create(actor=actor_of("hr"), user=world.hr, scope="read")
    c = _bearer(secret)
    assert c.get("/api/v1/employees").status_code == 200
    url = path.format(employee=world.emp(world.employee).pk, token=token.pk)
    kwargs = {"content_type": "application/json"} if body is not None else {}
    r = getattr(c, method)(url, body, **kwargs) if body is not None else getattr(c, method)(url)
    assert r.status_code == 403
    assert r.json() == {"detail": "This token is read-only.", "errors": {}}
    token.refresh_from_db()
    assert token.revoked_at is None
    assert world.emp(world.employee).phone == ""


def test_owner_and_admin_revoke_others_get_404(world, actor_of, api_client_for):
    token, secret = api_token_create(actor=actor_of("employee"), user=world.employee, name="laptop")
    for persona in ["outsider", "hr", "manager"]:
        r = api_client_for(persona).delete(f"/api/v1/auth/tokens/{token.pk}")
        assert r.status_code == 404, persona
        with pytest.raises(PermissionDenied):
            api_token_revoke(actor=actor_of(persona), token=token)
    token.refresh_from_db()
    assert token.revoked_at is None

    r = api_client_for("employee").delete(f"/api/v1/auth/tokens/{token.pk}")
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    assert _bearer(secret).get("/api/v1/me").status_code == 401

    token2, _secret2 = api_token_create(actor=actor_of("employee"), user=world.employee)
    r = api_client_for("admin").delete(f"/api/v1/auth/tokens/{token2.pk}")
    assert r.status_code == 200 and r.json()["username"] == "employee"


def test_owner_lists_own_tokens_admin_lists_all(world, actor_of, api_client_for):
    api_token_create(actor=actor_of("employee"), user=world.employee, name="laptop")
    api_token_create(actor=actor_of("outsider"), user=world.outsider, name="car")
    names = {t["name"] for t in api_client_for("employee").get("/api/v1/auth/tokens").json()["items"]}
    # the client's own token is named "" by the fixture
    assert names == {"laptop", ""}
    usernames = {t["username"] for t in api_client_for("admin").get("/api/v1/auth/tokens").json()["items"]}
    assert {"employee", "outsider", "admin"} <= usernames
    assert all("key_hash" not in t for t in api_client_for("admin").get("/api/v1/auth/tokens").json()["items"])


def test_token_rules(world, actor_of):
    with pytest.raises(PermissionDenied):
        api_token_create(actor=actor_of("hr"), user=world.employee)
    token, _ = api_token_create(actor=actor_of("admin"), user=world.employee)  # an admin may
    assert token.user == world.employee
    with pytest.raises(InvalidInput):
        api_token_create(actor=actor_of("employee"), user=world.employee, scope="admin")
    with pytest.raises(InvalidInput):
        api_token_create(actor=actor_of("employee"), user=world.employee, days=366)
    token, _ = api_token_create(actor=actor_of("employee"), user=world.employee, days=365)
    assert (token.expires_at - timezone.now()).days == 364  # 365 days minus the seconds elapsed


def test_token_page_shows_the_secret_once(world, client_for):
    c = client_for("employee")
    r = c.post("/accounts/tokens/", {"name": "cli", "scope": "read", "days": 7})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    secret = r.context["new_secret"]
    assert secret and secret in r.content.decode()
    again = c.get("/accounts/tokens/")
    assert secret not in again.content.decode()
    token = ApiToken.objects.get(name="cli")
    assert token.scope == "read"
    assert c.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    other, _ = api_token_create(actor=_actor(world.outsider), user=world.outsider)
    assert c.post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404


def _actor(user):
    from talentloop.core.access import actor_for

    return actor_for(user)
