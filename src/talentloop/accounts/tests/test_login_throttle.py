"""Sign-in throttling with django-axes per (account, client address), spraying from one address,
unlocking, the client address behind a trusted proxy, and the demo password.

Settings (base.py): LOCK_AFTER=10 failures within LOCK_MINUTES=15 lock the pair for 15 minutes;
an address failing for more than ADDRESS_SPRAY_USERNAMES=20 names is spraying. Time moves with
time_machine, from a fixed instant.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import Client, RequestFactory, override_settings

from talentloop.accounts import services
from talentloop.accounts.services import SPRAY_RETRY_SECONDS, Throttled
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.http import client_ip
from talentloop.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

IP_A, IP_B = "10.0.0.1", "10.0.0.2"
PROXY = "192.0.2.10"
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _fail(username: str = "employee", ip: str = IP_A) -> None:
    with pytest.raises(InvalidInput):
        services.login_attempt(username=username, password="wrong-password", ip=ip)


def _throttled(username: str = "employee", ip: str = IP_A, password: str = "wrong-password") -> Throttled:
    with pytest.raises(Throttled) as exc:
        services.login_attempt(username=username, password=password, ip=ip)
    return exc.value


def _failures(username: str = "employee", ip: str = IP_A) -> int:
    return (
        AccessAttempt.objects.filter(username=username, ip_address=ip).aggregate(n=Sum("failures_since_start"))["n"]
        or 0
    )


def _lock(username: str = "employee", ip: str = IP_A) -> Throttled:
    for _ in range(9):
        _fail(username, ip)
    # The 10th failure locks the pair at once, and says so.
    return _throttled(username, ip)


def test_ten_failures_lock_the_pair_for_fifteen_minutes(world, clock):
    for n in range(1, 10):
        _fail()
        assert _failures() == n
    exc = _throttled()
    assert _failures() == 10
    assert exc.status == 429 and exc.retry_after == 900
    assert exc.detail == (
        "Too many failed sign-in attempts. Try again in 15 minutes, or ask an administrator to unlock your account."
    )
    # Even the right password is refused, and attempts during the lock do not extend it.
    clock.shift(dt.timedelta(minutes=14))
    assert _throttled(password=PASSWORD).retry_after == 60
    assert _failures() == 10
    clock.shift(dt.timedelta(seconds=61))
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_A) == world.employee
    assert _failures() == 0  # success clears the pair


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(world, clock):
    """A colleague guessing from their machine (IP_A) cannot lock the owner out on IP_B."""
    _lock(ip=IP_A)
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_B) == world.employee
    # ... and the owner's success on IP_B does not unlock IP_A.
    assert _throttled(ip=IP_A, password=PASSWORD).retry_after == 900
    _fail(ip=IP_B)
    assert (_failures(ip=IP_A), _failures(ip=IP_B)) == (10, 1)


def test_one_address_may_fail_for_several_accounts_independently(world, clock):
    _lock("employee")
    _fail("manager")
    assert _failures("manager") == 1
    assert services.login_attempt(username="manager", password=PASSWORD, ip=IP_A) == world.manager


def test_usernames_are_counted_case_insensitively(world, clock):
    for name in ("Employee", "EMPLOYEE", " employee "):
        _fail(name)
    assert _failures("employee") == 3
    assert not AccessAttempt.objects.exclude(username="employee").exists()


def test_failures_older_than_the_window_are_forgotten(world, clock):
    for _ in range(9):
        _fail()
    clock.shift(dt.timedelta(minutes=16))
    _fail()
    assert _failures() == 1


def test_made_up_names_from_the_shared_proxy_address_lock_nobody_else_out(world, clock):
    """The incident: everyone reaches the application through one proxy address, and 50 failed
    sign-ins with made-up names used to lock the whole company out for 15 minutes."""
    for i in range(60):
        with pytest.raises((InvalidInput, Throttled)):
            services.login_attempt(username=f"nobody{i}", password="guess", ip=PROXY)
    for persona in ("employee", "manager", "hr", "admin"):
        user = getattr(world, persona)
        assert services.login_attempt(username=persona, password=PASSWORD, ip=PROXY) == user
    r = Client(REMOTE_ADDR=PROXY).post(
        "/api/v1/auth/token", {"username": "mentor", "password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 200


def test_an_address_spraying_many_names_is_slowed_without_locking_the_right_password(world, clock):
    for i in range(20):
        _fail(f"guess{i}")
    # The 21st name makes it spraying: a failure is answered 429 with Retry-After, whatever the name ...
    exc = _throttled("guess20")
    assert (exc.status, exc.retry_after) == (429, SPRAY_RETRY_SECONDS)
    assert exc.detail == (
        f"Too many failed sign-in attempts from your network. Wait {SPRAY_RETRY_SECONDS} seconds before trying again."
    )
    # ... each name gets only three tries from this address (then its pair is locked) ...
    assert _throttled("manager").retry_after == SPRAY_RETRY_SECONDS
    assert _throttled("manager").retry_after == SPRAY_RETRY_SECONDS
    assert _throttled("manager").retry_after == 900
    assert _throttled("manager", password=PASSWORD).retry_after == 900
    # ... while a person typing the right password still signs in, and other addresses are untouched.
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_A) == world.employee
    _fail("guess0", ip=IP_B)
    # The window passes and the address is an ordinary one again.
    clock.shift(dt.timedelta(minutes=16))
    _fail("guess0", ip=IP_A)


def test_admin_unlocks_an_account_on_every_address(world, actor_of, clock):
    _lock(ip=IP_A)
    _lock(ip=IP_B)
    with pytest.raises(PermissionDenied):
        services.login_unlock(actor=actor_of("hr"), user=world.employee)
    assert services.login_unlock(actor=actor_of("admin"), user=world.employee) >= 2
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_A) == world.employee
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_B) == world.employee
    assert AuditEntry.objects.filter(action="execute", summary="unlock", entity_id=str(world.employee.pk)).exists()


def test_admin_unlocks_through_the_account_page(world, client_for, clock):
    _lock()
    assert "employee" in services.locked_usernames()
    page = client_for("admin").get(f"/accounts/manage/{world.employee.pk}/")
    assert page.context["locked"] is True
    r = client_for("admin").post(f"/accounts/manage/{world.employee.pk}/unlock/")
    assert r.status_code == 302
    assert "employee" not in services.locked_usernames()
    assert client_for("admin").get(f"/accounts/manage/{world.employee.pk}/").context["locked"] is False
    assert client_for("hr").post(f"/accounts/manage/{world.employee.pk}/unlock/").status_code == 404


def test_failed_and_successful_sign_ins_are_audited_without_the_password(world, clock):
    _fail()
    services.login_attempt(username="employee", password=PASSWORD, ip=IP_A)
    entries = list(AuditEntry.objects.filter(action__in=["login", "login_failed"]).order_by("id"))
    assert [(e.action, e.ip) for e in entries] == [("login_failed", IP_A), ("login", IP_A)]
    assert all("wrong-password" not in str(e.changes) + e.summary + e.entity_label for e in entries)


def test_axes_keeps_no_password_or_code(world, clock):
    Client(REMOTE_ADDR=IP_A).post("/accounts/login/", {"username": "employee", "password": "secret-guess"})
    Client(REMOTE_ADDR=IP_A).post(
        "/accounts/reset/code/",
        {"username": "employee", "code": "ABCD-0000-1111", "new_password": "x" * 12, "new_password_again": "x" * 12},
    )
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "secret-guess" not in stored and "ABCD-0000-1111" not in stored and "x" * 12 not in stored


# ---------------------------------------------------------------- behind a trusted proxy


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(settings):
    settings.TALENTLOOP_TRUSTED_PROXIES = []
    assert client_ip(_request(PROXY, "203.0.113.5")) == PROXY


@pytest.mark.parametrize(
    "trusted, remote, forwarded, expected",
    [
        (["192.0.2.10"], "192.0.2.10", "203.0.113.5", "203.0.113.5"),
        # The right-most address not a trusted proxy: a client cannot pose as another by prepending.
        (["192.0.2.10"], "192.0.2.10", "1.2.3.4, 203.0.113.5", "203.0.113.5"),
        (["192.0.2.0/24"], "192.0.2.10", "203.0.113.5, 192.0.2.11", "203.0.113.5"),
        # A connection not from a trusted proxy: its own address, whatever it writes.
        (["192.0.2.10"], "198.51.100.7", "203.0.113.5", "198.51.100.7"),
        (["192.0.2.10"], "192.0.2.10", "", "192.0.2.10"),
        (["192.0.2.10"], "192.0.2.10", "not-an-address", "192.0.2.10"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::1, 2400:cb00::5", "2400:cb00::5"),
    ],
)
def test_the_client_address_behind_a_trusted_proxy(settings, trusted, remote, forwarded, expected):
    settings.TALENTLOOP_TRUSTED_PROXIES = trusted
    assert client_ip(_request(remote, forwarded)) == expected


def test_behind_the_proxy_each_person_is_throttled_and_audited_by_their_own_address(world, settings, clock):
    settings.TALENTLOOP_TRUSTED_PROXIES = [PROXY]
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    for _ in range(10):
        attacker.post("/accounts/login/", {"username": "employee", "password": "nope"})
    r = attacker.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    assert r.status_code == 429
    owner = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    r = owner.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    assert r.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    ips = set(AuditEntry.objects.filter(action__in=["login", "login_failed"]).values_list("ip", flat=True))
    assert ips == {"203.0.113.66", "203.0.113.7"}


# ---------------------------------------------------------------- the API and the web answer 429


def test_api_token_endpoint_answers_429_with_retry_after(world, clock):
    c = Client(REMOTE_ADDR=IP_A)
    for _ in range(9):
        r = c.post("/api/v1/auth/token", {"username": "employee", "password": "nope"}, content_type="application/json")
        assert r.status_code == 401
        assert r.json() == {"detail": "Wrong username or password.", "errors": {}}
    for password in ("nope", PASSWORD):
        r = c.post(
            "/api/v1/auth/token", {"username": "employee", "password": password}, content_type="application/json"
        )
        assert r.status_code == 429
        assert r["Retry-After"] == "900"
        assert r.json() == {
            "detail": "Too many failed sign-in attempts. Try again in 15 minutes, or ask an "
            "administrator to unlock your account.",
            "errors": {},
        }
    clock.shift(dt.timedelta(minutes=5))
    r = c.post("/api/v1/auth/token", {"username": "employee", "password": PASSWORD}, content_type="application/json")
    assert r.status_code == 429 and r["Retry-After"] == "600"
    # The same account from another address is not affected.
    r = Client(REMOTE_ADDR=IP_B).post(
        "/api/v1/auth/token", {"username": "employee", "password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 200


def test_web_login_says_the_same_with_429(world, clock):
    c = Client(REMOTE_ADDR=IP_A)
    for _ in range(9):
        r = c.post("/accounts/login/", {"username": "employee", "password": "nope"})
        assert r.status_code == 200
        assert "Wrong username or password." in r.content.decode()
    r = c.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    assert r.status_code == 302  # nine failures: the right password still signs in ...
    c = Client(REMOTE_ADDR=IP_A)
    for _ in range(10):
        r = c.post("/accounts/login/", {"username": "employee", "password": "nope"})
    assert r.status_code == 429  # ... ten lock the pair
    r = c.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    assert r.status_code == 429
    assert r["Retry-After"] == "900"
    assert (
        "Too many failed sign-in attempts. Try again in 15 minutes, or ask an administrator to unlock your account."
    ) in r.content.decode()
    assert "_auth_user_id" not in c.session


def test_web_login_signs_in_and_redirects(world):
    c = Client(REMOTE_ADDR=IP_A)
    r = c.post("/accounts/login/?next=/people/", {"username": "employee", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/people/"
    assert int(c.session["_auth_user_id"]) == world.employee.pk
    # An off-site "next" is ignored.
    c2 = Client(REMOTE_ADDR=IP_A)
    r = c2.post("/accounts/login/", {"username": "employee", "password": PASSWORD, "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"


# ---------------------------------------------------------------- the demo password


def test_demo_password_is_refused_outside_demo_mode(world):
    world.employee.set_password("talentloop-demo")
    world.employee.save()
    with override_settings(DEMO_MODE=False):
        _fail()
        r = Client().post(
            "/api/v1/auth/token",
            {"username": "employee", "password": "talentloop-demo"},
            content_type="application/json",
        )
        assert r.status_code == 401
    with override_settings(DEMO_MODE=True):
        assert services.login_attempt(username="employee", password="talentloop-demo", ip=IP_B) == world.employee
        r = Client().post(
            "/api/v1/auth/token",
            {"username": "employee", "password": "talentloop-demo"},
            content_type="application/json",
        )
        assert r.status_code == 200


def test_inactive_accounts_cannot_sign_in_and_the_try_counts(world):
    world.employee.is_active = False
    world.employee.save()
    with pytest.raises(InvalidInput):
        services.login_attempt(username="employee", password=PASSWORD, ip=IP_A)
    assert _failures() == 1


def test_a_longer_lock_holds_until_it_ends(world, settings, clock):
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "LOCK_MINUTES": 60}
    _lock()
    clock.shift(dt.timedelta(minutes=20))
    assert _throttled(password=PASSWORD).retry_after == 40 * 60
    clock.shift(dt.timedelta(minutes=40, seconds=1))
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_A) == world.employee
