"""Jira Cloud's webhooks, received.

Checked by the webhook's secret as Atlassian documents it: ``X-Hub-Signature`` is ``sha256=`` and the
hex HMAC-SHA256 of the raw body (compared in constant time); a delivery is known by
``X-Atlassian-Webhook-Identifier``; the payload's ``webhookEvent`` names the event.

Facts come from ``jira:issue_updated`` deliveries, for the issue's assignee (``accountId``, e-mail and
name when Jira gives them) or, when nobody is assigned, for the account that made the change (``user``):

* an issue moved into a done status — the issue's status is in the category ``done`` or the change's
  new status is one of the connector's ``done_statuses`` (setting; default ``["Done"]``) — gives
  ``issue_done`` (external id ``done:<issue key>``) and ``story_points`` valued at the story points
  field (setting ``story_points_field``; default ``customfield_10016``; none when the field is empty;
  external id ``points:<issue key>``), both at the issue's ``resolutiondate`` (else the event's time);
* a change of the story points of a done issue gives ``story_points`` again with the same external id
  and moment: a correction of the value counted;
* an issue moved out of a done status (the change's old status is one of ``done_statuses``) gives
  ``issue_reopened`` (external id ``reopened:<issue key>:<event timestamp>``: each reopening counts).

A move from one done status to another counts nothing. Every other event is accepted and counts nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from talentloop.integrations.connectors.base import AccountRef, Parsed, ToolFact, UnknownShape, Unverified
from talentloop.integrations.connectors.jira import payloads as p
from talentloop.integrations.connectors.receiving import (
    delivery_id,
    email_or_blank,
    header,
    json_object,
    load,
    signature_matches,
)

ISSUE_UPDATED = "jira:issue_updated"
DEFAULT_DONE_STATUSES = ("Done",)
DEFAULT_STORY_POINTS_FIELD = "customfield_10016"
# The names Jira gives the story points field in a changelog (company- and team-managed projects).
STORY_POINTS_NAMES = {"story points", "story point estimate"}


def _settings(config: Mapping[str, Any] | None) -> tuple[set[str], str]:
    config = config or {}
    statuses = config.get("done_statuses") or DEFAULT_DONE_STATUSES
    if isinstance(statuses, str):
        statuses = [statuses]
    done = {str(s).strip().lower() for s in statuses if str(s).strip()}
    field = str(config.get("story_points_field") or DEFAULT_STORY_POINTS_FIELD).strip()
    return done, field


def _points(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool | dict | list):
        return None
    try:
        points = Decimal(str(value))
    except InvalidOperation:
        return None
    return points if points.is_finite() else None


def _account(user: p.User) -> AccountRef:
    return AccountRef(handle=user.accountId, email=email_or_blank(user.emailAddress),
                      display_name=user.displayName or "")


def _facts(event: p.IssueEvent, config: Mapping[str, Any] | None) -> list[ToolFact]:
    done_names, points_field = _settings(config)
    issue, fields = event.issue, event.issue.fields
    items = event.changelog.items if event.changelog else []
    status_change = next((i for i in reversed(items) if i.field.lower() == "status" or i.fieldId == "status"), None)
    points_change = any(i.fieldId == points_field or i.field.lower() in STORY_POINTS_NAMES for i in items)
    category = (fields.status.statusCategory.key if fields.status and fields.status.statusCategory else "").lower()
    current = (fields.status.name if fields.status else "").strip().lower()
    is_done = category == "done" or current in done_names
    if status_change is None and not (points_change and is_done):
        return []
    person = fields.assignee or event.user
    if person is None:
        raise UnknownShape(_("The payload names no assignee and no user."))
    account = _account(person)
    if event.timestamp is not None:
        at_event = dt.datetime.fromtimestamp(event.timestamp / 1000, tz=dt.UTC)
    elif fields.updated is not None:
        at_event = fields.updated
    else:
        raise UnknownShape(_("The payload has no “%(field)s”.") % {"field": "timestamp"})
    done_at = fields.resolutiondate or at_event
    key = issue.key

    def points() -> list[ToolFact]:
        value = _points(fields.get(points_field))
        if value is None:
            return []
        return [ToolFact(event_kind="story_points", external_id=f"points:{key}", account=account,
                         occurred_at=done_at, value=value)]

    if status_change is None:  # the story points of a done issue changed
        return points()
    moved_in = category == "done" or (status_change.toString or "").strip().lower() in done_names
    was_done = (status_change.fromString or "").strip().lower() in done_names
    if moved_in and not was_done:
        return [ToolFact(event_kind="issue_done", external_id=f"done:{key}", account=account, occurred_at=done_at),
                *points()]
    if was_done and not moved_in:
        stamp = event.timestamp if event.timestamp is not None else int(at_event.timestamp() * 1000)
        return [ToolFact(event_kind="issue_reopened", external_id=f"reopened:{key}:{stamp}", account=account,
                         occurred_at=at_event)]
    if points_change and is_done:
        return points()
    return []


class JiraWebhook:
    kind = "jira"

    def verify(self, connector, headers: Mapping[str, str], body: bytes, now: float) -> str:
        if not signature_matches(header(headers, "x-hub-signature"), connector.secret, body):
            raise Unverified(_("The Jira signature (X-Hub-Signature) is missing or does not match."))
        return delivery_id(headers, "x-atlassian-webhook-identifier")

    def parse(self, headers: Mapping[str, str], body: bytes, config: Mapping[str, Any] | None = None) -> Parsed:
        data = json_object(body)
        event = load(p.Envelope, data).webhookEvent
        if event != ISSUE_UPDATED:
            return Parsed(event_name=event[:80], facts=[])
        return Parsed(event_name=event, facts=_facts(load(p.IssueEvent, data), config))


KIND = JiraWebhook()
