"""Sign-in throttling per (account, client address), the address-wide counter, unlocking, and
the demo password.

Settings (base.py): FREE_FAILURES=3, LOCK_AFTER=10, LOCK_MINUTES=15, WINDOW_MINUTES=15,
ADDRESS_LOCK_AFTER=50. After the n-th failure (n >= 3) the pair waits 2**(n-3) seconds, at most
60, before the next try; the 10th failure locks the pair for 15 minutes.

Time is simulated by moving the stored failure timestamps back ("rewinding") instead of sleeping.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.test import Client, override_settings

from talentloop.accounts import services
from talentloop.accounts.models import LoginThrottle
from talentloop.accounts.services import Throttled
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

IP_A, IP_B = "10.0.0.1", "10.0.0.2"


def _rewind(seconds: float) -> None:
    delta = dt.timedelta(seconds=seconds)
    LoginThrottle.objects.update(last_failure_at=F("last_failure_at") - delta, first_failure_at=F(
        "first_failure_at") - delta)
    LoginThrottle.objects.filter(locked_until__isnull=False).update(locked_until=F("locked_until") - delta)


def _fail(username: str = "employee", ip: str = IP_A) -> None:
    with pytest.raises(InvalidInput):
        services.login_attempt(username=username, password="wrong-password", ip=ip)


def _throttled(username: str = "employee", ip: str = IP_A, password: str = "wrong-password") -> Throttled:
    with pytest.raises(Throttled) as exc:
        services.login_attempt(username=username, password=password, ip=ip)
    return exc.value


def _failures(username: str = "employee", ip: str = IP_A) -> int:
    row = LoginThrottle.objects.filter(username=username, ip=ip).first()
    return row.failures if row else 0


def test_the_first_three_failures_are_free(world):
    for n in (1, 2):
        _fail()
        assert _failures() == n
        # no delay yet: the very next attempt is checked, not throttled
    _fail()
    assert _failures() == 3


def test_delays_grow_after_three_failures_then_the_pair_is_locked(world):
    for _ in range(3):
        _fail()
    # failure n -> wait 2**(n-3) s: 3->1, 4->2, 5->4, 6->8, 7->16, 8->32, 9->60 (64 capped at 60)
    for n, wait in [(3, 1), (4, 2), (5, 4), (6, 8), (7, 16), (8, 32), (9, 60)]:
        exc = _throttled()
        assert exc.retry_after == wait, n
        assert _failures() == n  # a throttled attempt is not checked and not counted
        _rewind(wait)
        _fail()
    # The 10th failure locks the pair for 15 minutes = 900 s, even for the right password.
    assert _failures() == 10
    exc = _throttled(password=PASSWORD)
    assert exc.retry_after == 900
    assert exc.detail == ("Too many failed sign-in attempts. Try again in 15 minutes, or ask an administrator "
                          "to unlock your account.")
    assert exc.status == 429
    _rewind(14 * 60)
    assert _throttled(password=PASSWORD).retry_after == 60
    _rewind(60)
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_A) == world.employee
    assert _failures() == 0  # success clears the pair


def test_a_short_delay_says_seconds(world):
    for _ in range(3):
        _fail()
    assert _throttled().detail == "Too many failed sign-in attempts. Wait 1 second before trying again."


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(world):
    """A colleague guessing from their machine (IP_A) cannot lock the owner out on IP_B."""
    for _ in range(3):
        _fail(ip=IP_A)
    for wait in (1, 2, 4, 8, 16, 32, 60):
        _rewind(wait)
        _fail(ip=IP_A)
    assert _throttled(ip=IP_A, password=PASSWORD).retry_after == 900
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_B) == world.employee
    # ... and the owner's success on IP_B does not unlock IP_A.
    assert _throttled(ip=IP_A, password=PASSWORD).retry_after == 900
    # IP_B keeps its own counter.
    _fail(ip=IP_B)
    assert (_failures(ip=IP_A), _failures(ip=IP_B)) == (10, 1)


def test_one_address_may_fail_for_several_accounts_independently(world):
    for _ in range(3):
        _fail("employee")
    _throttled("employee")
    _fail("manager")  # manager's pair has its own count of 1
    assert _failures("manager") == 1


def test_usernames_are_counted_case_insensitively(world):
    _fail("Employee")
    _fail("EMPLOYEE")
    _fail("employee")
    assert _failures("employee") == 3
    _throttled("Employee")


def test_failures_older_than_the_window_are_forgotten(world):
    for _ in range(3):
        _fail()
    _rewind(16 * 60)  # past the 15-minute window
    services.login_attempt(username="employee", password=PASSWORD, ip=IP_A)
    _fail()
    assert _failures() == 1


def test_the_address_wide_counter_stops_password_spraying(world):
    """50 failures from one address, one per account (never reaching a per-account delay), lock the
    address for every account; another address is unaffected."""
    for i in range(49):
        _fail(f"guess{i}", ip=IP_A)
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_A) == world.employee
    _fail("guess49", ip=IP_A)  # the 50th failure from IP_A
    assert LoginThrottle.objects.get(username="", ip=IP_A).failures == 50
    assert _throttled("manager", ip=IP_A, password=PASSWORD).retry_after == 900
    assert services.login_attempt(username="manager", password=PASSWORD, ip=IP_B) == world.manager


def test_admin_unlocks_an_account_on_every_address(world, actor_of):
    for ip in (IP_A, IP_B):
        for _ in range(3):
            _fail(ip=ip)
    with pytest.raises(PermissionDenied):
        services.login_unlock(actor=actor_of("hr"), user=world.employee)
    assert services.login_unlock(actor=actor_of("admin"), user=world.employee) == 2
    assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_A) == world.employee
    assert AuditEntry.objects.filter(action="execute", summary="unlock", entity_id=str(world.employee.pk)).exists()


def test_admin_unlocks_through_the_account_page(world, client_for):
    for _ in range(10):
        _rewind(60)
        _fail()
    assert "employee" in services.locked_usernames()
    page = client_for("admin").get(f"/accounts/manage/{world.employee.pk}/")
    assert page.context["locked"] is True
    r = client_for("admin").post(f"/accounts/manage/{world.employee.pk}/unlock/")
    assert r.status_code == 302
    assert "employee" not in services.locked_usernames()
    assert client_for("hr").post(f"/accounts/manage/{world.employee.pk}/unlock/").status_code == 404


def test_failed_and_successful_sign_ins_are_audited_without_the_password(world):
    _fail()
    services.login_attempt(username="employee", password=PASSWORD, ip=IP_A)
    entries = list(AuditEntry.objects.filter(action__in=["login", "login_failed"]).order_by("id"))
    assert [(e.action, e.ip) for e in entries] == [("login_failed", IP_A), ("login", IP_A)]
    assert all("wrong-password" not in str(e.changes) + e.summary + e.entity_label for e in entries)


# ---------------------------------------------------------------- the API and the web answer 429


def test_api_token_endpoint_answers_429_with_retry_after(world):
    c = Client(REMOTE_ADDR=IP_A)
    for _ in range(3):
        r = c.post("/api/v1/auth/token", {"username": "employee", "password": "nope"},
                   content_type="application/json")
        assert r.status_code == 401
        assert r.json() == {"detail": "Wrong username or password.", "errors": {}}
    r = c.post("/api/v1/auth/token", {"username": "employee", "password": PASSWORD},
               content_type="application/json")
    assert r.status_code == 429
    assert r["Retry-After"] == "1"
    assert r.json() == {"detail": "Too many failed sign-in attempts. Wait 1 second before trying again.",
                        "errors": {}}
    # The same account from another address is not affected.
    r = Client(REMOTE_ADDR=IP_B).post("/api/v1/auth/token", {"username": "employee", "password": PASSWORD},
                                      content_type="application/json")
    assert r.status_code == 200


def test_web_login_says_the_same_with_429(world):
    c = Client(REMOTE_ADDR=IP_A)
    for _ in range(10):
        _rewind(60)
        r = c.post("/accounts/login/", {"username": "employee", "password": "nope"})
        assert r.status_code == 200
        assert "Wrong username or password." in r.content.decode()
    r = c.post("/accounts/login/", {"username": "employee", "password": PASSWORD})
    assert r.status_code == 429
    assert r["Retry-After"] == "900"
    assert ("Too many failed sign-in attempts. Try again in 15 minutes, or ask an administrator to unlock "
            "your account.") in r.content.decode()
    assert "_auth_user_id" not in c.session


def test_web_login_signs_in_and_redirects(world):
    c = Client(REMOTE_ADDR=IP_A)
    r = c.post("/accounts/login/?next=/people/", {"username": "employee", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/people/"
    assert int(c.session["_auth_user_id"]) == world.employee.pk
    # An off-site "next" is ignored.
    c2 = Client(REMOTE_ADDR=IP_A)
    r = c2.post("/accounts/login/", {"username": "employee", "password": PASSWORD,
                                     "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"


# ---------------------------------------------------------------- the demo password


def test_demo_password_is_refused_outside_demo_mode(world):
    world.employee.set_password("talentloop-demo")
    world.employee.save()
    with override_settings(DEMO_MODE=False):
        _fail()
        r = Client().post("/api/v1/auth/token", {"username": "employee", "password": "talentloop-demo"},
                          content_type="application/json")
        assert r.status_code == 401
    with override_settings(DEMO_MODE=True):
        assert services.login_attempt(username="employee", password="talentloop-demo", ip=IP_B) == world.employee
        r = Client().post("/api/v1/auth/token", {"username": "employee", "password": "talentloop-demo"},
                          content_type="application/json")
        assert r.status_code == 200


def test_inactive_accounts_cannot_sign_in(world):
    world.employee.is_active = False
    world.employee.save()
    _fail()


def test_a_lock_longer_than_the_window_holds_until_it_ends(world):
    """LOCK_MINUTES=60 with a 15-minute window: 20 minutes after the 10th failure the pair is still
    locked for 40 minutes (2400 s)."""
    cfg = {"FREE_FAILURES": 3, "LOCK_AFTER": 10, "LOCK_MINUTES": 60, "WINDOW_MINUTES": 15,
           "ADDRESS_LOCK_AFTER": 50}
    with override_settings(LOGIN_THROTTLE=cfg):
        for _ in range(10):
            _rewind(60)
            _fail()
        _rewind(20 * 60)
        assert _throttled(password=PASSWORD).retry_after == 40 * 60
        _rewind(40 * 60)
        assert services.login_attempt(username="employee", password=PASSWORD, ip=IP_A) == world.employee
