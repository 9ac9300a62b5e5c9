"""Access ends when employment ends and when a password changes: account_deactivate (sessions,
tokens, sign-in), terminations at the end of the last day or at once, and token revocation on a
password change or reset."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.test import Client

from talentloop.accounts import services
from talentloop.accounts.models import ApiToken
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation import services as org_services
from talentloop.organisation import tasks as org_tasks
from talentloop.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Monday 2 November 2026, 10:00 in the organisation's time zone.
MORNING = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
LAST_DAY = dt.date(2026, 11, 2)


def _signed_in(client) -> bool:
    return client.get("/me/").status_code == 200


def _api_works(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


# ---------------------------------------------------------------- account_deactivate


def test_deactivation_ends_sessions_tokens_and_sign_in(world, client_for, api_client_for, actor_of):
    web = client_for("employee")
    api = api_client_for("employee")
    assert _signed_in(web) and _api_works(api)

    assert services.account_deactivate(actor=actor_of("admin"), user=world.employee, reason="test") is True

    world.employee.refresh_from_db()
    assert world.employee.is_active is False
    assert not _signed_in(web)
    assert api.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=world.employee, revoked_at__isnull=True).exists()
    with pytest.raises(InvalidInput):
        services.login_attempt(username="employee", password=PASSWORD, ip="10.0.0.1")
    r = Client().post(
        "/api/v1/auth/token", {"username": "employee", "password": PASSWORD}, content_type="application/json"
    )
    assert r.status_code == 401
    entry = AuditEntry.objects.filter(entity_id=str(world.employee.pk), action="update").latest("id")
    assert entry.changes["is_active"] is False and entry.changes["reason"] == "test"


def test_deactivation_is_idempotent_and_checked(world, actor_of):
    with pytest.raises(PermissionDenied):
        services.account_deactivate(actor=actor_of("manager"), user=world.employee, reason="x")
    with pytest.raises(InvalidInput):
        services.account_deactivate(actor=actor_of("admin"), user=world.admin, reason="x")
    assert services.account_deactivate(actor=actor_of("hr"), user=world.employee, reason="x") is True
    assert services.account_deactivate(actor=actor_of("hr"), user=world.employee, reason="x") is False


def test_a_reactivated_account_does_not_get_its_old_sessions_back(world, client_for, actor_of):
    web = client_for("employee")
    assert _signed_in(web)
    services.account_set_active(actor=actor_of("admin"), user=world.employee, active=False)
    services.account_set_active(actor=actor_of("admin"), user=world.employee, active=True)
    assert not _signed_in(web)
    assert _signed_in(client_for("employee"))


def test_the_admin_page_deactivation_uses_the_same_service(world, client_for, api_client_for):
    api = api_client_for("employee")
    r = client_for("admin").post(f"/accounts/manage/{world.employee.pk}/active/", {"active": "0"})
    assert r.status_code == 302
    assert api.get("/api/v1/me").status_code == 401


# ---------------------------------------------------------------- terminations


def _terminate(world, actor_of, on: dt.date, **kwargs):
    return org_services.employment_event_record(
        actor=actor_of("hr"), employee=world.emp(world.employee), kind="termination", effective_date=on, **kwargs
    )


def test_access_ends_at_the_end_of_the_last_day_in_the_organisations_time_zone(world, actor_of, api_client_for):
    with time_machine.travel(MORNING, tick=False) as clock:
        api = api_client_for("employee")
        _terminate(world, actor_of, LAST_DAY)
        world.employee.refresh_from_db()
        assert world.employee.is_active  # the last day is still a working day
        assert org_services.terminated_accounts_deactivate() == 0
        clock.move_to(dt.datetime(2026, 11, 2, 23, 59, tzinfo=SHANGHAI))
        assert org_services.terminated_accounts_deactivate() == 0
        assert _api_works(api)
        # The daily job at 00:05 on the 3rd in Shanghai (still the 2nd in UTC) ends the access.
        clock.move_to(dt.datetime(2026, 11, 3, 0, 5, tzinfo=SHANGHAI))
        org_tasks.apply_due_employment_events.call_local()
        world.employee.refresh_from_db()
        assert not world.employee.is_active
        assert api.get("/api/v1/me").status_code == 401
        assert org_services.terminated_accounts_deactivate() == 0  # idempotent


def test_the_daily_job_deactivates_even_when_applying_events_fails(world, actor_of, monkeypatch):
    with time_machine.travel(MORNING, tick=False):
        _terminate(world, actor_of, LAST_DAY)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(org_tasks, "employment_events_apply_due", broken)
    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False), pytest.raises(RuntimeError):
        org_tasks.apply_due_employment_events.call_local()
    world.employee.refresh_from_db()
    assert not world.employee.is_active


def test_an_immediate_termination_ends_access_at_once(world, actor_of, client_for):
    with time_machine.travel(MORNING, tick=False):
        web = client_for("employee")
        _terminate(world, actor_of, LAST_DAY + dt.timedelta(days=30), immediate=True)
        world.employee.refresh_from_db()
        assert not world.employee.is_active
        assert not _signed_in(web)


def test_a_termination_recorded_after_the_last_day_ends_access_at_once(world, actor_of):
    with time_machine.travel(MORNING, tick=False):
        _terminate(world, actor_of, LAST_DAY - dt.timedelta(days=1))
    world.employee.refresh_from_db()
    assert not world.employee.is_active


def test_one_failing_account_does_not_stop_the_others(world, actor_of, monkeypatch):
    with time_machine.travel(MORNING, tick=False):
        _terminate(world, actor_of, LAST_DAY)
        org_services.employment_event_record(
            actor=actor_of("hr"), employee=world.emp(world.outsider), kind="termination", effective_date=LAST_DAY
        )
    real = org_services.account_deactivate

    def flaky(*, actor, user, reason):
        if user.pk == world.employee.pk:
            raise RuntimeError("boom")
        return real(actor=actor, user=user, reason=reason)

    monkeypatch.setattr(org_services, "account_deactivate", flaky)
    assert org_services.terminated_accounts_deactivate(on=LAST_DAY + dt.timedelta(days=1)) == 1
    world.outsider.refresh_from_db()
    world.employee.refresh_from_db()
    assert not world.outsider.is_active and world.employee.is_active


# ---------------------------------------------------------------- password changes revoke tokens


def test_a_password_change_revokes_api_tokens_and_says_so(world, client_for, api_client_for):
    api = api_client_for("employee")
    web = client_for("employee")
    r = web.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
        follow=True,
    )
    assert r.status_code == 200
    shown = [str(m) for m in r.context["messages"]]
    assert "Your API tokens were revoked; create new ones if you need them." in shown
    assert api.get("/api/v1/me").status_code == 401
    assert _signed_in(web)  # the session that changed it stays


def test_a_reset_with_a_code_revokes_api_tokens(world, actor_of, api_client_for):
    api = api_client_for("employee")
    code = services.password_reset_code_issue(actor=actor_of("hr"), user=world.employee)
    r = Client().post(
        "/accounts/reset/code/",
        {
            "username": "employee",
            "code": code,
            "new_password": "a-brand-new-passphrase",
            "new_password_again": "a-brand-new-passphrase",
        },
        follow=True,
    )
    assert "Your API tokens were revoked; create new ones if you need them." in [str(m) for m in r.context["messages"]]
    assert api.get("/api/v1/me").status_code == 401


def test_an_email_reset_revokes_api_tokens(world, api_client_for, settings):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    api = api_client_for("employee")
    uid = urlsafe_base64_encode(force_bytes(world.employee.pk))
    token = default_token_generator.make_token(world.employee)
    c = Client()
    r = c.get(f"/accounts/reset/{uid}/{token}/")
    assert r.status_code == 302
    r = c.post(
        r["Location"],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
        follow=True,
    )
    assert r.status_code == 200
    assert api.get("/api/v1/me").status_code == 401


def test_a_password_change_without_tokens_says_nothing_about_them(world, client_for):
    r = client_for("employee").post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
        follow=True,
    )
    assert all("API tokens" not in str(m) for m in r.context["messages"])


def test_hr_marks_a_termination_immediate_through_the_api(world, api_client_for, client_for):
    web = client_for("employee")
    emp = world.emp(world.employee)
    with time_machine.travel(MORNING, tick=False):
        r = api_client_for("hr").post(
            f"/api/v1/employees/{emp.pk}/events",
            {"kind": "termination", "effective_date": "2026-11-30", "immediate": True},
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
    world.employee.refresh_from_db()
    assert not world.employee.is_active
    assert not _signed_in(web)


def test_without_immediate_a_future_termination_keeps_access_until_the_last_day(world, api_client_for):
    emp = world.emp(world.employee)
    with time_machine.travel(MORNING, tick=False):
        r = api_client_for("hr").post(
            f"/api/v1/employees/{emp.pk}/events",
            {"kind": "termination", "effective_date": "2026-11-30"},
            content_type="application/json",
        )
        assert r.status_code == 201
    world.employee.refresh_from_db()
    assert world.employee.is_active


def test_hr_marks_a_termination_immediate_on_the_page(world, client_for):
    emp = world.emp(world.employee)
    with time_machine.travel(MORNING, tick=False):
        page = client_for("hr").get(f"/people/{emp.pk}/events/new/")
        assert 'name="immediate"' in page.content.decode()
        r = client_for("hr").post(
            f"/people/{emp.pk}/events/new/", {"kind": "termination", "effective_date": "2026-11-30", "immediate": "on"}
        )
        assert r.status_code == 302, r.content.decode()[:2000]
    world.employee.refresh_from_db()
    assert not world.employee.is_active
