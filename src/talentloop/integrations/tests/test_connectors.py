"""Connectors as HR configures them: the secret answered once and rotated, the API token never
answered, settings and mappings checked with reasons, health figures, unmatched accounts with
suggestions, and the pages and endpoints in both languages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.db import connection

from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.integrations import connectors as kinds
from talentloop.integrations import selectors_connectors as selectors
from talentloop.integrations.connectors.base import AccountRef, ToolFact
from talentloop.integrations.models import (
    Connector,
    ConnectorMapping,
    InboundDelivery,
    ToolAccount,
    ToolEvent,
    ToolEventStatus,
)
from talentloop.integrations.services import connectors as services
from talentloop.integrations.services.connector_events import tool_events_record, tool_facts_store
from talentloop.performance.models import Aggregation, Observation
from talentloop.performance.services.config import metric_save
from talentloop.testing.factories import EmployeeFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
A = "/api/v1/connectors"
P = "/integrations/connectors"


@pytest.fixture
def metrics(world):
    hr = actor_for(world.hr)
    metric_save(actor=hr, data={"key": "mrs-merged", "name": "合并请求", "name_en": "Merged MRs",
                                "aggregation": Aggregation.COUNT})
    metric_save(actor=hr, data={"key": "reviews", "name": "代码评审", "aggregation": Aggregation.COUNT})
    old = metric_save(actor=hr, data={"key": "retired", "name": "停用", "aggregation": Aggregation.COUNT})
    old.is_active = False
    old.save()


def _create(world, key="gitlab", kind="gitlab", **extra):
    return services.connector_create(actor=actor_for(world.hr), key=key, name=extra.pop("name", "GitLab"), kind=kind,
                                     base_url=extra.pop("base_url", "https://gitlab.example.com"), **extra)


def _fact(handle, ext, *, kind="merged", email="", name="", at=NOW - dt.timedelta(days=1)):
    return ToolFact(event_kind=kind, external_id=ext, account=AccountRef(handle=handle, email=email, display_name=name),
                    occurred_at=at, value=D(1))


# ---------------------------------------------------------------- services


def test_create_returns_the_secret_once_and_keeps_it_and_the_token_encrypted(world):
    connector, secret = _create(world, api_token="glpat-xyz")
    assert len(secret) >= 40 and connector.secret == secret and connector.api_token == "glpat-xyz"
    assert connector.act_as == world.hr and connector.is_active
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret, api_token FROM {Connector._meta.db_table}")
        stored = cursor.fetchone()
    assert stored[0].startswith("enc") and secret not in stored[0] and "glpat" not in stored[1]
    entry = AuditEntry.objects.filter(entity_type="integrations.connector").latest("pk")
    assert secret not in str(entry.changes) and "glpat" not in str(entry.changes)
    _same, rotated = services.connector_rotate(actor=actor_for(world.hr), connector=connector)
    assert rotated != secret and Connector.objects.get().secret == rotated


@pytest.mark.parametrize(("change", "field"), [
    ({"key": "Not A Slug"}, "key"),
    ({"kind": "svn"}, "kind"),
    ({"name": ""}, "name"),
    ({"base_url": "ftp://x.example.com"}, "base_url"),
    ({"config": ["not", "an", "object"]}, "config"),
])
def test_create_refuses_bad_input_with_field_errors(world, change, field):
    data = {"key": "gitlab", "name": "GitLab", "kind": "gitlab", "base_url": "", **change}
    with pytest.raises(InvalidInput) as caught:
        services.connector_create(actor=actor_for(world.hr), **data)
    assert field in caught.value.errors
    assert not Connector.objects.exists()


def test_a_duplicate_key_is_refused(world):
    _create(world)
    with pytest.raises(InvalidInput) as caught:
        _create(world, name="Again")
    assert "key" in caught.value.errors


def test_the_kind_client_checks_the_settings(world, monkeypatch):
    class Client:
        kind = "jira"

        def config_problems(self, config):
            return {} if config.get("done_statuses") else {"done_statuses": ["Name at least one status."]}

    monkeypatch.setitem(kinds.CLIENTS, "jira", Client())
    with pytest.raises(InvalidInput) as caught:
        _create(world, key="jira", kind="jira", config={})
    assert caught.value.errors == {"config.done_statuses": ["Name at least one status."]}
    connector, _secret = _create(world, key="jira", kind="jira", config={"done_statuses": ["Done"]})
    with pytest.raises(InvalidInput):
        services.connector_update(actor=actor_for(world.hr), connector=connector, data={"config": {}})


def test_only_hr_and_administrators_configure_and_act_as_is_checked(world):
    for persona in ("employee", "manager", "mentor", "outsider"):
        with pytest.raises(PermissionDenied):
            services.connector_create(actor=actor_for(getattr(world, persona)), key="x", name="X", kind="gitlab")
    with pytest.raises(InvalidInput) as caught:
        _create(world, act_as=world.employee)
    assert "act_as" in caught.value.errors
    connector, _secret = services.connector_create(actor=actor_for(world.admin), key="adm", name="A", kind="github",
                                                   act_as=world.hr)
    assert connector.act_as == world.hr
    # An HR person limited to one unit records only as themselves.
    limited = UserFactory(username="hr-platform")
    grant(limited, "hr", org_unit=world.platform)
    assert [u.pk for u in services.act_as_choices(actor_for(limited))] == [limited.pk]
    with pytest.raises(InvalidInput):
        services.connector_create(actor=actor_for(limited), key="lim", name="L", kind="gitlab", act_as=world.hr)


def test_update_replaces_the_token_only_when_given(world):
    connector, _secret = _create(world, api_token="first")
    services.connector_update(actor=actor_for(world.hr), connector=connector, data={"name": "GitLab 2"})
    assert Connector.objects.get().api_token == "first"
    services.connector_update(actor=actor_for(world.hr), connector=connector, data={"api_token": "second"})
    assert Connector.objects.get().api_token == "second"
    services.connector_update(actor=actor_for(world.hr), connector=connector, data={"api_token": ""})
    assert Connector.objects.get().api_token == ""
    with pytest.raises(InvalidInput):
        services.connector_update(actor=actor_for(world.hr), connector=connector, data={"secret": "mine"})


@time_machine.travel(NOW, tick=False)
def test_mappings_are_checked_and_a_new_one_lets_ignored_facts_flow(world, metrics, django_capture_on_commit_callbacks):
    connector, _secret = _create(world)
    hr = actor_for(world.hr)
    for bad, field in (([{"event_kind": "pushed", "metric_key": "mrs-merged"}], "mappings.0.event_kind"),
                       ([{"event_kind": "merged", "metric_key": "nope"}], "mappings.0.metric_key"),
                       ([{"event_kind": "merged", "metric_key": "retired"}], "mappings.0.metric_key"),
                       ([{"event_kind": "merged", "metric_key": "reviews"},
                         {"event_kind": "merged", "metric_key": "reviews"}], "mappings.1.event_kind")):
        with pytest.raises(InvalidInput) as caught:
            services.connector_mappings_set(actor=hr, connector=connector, mappings=bad)
        assert field in caught.value.errors, (bad, caught.value.errors)
    with pytest.raises(PermissionDenied):
        services.connector_mappings_set(actor=actor_for(world.manager), connector=connector, mappings=[])
    employee = world.emp(world.employee)
    with django_capture_on_commit_callbacks(execute=True):
        tool_facts_store(connector=connector, facts=[_fact("employee", "mr:1")])
    assert ToolEvent.objects.get().status == ToolEventStatus.IGNORED
    with django_capture_on_commit_callbacks(execute=True):
        services.connector_mappings_set(actor=hr, connector=connector,
                                        mappings=[{"event_kind": "merged", "metric_key": "mrs-merged"}])
    assert ToolEvent.objects.get().status == ToolEventStatus.RECORDED
    assert Observation.objects.filter(employee=employee, metric__key="mrs-merged").count() == 1


def test_a_pull_maps_any_kind_name(world, metrics):
    connector, _secret = _create(world, key="crm", kind="pull", base_url="https://crm.example.com/x.csv")
    rows = services.connector_mappings_set(actor=actor_for(world.hr), connector=connector,
                                           mappings=[{"event_kind": "deal_won", "metric_key": "reviews"}])
    assert [(r.event_kind, r.metric_key) for r in rows] == [("deal_won", "reviews")]
    with pytest.raises(InvalidInput):
        services.connector_mappings_set(actor=actor_for(world.hr), connector=connector,
                                        mappings=[{"event_kind": "Deal Won!", "metric_key": "reviews"}])


@time_machine.travel(NOW, tick=False)
def test_delete_keeps_the_recorded_observations(world, metrics, django_capture_on_commit_callbacks):
    connector, _secret = _create(world)
    ConnectorMapping.objects.create(connector=connector, event_kind="merged", metric_key="mrs-merged")
    with django_capture_on_commit_callbacks(execute=True):
        tool_facts_store(connector=connector, facts=[_fact("employee", "mr:1")])
    services.connector_deactivate(actor=actor_for(world.hr), connector=connector)
    assert not Connector.objects.get().is_active
    services.connector_activate(actor=actor_for(world.hr), connector=connector)
    services.connector_delete(actor=actor_for(world.hr), connector=connector)
    assert not Connector.objects.exists() and not ToolAccount.objects.exists()
    assert Observation.objects.filter(source="connector:gitlab").count() == 1


# ---------------------------------------------------------------- health and unmatched


@time_machine.travel(NOW, tick=False)
def test_health_figures(world, metrics):
    connector, _secret = _create(world)
    with time_machine.travel(NOW - dt.timedelta(days=2), tick=False):
        tool_facts_store(connector=connector, facts=[_fact("employee", "mr:1"), _fact("employee", "mr:2")])
    with time_machine.travel(NOW - dt.timedelta(minutes=30), tick=False):
        tool_facts_store(connector=connector, facts=[_fact("stranger", "mr:3", name="王小明")])
    InboundDelivery.objects.create(connector=connector, delivery_id="d1", status=InboundDelivery.Status.REJECTED,
                                   error="unknown shape", event_name="Push Hook")
    health = selectors.connector_get(actor_for(world.hr), connector.pk).health
    assert health.per_day == [0, 0, 0, 0, 2, 0, 1] and health.events_7d == 3
    assert health.unmatched_accounts == 1 and health.rejected_7d == 1
    assert health.lag == dt.timedelta(days=2) and health.state == "attention"
    tool_events_record()
    health = selectors.connector_get(actor_for(world.hr), connector.pk).health
    assert health.lag is None and health.last_event_at == NOW - dt.timedelta(minutes=30)


@time_machine.travel(NOW, tick=False)
def test_unmatched_accounts_come_with_waiting_counts_and_suggestions(world):
    wang = EmployeeFactory(name="王小明", name_en="Wang Xiaoming", employee_number="TL0007", org_unit=world.platform)
    connector, _secret = _create(world)
    tool_facts_store(connector=connector, facts=[
        _fact("wxm", "mr:1", email="wang.xiaoming@vendor.example"), _fact("wxm", "mr:2"),
        _fact("ghost", "mr:3", name="Nobody Here")])
    tool_events_record()
    rows = selectors.unmatched_accounts(actor_for(world.hr), connector)
    assert [(a.handle, a.waiting) for a in rows] == [("wxm", 2), ("ghost", 1)]
    assert [p.pk for p in rows[0].suggestions] == [wang.pk]
    assert rows[1].suggestions == []


# ---------------------------------------------------------------- API


def test_api_create_answers_the_secret_once_and_never_the_token(api_client_for, metrics):
    client = api_client_for("hr")
    body = {"key": "gitlab", "name": "GitLab", "kind": "gitlab", "base_url": "https://gitlab.example.com",
            "config": {"projects": ["platform/api"]}, "api_token": "glpat-secret"}
    response = client.post(A, body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"] and created["api_token_set"] is True and "glpat" not in response.content.decode()
    assert created["inbound_url"] == "/api/v1/connectors/gitlab/events" and created["act_as"] == "hr"
    pk = created["id"]
    got = client.get(f"{A}/{pk}")
    assert got.status_code == 200 and "secret" not in got.json() and "glpat" not in got.content.decode()
    listed = client.get(A).json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    assert listed["items"][0]["health"]["state"] == "idle"
    rotated = client.post(f"{A}/{pk}/rotate").json()
    assert rotated["secret"] != created["secret"]
    duplicate = client.post(A, body, content_type="application/json")
    assert duplicate.status_code == 422 and "key" in duplicate.json()["errors"]
    put = client.put(f"{A}/{pk}/mappings", {"mappings": [{"event_kind": "merged", "metric_key": "mrs-merged"}]},
                     content_type="application/json")
    assert put.status_code == 200 and put.json() == [{"event_kind": "merged", "metric_key": "mrs-merged"}]
    bad = client.put(f"{A}/{pk}/mappings", {"mappings": [{"event_kind": "nope", "metric_key": "unknown"}]},
                     content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"mappings.0.event_kind", "mappings.0.metric_key"}
    patched = client.patch(f"{A}/{pk}", {"name": "GitLab 2", "is_active": False}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert patched.json()["mappings"] == [{"event_kind": "merged", "metric_key": "mrs-merged"}]
    assert client.get(f"{A}/{pk}/health").json()["events_7d"] == 0
    assert client.delete(f"{A}/{pk}").status_code == 204
    assert client.get(f"{A}/{pk}").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_api_unmatched_and_match(world, api_client_for, metrics, django_capture_on_commit_callbacks):
    connector, _secret = _create(world)
    ConnectorMapping.objects.create(connector=connector, event_kind="merged", metric_key="mrs-merged")
    with django_capture_on_commit_callbacks(execute=True):
        tool_facts_store(connector=connector, facts=[_fact("stranger", "mr:1")])
    client = api_client_for("hr")
    waiting = client.get(f"{A}/{connector.pk}/unmatched").json()
    assert waiting["count"] == 1 if isinstance(waiting, dict) else len(waiting) == 1
    items = waiting["items"] if isinstance(waiting, dict) else waiting
    account = items[0]
    assert account["handle"] == "stranger" and account["waiting"] == 1
    url = f"{A}/{connector.pk}/accounts/{account['id']}/match"
    assert client.post(url, {"employee_id": 10**9}, content_type="application/json").status_code == 422
    mentor = world.emp(world.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        matched = client.post(url, {"employee_id": mentor.pk}, content_type="application/json")
    assert matched.status_code == 200 and matched.json()["employee_id"] == mentor.pk
    assert Observation.objects.filter(employee=mentor, source="connector:gitlab").count() == 1
    undone = client.post(url, {"employee_id": None}, content_type="application/json")
    assert undone.status_code == 200 and undone.json()["employee_id"] is None
    assert client.post(f"{A}/{connector.pk}/accounts/999999/match", {"employee_id": None},
                       content_type="application/json").status_code == 404
    assert api_client_for("manager").get(f"{A}/{connector.pk}/unmatched").status_code == 403


# ---------------------------------------------------------------- pages


def test_pages_create_show_the_secret_once_and_save_mappings(world, client_for, metrics):
    client = client_for("hr")
    client.cookies["django_language"] = "en"
    page = client.get(f"{P}/new/")
    assert page.status_code == 200 and b"Add a connector" in page.content
    form = {"kind": "gitlab", "key": "gitlab", "name": "GitLab", "base_url": "https://gitlab.example.com",
            "act_as": str(world.hr.pk), "api_token": "glpat-page", "projects": "platform/api\nplatform/web",
            "done_statuses": "Done", "format": "csv", "every_minutes": "60"}
    bad = client.post(f"{P}/new/", {**form, "key": "Bad Key"})
    assert bad.status_code == 200 and b"lower-case" in bad.content and not Connector.objects.exists()
    response = client.post(f"{P}/new/", form)
    connector = Connector.objects.get()
    assert response.status_code == 200 and connector.secret in response.content.decode()
    body = response.content.decode()
    assert "/api/v1/connectors/gitlab/events" in body and "X-Gitlab-Token" in body
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert connector.config == {"projects": ["platform/api", "platform/web"]}
    detail = client.get(f"{P}/{connector.pk}/")
    assert detail.status_code == 200 and connector.secret not in detail.content.decode()
    assert "glpat-page" not in detail.content.decode()
    mapping = {"map-kind-0": "merged", "map-metric-0": "mrs-merged", "map-kind-1": "review", "map-metric-1": ""}
    saved = client.post(f"{P}/{connector.pk}/", mapping)
    assert saved.status_code == 302
    assert list(connector.mappings.values_list("event_kind", "metric_key")) == [("merged", "mrs-merged")]
    edit = client.post(f"{P}/{connector.pk}/edit/", {**form, "name": "GitLab 2", "api_token": ""})
    assert edit.status_code == 302 and Connector.objects.get().api_token == "glpat-page"
    rotated = client.post(f"{P}/{connector.pk}/rotate/")
    assert Connector.objects.get().secret in rotated.content.decode()
    assert client.get(f"{P}/{connector.pk}/secret/").status_code == 200


def test_list_page_in_chinese_shows_connectors_and_webhook_sources(world, client_for):
    from talentloop.performance.services.webhooks import webhook_source_create

    _create(world)
    webhook_source_create(actor=actor_for(world.hr), key="helpdesk", name="服务台", act_as=world.hr)
    client = client_for("hr")
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"{P}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "连接器" in body and "GitLab" in body and "服务台" in body
    assert "/performance/webhook-sources/" in body
    sources = client.get("/performance/webhook-sources/").content.decode()
    assert f"{P}/" in sources
    assert client_for("manager").get(f"{P}/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_accounts_page_matches_with_the_picker_and_a_suggestion(world, client_for, metrics,
                                                               django_capture_on_commit_callbacks):
    wang = EmployeeFactory(name="王小明", name_en="Wang Xiaoming", employee_number="TL0007", org_unit=world.platform)
    connector, _secret = _create(world)
    ConnectorMapping.objects.create(connector=connector, event_kind="merged", metric_key="mrs-merged")
    with django_capture_on_commit_callbacks(execute=True):
        tool_facts_store(connector=connector, facts=[_fact("wxm", "mr:1", name="Wang Xiaoming"),
                                                      _fact("ghost", "mr:2")])
    client = client_for("hr")
    client.cookies["django_language"] = "en"
    page = client.get(f"{P}/{connector.pk}/accounts/")
    body = page.content.decode()
    assert page.status_code == 200 and "data-person-picker" in body and "1 fact waiting" in body
    assert "Wang Xiaoming (TL0007)" in body  # the suggestion
    wxm = ToolAccount.objects.get(handle="wxm")
    bad = client.post(f"{P}/{connector.pk}/accounts/", {"account": wxm.pk, f"a{wxm.pk}-employee": "nobody"})
    assert bad.status_code == 200 and b"No one by that name" in bad.content
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"{P}/{connector.pk}/accounts/", {"account": wxm.pk, f"a{wxm.pk}-employee_id": wang.pk})
    assert done.status_code == 302
    assert ToolAccount.objects.get(pk=wxm.pk).employee_id == wang.pk
    assert Observation.objects.filter(employee=wang, source="connector:gitlab").count() == 1
    undone = client.post(f"{P}/{connector.pk}/accounts/", {"account": wxm.pk, "unmatch": "1"})
    assert undone.status_code == 302 and ToolAccount.objects.get(pk=wxm.pk).employee_id is None


def test_a_pull_connector_page_names_its_kinds_and_refuses_a_bad_one(world, client_for, metrics):
    client = client_for("hr")
    client.cookies["django_language"] = "en"
    form = {"kind": "pull", "key": "crm", "name": "CRM", "base_url": "https://crm.example.com/deals.csv",
            "act_as": str(world.hr.pk), "format": "csv", "field_account": "owner", "field_kind_value": "deal_won",
            "field_occurred_at": "closed_at", "field_external_id": "deal_id", "every_minutes": "30"}
    response = client.post(f"{P}/new/", form)
    connector = Connector.objects.get()
    assert response.status_code == 200 and connector.secret in response.content.decode()
    assert connector.config["fields"]["kind_value"] == "deal_won" and connector.config["every_minutes"] == 30
    detail = client.get(f"{P}/{connector.pk}/")
    assert b'value="deal_won"' in detail.content
    bad = client.post(f"{P}/{connector.pk}/", {"map-kind-0": "Deal Won!", "map-metric-0": "reviews"})
    assert bad.status_code == 200 and "lower-case letters" in bad.content.decode()
    assert not connector.mappings.exists()
    good = client.post(f"{P}/{connector.pk}/", {"map-kind-0": "deal_won", "map-metric-0": "reviews"})
    assert good.status_code == 302 and list(connector.mappings.values_list("event_kind", flat=True)) == ["deal_won"]
