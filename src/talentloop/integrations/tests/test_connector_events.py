"""Facts from work tools: stored by external id, matched to people, recorded as observations; a
re-delivery changes nothing, an edit corrects, an unmatched account's facts wait and flow once matched."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.integrations.connectors.base import AccountRef, ToolFact
from talentloop.integrations.models import (
    Connector,
    ConnectorKind,
    ConnectorMapping,
    MatchedBy,
    ToolAccount,
    ToolEvent,
    ToolEventStatus,
)
from talentloop.integrations.services.connector_events import (
    tool_account_match,
    tool_events_record,
    tool_events_requeue,
    tool_facts_store,
)
from talentloop.performance.models import Aggregation, Observation
from talentloop.performance.services.config import metric_save
from talentloop.testing.factories import grant

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def connector(world):
    hr = actor_for(world.hr)
    metric_save(actor=hr, data={"key": "mrs-merged", "name": "合并请求", "aggregation": Aggregation.COUNT})
    connector = Connector.objects.create(key="gitlab", name="GitLab", kind=ConnectorKind.GITLAB, secret="s3cret",
                                         act_as=world.hr)
    ConnectorMapping.objects.create(connector=connector, event_kind="mr_merged", metric_key="mrs-merged")
    return connector


def _fact(world, handle="employee", email="", ext="mr:1", value=1, at=NOW - dt.timedelta(days=1), kind="mr_merged"):
    return ToolFact(event_kind=kind, external_id=ext, account=AccountRef(handle=handle, email=email),
                    occurred_at=at, value=D(value))


def _observations(connector):
    return list(Observation.objects.filter(source=f"connector:{connector.key}").order_by("pk")
                .values_list("employee_id", "value", "is_current"))


@time_machine.travel(NOW, tick=False)
def test_a_fact_is_matched_by_handle_recorded_once_and_corrected_by_an_edit(
        world, connector, django_capture_on_commit_callbacks):
    employee = world.emp(world.employee)
    with django_capture_on_commit_callbacks(execute=True):
        first = tool_facts_store(connector=connector, facts=[_fact(world)])
    assert first.as_dict() == {"new": 1, "changed": 0, "unchanged": 0, "accounts_created": 1, "accounts_matched": 1}
    account = ToolAccount.objects.get(connector=connector, handle="employee")
    assert (account.employee_id, account.matched_by) == (employee.pk, MatchedBy.HANDLE)
    assert ToolEvent.objects.get().status == ToolEventStatus.RECORDED
    assert _observations(connector) == [(employee.pk, D(1), True)]
    # A re-delivery changes nothing; an edit becomes a correction.
    with django_capture_on_commit_callbacks(execute=True):
        again = tool_facts_store(connector=connector, facts=[_fact(world)])
        edited = tool_facts_store(connector=connector, facts=[_fact(world, value=3)])
    assert (again.unchanged, edited.changed) == (1, 1)
    assert _observations(connector) == [(employee.pk, D(1), False), (employee.pk, D(3), True)]
    assert connector.__class__.objects.get(pk=connector.pk).last_event_at == NOW


@time_machine.travel(NOW, tick=False)
def test_an_unmatched_account_waits_and_flows_once_matched(world, connector, django_capture_on_commit_callbacks):
    employee = world.emp(world.mentor)
    with django_capture_on_commit_callbacks(execute=True):
        tool_facts_store(connector=connector, facts=[_fact(world, handle="zhang.w", ext="mr:7")])
    event = ToolEvent.objects.get()
    assert event.status == ToolEventStatus.UNMATCHED
    assert _observations(connector) == []
    account = ToolAccount.objects.get(handle="zhang.w")
    with pytest.raises(PermissionDenied):
        tool_account_match(actor=actor_for(world.employee), account=account, employee=employee)
    with django_capture_on_commit_callbacks(execute=True):
        tool_account_match(actor=actor_for(world.hr), account=account, employee=employee)
    assert ToolEvent.objects.get().status == ToolEventStatus.RECORDED
    assert _observations(connector) == [(employee.pk, D(1), True)]


@time_machine.travel(NOW, tick=False)
def test_matching_to_a_person_out_of_scope_is_refused(world, connector):
    tool_facts_store(connector=connector, facts=[_fact(world, handle="x", ext="mr:8")])
    account = ToolAccount.objects.get(handle="x")
    grant(world.manager, "hr", world.rnd)  # HR for R&D only
    with pytest.raises(InvalidInput):
        tool_account_match(actor=actor_for(world.manager), account=account, employee=world.emp(world.outsider))
    assert ToolAccount.objects.get(handle="x").employee_id is None


@time_machine.travel(NOW, tick=False)
def test_e_mail_matches_first_and_an_ambiguous_one_is_left_to_hr(world, connector):
    employee = world.emp(world.lead)
    employee.email = "Lead@Example.com"
    employee.save(update_fields=["email"])
    tool_facts_store(connector=connector, facts=[_fact(world, handle="someone", email="lead@example.com", ext="a"),
                                                 _fact(world, handle="other", email="nobody@example.com", ext="b")])
    matched = dict(ToolAccount.objects.values_list("handle", "matched_by"))
    assert matched == {"someone": MatchedBy.EMAIL, "other": MatchedBy.NONE}


@time_machine.travel(NOW, tick=False)
def test_an_unmapped_kind_is_ignored_until_mapped_and_a_rejected_fact_fails_alone(world, connector):
    tool_facts_store(connector=connector, facts=[
        _fact(world, kind="review_given", ext="r:1"),
        _fact(world, ext="mr:future", at=NOW + dt.timedelta(days=3)),
        _fact(world, ext="mr:2"),
    ])
    result = tool_events_record()
    assert (result.recorded, result.ignored, result.failed) == (1, 1, 1)
    statuses = dict(ToolEvent.objects.values_list("external_id", "status"))
    assert statuses == {"r:1": "ignored", "mr:future": "failed", "mr:2": "recorded"}
    assert "occurred_at" in ToolEvent.objects.get(external_id="mr:future").error
    assert Connector.objects.get(pk=connector.pk).last_error
    ConnectorMapping.objects.create(connector=connector, event_kind="review_given", metric_key="mrs-merged")
    assert tool_events_requeue(connector=connector) == 2
    result = tool_events_record()
    assert (result.recorded, result.failed) == (1, 1)


@time_machine.travel(NOW, tick=False)
def test_a_connector_whose_account_lost_its_rights_keeps_its_facts_queued(world, connector):
    tool_facts_store(connector=connector, facts=[_fact(world, ext="mr:3")])
    world.hr.is_active = False
    world.hr.save(update_fields=["is_active"])
    result = tool_events_record()
    assert result.recorded == 0 and result.errors
    assert ToolEvent.objects.get().status == ToolEventStatus.QUEUED
    assert Connector.objects.get(pk=connector.pk).last_error
    assert timezone.now() == NOW


@time_machine.travel(NOW, tick=False)
def test_one_connectors_failure_leaves_its_facts_queued_and_the_others_recorded(world, connector, monkeypatch):
    other = Connector.objects.create(key="a-connector-key-as-long-as-the-form-allows-it-to-be-sixty-ch",
                                     name="Jira", kind=ConnectorKind.JIRA, secret="s", act_as=world.hr)
    ConnectorMapping.objects.create(connector=other, event_kind="issue_done", metric_key="mrs-merged")
    tool_facts_store(connector=connector, facts=[_fact(world, ext="mr:9")])
    tool_facts_store(connector=other, facts=[_fact(world, ext="done:X-1", kind="issue_done")])
    from talentloop.integrations.services import connector_events

    real = connector_events.observations_ingest

    def failing_for_gitlab(*, actor, items, **kwargs):
        if items[0]["source"] == "connector:gitlab":
            raise RuntimeError("the database went away")
        return real(actor=actor, items=items, **kwargs)

    monkeypatch.setattr(connector_events, "observations_ingest", failing_for_gitlab)
    result = tool_events_record()
    assert result.recorded == 1 and result.errors == ["gitlab: RuntimeError"]
    statuses = dict(ToolEvent.objects.values_list("external_id", "status"))
    assert statuses == {"mr:9": "queued", "done:X-1": "recorded"}
    assert Connector.objects.get(pk=connector.pk).last_error
    # A key of sixty characters names the observations' source, cut to the column's length.
    assert Observation.objects.filter(source=f"connector:{other.key}"[:60]).count() == 1


@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=True)
def test_the_recording_job_lingers_for_facts_a_process_stored_without_asking_for_a_job(world, connector):
    """A web process that just asked for a job does not ask again for a third of the linger; the job
    records what such a process stores while it lingers."""
    from django.test import override_settings

    from talentloop.integrations.services import connector_events

    stored_later = threading.Timer(0.1, lambda: _store_in_thread(connector, _fact(world, ext="mr:21")))
    with override_settings(TALENTLOOP_CONNECTORS_RECORD_LINGER=0.6, TALENTLOOP_CONNECTORS_RECORD_AT_ONCE=False):
        tool_facts_store(connector=connector, facts=[_fact(world, ext="mr:20")])
        stored_later.start()
        result = connector_events.tool_events_record_queued()
        stored_later.join()
    assert result.recorded == 2
    assert set(ToolEvent.objects.values_list("status", flat=True)) == {"recorded"}


def _store_in_thread(connector, fact):
    from django.db import connection

    try:
        tool_facts_store(connector=connector, facts=[fact])
    finally:
        connection.close()
