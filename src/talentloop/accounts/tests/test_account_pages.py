import pytest

from talentloop.accounts.models import ApiToken
from talentloop.accounts.services import api_token_create
from talentloop.core.access import actor_for

pytestmark = pytest.mark.django_db


def test_admin_sees_and_revokes_someone_elses_token(world, client_for):
    token, _secret = api_token_create(actor=actor_for(world.employee), user=world.employee, name="sync")
    admin = client_for("admin")
    page = admin.get(f"/accounts/manage/{world.employee.pk}/")
    assert page.status_code == 200 and token.prefix in page.content.decode()
    r = admin.post(f"/accounts/tokens/{token.pk}/revoke/", {"next": f"/accounts/manage/{world.employee.pk}/"})
    assert r.status_code == 302 and r["Location"] == f"/accounts/manage/{world.employee.pk}/"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    # an off-site "next" is ignored
    token2, _ = api_token_create(actor=actor_for(world.employee), user=world.employee)
    r = admin.post(f"/accounts/tokens/{token2.pk}/revoke/", {"next": "https://evil.example/"})
    assert r["Location"] == "/accounts/tokens/"


def test_hr_reaches_the_account_from_the_profile(world, client_for):
    emp = world.emp(world.employee)
    body = client_for("hr").get(f"/people/{emp.pk}/").content.decode()
    assert f"/accounts/manage/{world.employee.pk}/" in body
    # a manager sees the profile but not the account link
    body = client_for("manager").get(f"/people/{emp.pk}/").content.decode()
    assert f"/accounts/manage/{world.employee.pk}/" not in body
