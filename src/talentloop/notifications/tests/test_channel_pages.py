"""Services, access and pages of the channel configuration: secrets stay write-only and out of the audit log,
bad input is refused with field errors, people only touch their own subscriptions, list pages keep a
constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.notifications import channel_services as services
from talentloop.notifications.models import ImCredentials, ImIdentity, PushSubscription
from talentloop.notifications.tests.channel_factories import GroupBotFactory, ImIdentityFactory
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_credentials_are_write_only_and_audited_without_the_secret(world):
    admin = actor_for(world.admin)
    services.im_credentials_set(actor=admin, vendor="wecom", client_id="ww1", agent_id="1000002",
                                secret="top-secret-value")
    services.im_credentials_set(actor=admin, vendor="wecom", client_id="ww2", agent_id="1000002", secret=None)
    creds = ImCredentials.objects.get()
    assert creds.secret == "top-secret-value" and creds.client_id == "ww2"  # None kept the secret
    entries = list(AuditEntry.objects.filter(entity_type="notifications.imcredentials").order_by("pk"))
    assert len(entries) == 2 and entries[0].changes.get("secret") == "changed"
    assert all("top-secret-value" not in str(e.changes) for e in entries)
    page = client_for(world.admin).get("/notifications/channels/wecom/")
    assert page.status_code == 200 and "top-secret-value" not in page.content.decode()
    with pytest.raises(PermissionDenied):
        services.im_credentials_set(actor=actor_for(world.hr), vendor="wecom", client_id="x", agent_id="1", secret="y")


def test_credentials_form_errors(world):
    response = client_for(world.admin).post("/notifications/channels/wecom/", {"client_id": "ww1", "agent_id": "abc",
                                                                              "secret": "s", "enabled": "on"},
                                            HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "The agent ID is a number." in response.content.decode()
    assert not ImCredentials.objects.exists()


def test_push_subscription_validation_and_ownership(world):
    employee, outsider = actor_for(world.employee), actor_for(world.outsider)
    with pytest.raises(InvalidInput) as exc:
        services.push_subscription_save(actor=employee, endpoint="https://push.example.com/1", p256dh="AAAA",
                                        auth="short")
    assert set(exc.value.errors) == {"p256dh", "auth"}
    with pytest.raises(InvalidInput):
        services.push_subscription_save(actor=employee, endpoint="http://push.example.com/1", p256dh=P256DH, auth=AUTH)
    services.push_subscription_save(actor=employee, endpoint="https://push.example.com/1", p256dh=P256DH, auth=AUTH)
    # Someone else cannot remove it...
    assert services.push_subscription_delete(actor=outsider, endpoint="https://push.example.com/1") == 0
    assert PushSubscription.objects.count() == 1
    # ...and the owner can.
    assert services.push_subscription_delete(actor=employee, endpoint="https://push.example.com/1") == 1


def test_push_subscription_api_round_trip_and_bad_input(world):
    c = client_for(world.employee)
    url = "/api/v1/notifications/push/subscriptions"
    bad = c.post(url, {"endpoint": "https://push.example.com/z", "keys": {"p256dh": P256DH, "auth": "x" * 16}},
                 content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()) == {"detail", "errors"} and "auth" in bad.json()["errors"]
    ok = c.post(url, {"endpoint": "https://push.example.com/z", "keys": {"p256dh": P256DH, "auth": AUTH}},
                content_type="application/json", HTTP_USER_AGENT="Phone")
    assert ok.status_code == 201 and ok.json()["user_agent"] == "Phone"
    assert [s["endpoint"] for s in c.get(url).json()["items"]] == ["https://push.example.com/z"]
    gone = c.delete(url, {"endpoint": "https://push.example.com/z"}, content_type="application/json")
    assert gone.json() == {"deleted": 1}


def test_webhook_address_must_match_the_platform(world):
    hr = actor_for(world.hr)
    with pytest.raises(InvalidInput) as exc:
        services.group_bot_create(actor=hr, org_unit=world.platform, vendor="dingtalk", name="x",
                                  webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", kinds=[])
    assert "webhook_url" in exc.value.errors
    with pytest.raises(InvalidInput):
        services.group_bot_create(actor=hr, org_unit=world.platform, vendor="feishu", name="x",
                                  webhook_url="http://open.feishu.cn/open-apis/bot/v2/hook/abc", kinds=[])
    bot = services.group_bot_create(actor=hr, org_unit=world.platform, vendor="feishu", name="x",
                                    signing_secret="sig-secret-XYZ",
                                    webhook_url="https://open.feishu.cn/open-apis/bot/v2/hook/abc", kinds=[])
    entry = AuditEntry.objects.get(action="create", entity_type="notifications.groupbot")
    assert entry.changes["webhook_url"] == "changed" and "open.feishu.cn" not in str(entry.changes)
    page = client_for(world.hr).get(f"/notifications/group-bots/{bot.pk}/").content.decode()
    assert "bot/v2/hook/abc" not in page and "sig-secret-XYZ" not in page


def test_group_bot_form_offers_only_group_safe_kinds(world):
    page = client_for(world.hr).get("/notifications/group-bots/new/").content.decode()
    assert 'value="review_cycle_open"' in page
    assert 'value="score_updated"' not in page and 'value="alert_opened"' not in page
    response = client_for(world.hr).post("/notifications/group-bots/new/", {
        "org_unit": world.platform.pk, "vendor": "wecom", "name": "n", "kinds": ["score_updated"],
        "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
    assert response.status_code == 200 and 'class="errorlist"' in response.content.decode()
    from talentloop.notifications.models import GroupBot

    assert not GroupBot.objects.exists()


def test_identity_import_keeps_good_lines_and_reports_bad_ones(world):
    admin = actor_for(world.admin)
    ImIdentityFactory(employee=world.emp(world.outsider), vendor="wecom", external_id="taken")
    result = services.im_identities_import(actor=admin, text=(
        "employee_number,vendor,external_id\n"
        "T-employee, wecom, zhangsan\n"
        "T-lead\tdingtalk\tlead-dd\n"
        "T-nobody,wecom,x\n"
        "T-mentor,slack,x\n"
        "T-manager,wecom,taken\n"))
    assert result.saved == 2
    assert [(r["line"], r["employee_number"]) for r in result.rejected] == [(4, "T-nobody"), (5, "T-mentor"),
                                                                           (6, "T-manager")]
    assert ImIdentity.objects.get(employee=world.emp(world.employee), vendor="wecom").external_id == "zhangsan"
    # Changing an existing identity through the import.
    services.im_identities_import(actor=admin, text="T-employee,wecom,zhangsan2")
    assert ImIdentity.objects.get(employee=world.emp(world.employee), vendor="wecom").external_id == "zhangsan2"


def test_scoped_hr_sets_identities_only_in_scope(world):
    from talentloop.testing.factories import UserFactory, grant

    sales_hr = UserFactory(username="sales-hr")
    grant(sales_hr, "hr", org_unit=world.sales)
    actor = actor_for(sales_hr)
    with pytest.raises(PermissionDenied):
        services.im_identity_set(actor=actor, employee=world.emp(world.employee), vendor="wecom", external_id="z")
    services.im_identity_set(actor=actor, employee=world.emp(world.outsider), vendor="wecom", external_id="z")
    result = services.im_identities_import(actor=actor, text="T-employee,wecom,q")
    assert result.saved == 0 and result.rejected


def _more_data(world, n):
    for i in range(n):
        e = EmployeeFactory(org_unit=world.platform, job_family=world.engineering, employee_number=f"QC-{n}-{i}")
        ImIdentityFactory(employee=e, vendor="feishu")
        GroupBotFactory(org_unit=world.platform)


@pytest.mark.parametrize("url,user", [("/notifications/group-bots/", "hr"), ("/notifications/im-identities/", "hr"),
                                      ("/notifications/channels/", "admin"),
                                      ("/api/v1/notifications/group-bots", "hr"),
                                      ("/api/v1/notifications/im-identities", "hr")])
def test_list_query_count_is_constant(world, url, user):
    c = client_for(getattr(world, user))
    _more_data(world, 2)
    c.get(url)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        assert c.get(url).status_code == 200
    _more_data(world, 12)
    with CaptureQueriesContext(connection) as large:
        assert c.get(url).status_code == 200
    assert len(small) == len(large), [q["sql"] for q in large.captured_queries]


def test_chat_identity_person_is_picked_within_scope(world, client_for):
    """The identities form picks the person with the people picker: an id outside HR's scope is a field
    error, a picked id or a typed number is accepted."""
    from talentloop.notifications.models import ImIdentity

    c = client_for("hr")
    page = c.get("/notifications/im-identities/").content.decode()
    assert "data-person-picker" in page and "scope=im-identities" in page
    employee = world.emp(world.employee)
    r = c.post("/notifications/im-identities/", {"employee_number": "", "employee_number_id": employee.pk,
                                                 "vendor": "wecom", "external_id": "emp-1"})
    assert r.status_code == 302
    assert ImIdentity.objects.get(employee=employee).external_id == "emp-1"
    r = c.post("/notifications/im-identities/", {"employee_number_id": "987654", "vendor": "wecom",
                                                 "external_id": "x"})
    assert r.status_code in (200, 422) and "employee_number" in r.context["form"].errors
    hits = c.get("/people/search/", {"scope": "im-identities", "q": "employee"}).content.decode()
    assert f'data-person-pick="{employee.pk}"' in hits
