"""One-time password-reset codes that HR or an admin hands to staff without e-mail."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from talentloop.accounts import services
from talentloop.accounts.models import PasswordResetCode
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.testing.factories import grant

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-better-passphrase"
IP = "10.1.1.1"


def _reset(code: str, username: str = "employee", password: str = NEW_PASSWORD):
    return services.password_reset_with_code(username=username, code=code, new_password=password, ip=IP)


def test_hr_issues_a_code_that_works_once(world, actor_of):
    code = services.password_reset_code_issue(actor=actor_of("hr"), user=world.employee)
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", code)
    row = PasswordResetCode.objects.get(user=world.employee)
    assert row.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert row.issued_by == world.hr
    # 24 hours to use it
    assert abs(row.expires_at - timezone.now() - dt.timedelta(hours=24)) < dt.timedelta(minutes=1)

    # Typed in lower case with spaces instead of dashes: still accepted.
    assert _reset(code.lower().replace("-", " ")) == world.employee
    assert authenticate(RequestFactory().post("/"), username="employee", password=NEW_PASSWORD) == world.employee
    with pytest.raises(InvalidInput) as exc:
        _reset(code, password="another-fine-passphrase")
    assert exc.value.errors == {"code": ["The code is wrong, used or expired."]}
    assert authenticate(RequestFactory().post("/"), username="employee", password=NEW_PASSWORD) == world.employee


def test_expired_codes_are_refused(world, actor_of):
    code = services.password_reset_code_issue(actor=actor_of("admin"), user=world.employee)
    PasswordResetCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(InvalidInput):
        _reset(code)


def test_a_new_code_replaces_the_old_one(world, actor_of):
    first = services.password_reset_code_issue(actor=actor_of("hr"), user=world.employee)
    second = services.password_reset_code_issue(actor=actor_of("hr"), user=world.employee)
    with pytest.raises(InvalidInput):
        _reset(first)
    _reset(second)


def _failures(username: str) -> int:
    return sum(AccessAttempt.objects.filter(username=username, ip_address=IP)
               .values_list("failures_since_start", flat=True))


def test_a_wrong_code_counts_as_a_failed_sign_in(world, actor_of, settings):
    settings.LOGIN_THROTTLE = {**settings.LOGIN_THROTTLE, "LOCK_AFTER": 3}
    code = services.password_reset_code_issue(actor=actor_of("hr"), user=world.employee)
    for n in (1, 2, 3):
        with pytest.raises(InvalidInput):
            _reset("0000-0000-0000")
        assert _failures("employee") == n
    # Once the pair is locked codes cannot be guessed, and even the right one waits.
    with pytest.raises(services.Throttled):
        _reset(code)
    # Codes for unknown accounts count too, without telling whether the account exists.
    with pytest.raises(InvalidInput) as exc:
        _reset("0000-0000-0000", username="nobody")
    assert exc.value.errors == {"code": ["The code is wrong, used or expired."]}
    assert _failures("nobody") == 1


def test_a_weak_password_keeps_the_code(world, actor_of):
    code = services.password_reset_code_issue(actor=actor_of("hr"), user=world.employee)
    with pytest.raises(InvalidInput) as exc:
        _reset(code, password="123")
    assert list(exc.value.errors) == ["new_password"]
    _reset(code)


def test_a_successful_reset_clears_the_sign_in_throttle(world, actor_of):
    code = services.password_reset_code_issue(actor=actor_of("hr"), user=world.employee)
    with pytest.raises(InvalidInput):
        _reset("0000-0000-0000")
    _reset(code)
    assert not AccessAttempt.objects.filter(username="employee").exists()


@pytest.mark.parametrize("issuer, target, allowed", [
    ("hr", "employee", True),
    ("hr", "manager", True),
    ("hr", "admin", False),     # never for an administrator
    ("hr", "hr", False),        # never for oneself
    ("admin", "hr", True),
    ("admin", "admin", False),
    ("manager", "employee", False),
    ("employee", "employee", False),
    ("outsider", "employee", False),
])
def test_who_may_issue_a_code(world, actor_of, issuer, target, allowed):
    if allowed:
        assert services.password_reset_code_issue(actor=actor_of(issuer), user=getattr(world, target))
    else:
        with pytest.raises(PermissionDenied):
            services.password_reset_code_issue(actor=actor_of(issuer), user=getattr(world, target))


def test_scoped_hr_issues_codes_for_staff_in_scope_only(world, actor_of):
    grant(world.mentor, "hr", org_unit=world.sales)
    assert services.password_reset_code_issue(actor=actor_of("mentor"), user=world.outsider)
    with pytest.raises(PermissionDenied):
        services.password_reset_code_issue(actor=actor_of("mentor"), user=world.employee)


def test_the_web_flow(world, client_for):
    hr = client_for("hr")
    r = hr.post(f"/accounts/manage/{world.employee.pk}/reset-code/")
    assert r.status_code == 302
    page = hr.get(r["Location"])
    code = page.context["code"]
    assert code and code in page.content.decode()
    assert code not in r["Location"]
    assert hr.get(r["Location"]).context["code"] is None  # shown once

    c = Client(REMOTE_ADDR=IP)
    bad = c.post("/accounts/reset/code/", {"username": "employee", "code": "0000-0000-0000",
                                           "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert bad.status_code == 200 and "The code is wrong, used or expired." in bad.content.decode()
    ok = c.post("/accounts/reset/code/", {"username": "employee", "code": code, "new_password": NEW_PASSWORD,
                                          "new_password_again": NEW_PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/accounts/login/"
    assert authenticate(RequestFactory().post("/"), username="employee", password=NEW_PASSWORD) == world.employee

    assert client_for("manager").post(f"/accounts/manage/{world.employee.pk}/reset-code/").status_code == 404


def test_email_reset_only_when_mail_is_configured(world):
    assert Client().get("/accounts/reset/").status_code == 404
    with override_settings(EMAIL_HOST="smtp.example.com"):
        assert Client().get("/accounts/reset/").status_code == 200
        r = Client().post("/accounts/reset/", {"email": "t-employee@example.com"})
        assert r.status_code == 302


def test_the_web_form_answers_429_with_retry_after_when_throttled(world):
    c = Client(REMOTE_ADDR=IP)
    data = {"username": "employee", "code": "0000-0000-0000", "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD}
    for _ in range(10):
        assert c.post("/accounts/reset/code/", data).status_code == 200
    r = c.post("/accounts/reset/code/", data)
    assert r.status_code == 429
    assert r["Retry-After"] == "900"
    assert "Too many failed sign-in attempts. Try again in 15 minutes" in r.content.decode()
