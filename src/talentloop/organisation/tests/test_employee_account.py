"""A new employee can be given a login: HR or the admin creates or links the account from the
person's page, optionally inviting them by e-mail; the accounts page pages and searches."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.models import User
from talentloop.core.errors import DomainError
from talentloop.organisation import services_accounts
from talentloop.organisation.models import Employee
from talentloop.testing.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hire(world):
    return EmployeeFactory(
        name="王小明",
        name_en="Wang Xiaoming",
        employee_number="N-1",
        email="wxm@example.com",
        org_unit=world.platform,
        job_family=world.engineering,
        manager=world.emp(world.lead),
    )


def test_hr_gives_a_new_hire_a_login_and_an_invitation(client_for, hire, django_capture_on_commit_callbacks):
    c = client_for("hr")
    profile = c.get(f"/people/{hire.pk}/").content.decode()
    assert f"/people/{hire.pk}/account/" in profile
    page = c.get(f"/people/{hire.pk}/account/")
    assert page.context["form"].initial["username"] == "wxm"
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/people/{hire.pk}/account/", {"username": "wxm", "email": "", "invite": "on"})
    assert r.status_code == 302
    hire.refresh_from_db()
    user = hire.user
    assert user.username == "wxm" and user.email == "wxm@example.com" and not user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wxm@example.com"]
    link = re.search(r"/accounts/reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body).group(0)
    # The link leads to the page where the person chooses a password, then signs in.
    anonymous = client_for(None)
    form_page = anonymous.get(link, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = anonymous.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Tl-strong-pass-42", "new_password2": "Tl-strong-pass-42"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Tl-strong-pass-42")
    # Once linked, the page is no longer offered.
    assert f"/people/{hire.pk}/account/" not in c.get(f"/people/{hire.pk}/").content.decode()
    assert c.get(f"/people/{hire.pk}/account/").status_code == 302


def test_the_admin_links_an_existing_free_account(client_for, hire):
    free = UserFactory(username="early-bird")
    r = client_for("admin").post(f"/people/{hire.pk}/account/", {"existing": "Early-Bird"})
    assert r.status_code == 302
    assert Employee.objects.get(pk=hire.pk).user == free


def test_bad_paths_change_nothing(client_for, world, hire):
    c = client_for("hr")
    # A taken username (whatever its case), both or neither of new and existing.
    for data in ({"username": "LEAD"}, {"username": "x", "existing": "y"}, {}):
        r = c.post(f"/people/{hire.pk}/account/", data)
        assert r.status_code == 200 and r.context["form"].errors, data
    # An account that already belongs to someone, or an administrator's, cannot be linked.
    for username in ("employee", "admin", "nobody"):
        r = c.post(f"/people/{hire.pk}/account/", {"existing": username})
        assert "existing" in r.context["form"].errors, username
    # An invitation needs an address.
    no_mail = EmployeeFactory(org_unit=world.platform, job_family=world.engineering, email="")
    r = c.post(f"/people/{no_mail.pk}/account/", {"username": "nomail", "invite": "on"})
    assert "email" in r.context["form"].errors
    assert Employee.objects.get(pk=hire.pk).user is None and not User.objects.filter(username="nomail").exists()


def test_a_person_already_linked_is_refused_by_the_service(actor_of, world, hire):
    services_accounts.account_create_for_employee(actor=actor_of("hr"), employee=hire, username="first")
    with pytest.raises(DomainError) as exc:
        services_accounts.account_create_for_employee(actor=actor_of("hr"), employee=hire, username="second")
    assert "username" in exc.value.errors
    assert not User.objects.filter(username="second").exists()


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "outsider"])
def test_only_hr_covering_the_person_or_an_admin_gives_a_login(client_for, actor_of, hire, persona):
    assert client_for(persona).get(f"/people/{hire.pk}/account/").status_code == 404
    assert client_for(persona).post(f"/people/{hire.pk}/account/", {"username": "sneaky"}).status_code == 404
    with pytest.raises(DomainError):
        services_accounts.account_create_for_employee(actor=actor_of(persona), employee=hire, username="sneaky")
    assert not User.objects.filter(username="sneaky").exists()


def test_hr_scoped_to_another_unit_cannot_give_a_login(client_for, world, hire):
    from talentloop.testing.factories import grant

    sales_hr = UserFactory(username="sales-hr")
    EmployeeFactory(user=sales_hr, org_unit=world.sales, job_family=world.hr_family)
    grant(sales_hr, "hr", org_unit=world.sales)
    c = client_for(None)
    c.force_login(sales_hr)
    assert c.get(f"/people/{hire.pk}/account/").status_code == 404


# ---------------------------------------------------------------- the accounts page


def test_accounts_page_pages_and_searches(client_for, world, monkeypatch):
    monkeypatch.setattr("talentloop.accounts.views.ACCOUNTS_PER_PAGE", 3)
    c = client_for("admin")
    first = c.get("/accounts/manage/")
    body = first.content.decode()
    assert first.context["page_obj"].paginator.count == 7 and len(first.context["accounts"]) == 3
    # The create form comes before the list.
    assert body.index('id="new-account"') < body.index('class="list"')
    assert [a.username for a in c.get("/accounts/manage/", {"page": "3"}).context["accounts"]] == ["outsider"]
    assert len(c.get("/accounts/manage/", {"page": "99"}).context["accounts"]) == 1  # past the end: the last
    EmployeeFactory(
        user=UserFactory(username="u123"), name="王小明", org_unit=world.sales, job_family=world.sales_family
    )
    for term in ("wxm", "wangxiaoming", "王小", "u12"):
        assert [a.username for a in c.get("/accounts/manage/", {"q": term}).context["accounts"]] == ["u123"], term


def test_accounts_page_query_count_does_not_grow(client_for):
    c = client_for("admin")
    c.get("/accounts/manage/")

    def count(total: int) -> int:
        for i in range(User.objects.filter(username__startswith="bulk").count(), total):
            UserFactory(username=f"bulk{i:03d}")
        with CaptureQueriesContext(connection) as queries:
            r = c.get("/accounts/manage/", {"q": "bulk"})
        assert r.status_code == 200 and len(r.context["accounts"]) == min(total, 50)
        return len(queries)

    assert count(10) == count(70)


def test_hr_sends_the_invitation_again_until_a_password_is_chosen(
    client_for, actor_of, hire, django_capture_on_commit_callbacks
):
    services_accounts.account_create_for_employee(actor=actor_of("hr"), employee=hire, username="wxm")
    c = client_for("hr")
    assert f"/people/{hire.pk}/account/invite/" in c.get(f"/people/{hire.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(f"/people/{hire.pk}/account/invite/").status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wxm@example.com"]
    assert client_for("manager").post(f"/people/{hire.pk}/account/invite/").status_code == 404
    assert client_for("hr").get(f"/people/{hire.pk}/account/invite/").status_code == 405
    user = User.objects.get(username="wxm")
    user.set_password("Tl-strong-pass-42")
    user.save()
    assert f"/people/{hire.pk}/account/invite/" not in c.get(f"/people/{hire.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/people/{hire.pk}/account/invite/")
    assert len(mail.outbox) == 1  # nothing more is sent
