"""Jira's reading side: the issues that reached a done status in the last days, and their story points.

The address is the Jira site (``https://example.atlassian.net``). Jira Cloud takes basic
authentication with the account's e-mail (``email`` in the settings) and an API token; without an
e-mail the token is sent as ``Authorization: Bearer`` (a personal access token of Jira Data Center).
Issues are searched with JQL at ``/rest/api/3/search/jql`` (100 at a time, ``nextPageToken``); a site
without it (Data Center) is searched at ``/rest/api/2/search`` (``startAt``/``maxResults``).

Which issues: ``status in (<done statuses>) AND status changed to (<done statuses>) after <start>``,
narrowed by the settings' ``jql`` when given (``project = ABC``). Each gives ``issue_done``
(``done:<key>``) for its assignee, and ``story_points`` (``points:<key>``, the value of the settings'
``story_points_field``, default ``customfield_10016``) when it has points — the webhook's ids.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import httpx
from django.utils.translation import gettext as _

from talentloop.integrations.connectors import rest
from talentloop.integrations.connectors.base import AccountRef, ConnectionProblem, RowProblem, ToolFact

if TYPE_CHECKING:
    from talentloop.integrations.models import Connector

VENDOR = "Jira"
PER_PAGE = 100
DEFAULT_DONE = ["Done"]
DEFAULT_POINTS = "customfield_10016"
FIELD_RE = re.compile(r"^[A-Za-z0-9_]{1,60}$")
MAX_JQL = 1000


def _base(connector: Connector) -> str:
    return (connector.base_url or "").rstrip("/")


def _auth(connector: Connector) -> tuple[dict[str, str], httpx.BasicAuth | None]:
    headers = {"Accept": "application/json"}
    email = str((connector.config or {}).get("email") or "").strip()
    if email:
        return headers, httpx.BasicAuth(email, connector.api_token)
    if connector.api_token:
        headers["Authorization"] = f"Bearer {connector.api_token}"
    return headers, None


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jql_for(config: dict, since: dt.date) -> str:
    statuses = ", ".join(_quoted(s) for s in (config.get("done_statuses") or DEFAULT_DONE))
    query = f'status in ({statuses}) AND status changed to ({statuses}) after "{since.isoformat()}"'
    scope = str(config.get("jql") or "").strip()
    return f"({scope}) AND {query}" if scope else query


def account_of(user: Any) -> AccountRef | None:
    if not isinstance(user, dict):
        return None
    handle = user.get("accountId") or user.get("name") or user.get("key")
    if not handle:
        return None
    return AccountRef(handle=str(handle), email=str(user.get("emailAddress") or ""),
                      display_name=str(user.get("displayName") or ""))


class JiraClient:
    kind = "jira"

    def config_problems(self, config: dict) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        email = config.get("email", "")
        if email and (not isinstance(email, str) or "@" not in email or len(email) > 254):
            errors["email"] = [_("Enter the e-mail address of the account the API token belongs to.")]
        jql = config.get("jql", "")
        if jql and (not isinstance(jql, str) or len(jql) > MAX_JQL):
            errors["jql"] = [_("Give the JQL as text of at most %(n)d characters.") % {"n": MAX_JQL}]
        statuses = config.get("done_statuses", DEFAULT_DONE)
        if (not isinstance(statuses, list) or not all(isinstance(s, str) and s.strip() and len(s) <= 60
                                                         for s in statuses) or len(statuses) > 20):
            errors["done_statuses"] = [_("Give the done statuses as a list of status names.")]
        points = config.get("story_points_field", "")
        if points and (not isinstance(points, str) or not FIELD_RE.match(points)):
            errors["story_points_field"] = [_("Give the field's id, e.g. customfield_10016.")]
        return errors

    def check_connection(self, connector: Connector, client: httpx.Client) -> str:
        base = _base(connector)
        if not base:
            raise ConnectionProblem(_("Enter the Jira site's address in the connector's settings."))
        headers, auth = _auth(connector)
        try:
            response = rest.request(client, VENDOR, f"{base}/rest/api/3/myself", headers=headers, auth=auth)
        except ConnectionProblem:
            response = rest.request(client, VENDOR, f"{base}/rest/api/2/myself", headers=headers, auth=auth)
        me = rest.json_of(response, VENDOR) or {}
        return _("Connected to Jira as %(name)s.") % {"name": me.get("displayName") or me.get("name") or "?"}

    def backfill(self, connector: Connector, since: dt.date,
                 client: httpx.Client) -> Iterator[ToolFact | RowProblem]:
        base = _base(connector)
        if not base:
            raise ConnectionProblem(_("Enter the Jira site's address in the connector's settings."))
        config = connector.config or {}
        points_field = str(config.get("story_points_field") or DEFAULT_POINTS)
        fields = ["assignee", "status", "resolutiondate", "statuscategorychangedate", "updated", points_field]
        for n, issue in enumerate(self._issues(client, connector, jql_for(config, since), fields), start=1):
            yield from self._facts(issue, n, points_field)

    def _issues(self, client: httpx.Client, connector: Connector, jql: str, fields: list[str]) -> Iterator[dict]:
        base = _base(connector)
        headers, auth = _auth(connector)
        params: dict[str, Any] = {"jql": jql, "fields": ",".join(fields), "maxResults": PER_PAGE}
        url = f"{base}/rest/api/3/search/jql"
        try:
            first = rest.request(client, VENDOR, url, params=params, headers=headers, auth=auth)
        except ConnectionProblem:
            if not self._missing(client, url, headers, auth):
                raise
            yield from self._issues_by_offset(client, f"{base}/rest/api/2/search", params, headers, auth)
            return
        response = first
        for _page in range(rest.MAX_PAGES):
            body = rest.json_of(response, VENDOR) or {}
            issues = body.get("issues") or []
            yield from issues
            token = body.get("nextPageToken")
            if body.get("isLast", not token) or not token or not issues:
                return
            response = rest.request(client, VENDOR, url, params={**params, "nextPageToken": token},
                                    headers=headers, auth=auth)

    @staticmethod
    def _missing(client: httpx.Client, url: str, headers: dict, auth: Any) -> bool:
        """Whether the site lacks the newer search (Data Center answers 404 there)."""
        try:
            return client.get(url, params={"jql": "key = NONE-0", "maxResults": 0}, headers=headers,
                              auth=auth).status_code == 404
        except httpx.HTTPError:
            return False

    def _issues_by_offset(self, client: httpx.Client, url: str, params: dict, headers: dict,
                          auth: Any) -> Iterator[dict]:
        start_at = 0
        for _page in range(rest.MAX_PAGES):
            body = rest.json_of(rest.request(client, VENDOR, url, params={**params, "startAt": start_at},
                                             headers=headers, auth=auth), VENDOR) or {}
            issues = body.get("issues") or []
            yield from issues
            start_at += len(issues)
            if not issues or start_at >= int(body.get("total") or 0):
                return

    def _facts(self, issue: dict, n: int, points_field: str) -> Iterator[ToolFact | RowProblem]:
        key = issue.get("key")
        fields = issue.get("fields") or {}
        if not key:
            yield RowProblem(row=n, field="key", reason=_("The issue has no key."))
            return
        assignee = account_of(fields.get("assignee"))
        if assignee is None:
            return  # done by nobody in particular: nothing to count for a person
        done_at = (rest.moment(fields.get("resolutiondate")) or rest.moment(fields.get("statuscategorychangedate"))
                   or rest.moment(fields.get("updated")))
        if done_at is None:
            yield RowProblem(row=n, field="resolutiondate", reason=_("Issue %(key)s has no moment it was done.")
                             % {"key": key})
            return
        yield ToolFact(event_kind="issue_done", external_id=f"done:{key}", account=assignee, occurred_at=done_at)
        points = fields.get(points_field)
        if points in (None, ""):
            return
        try:
            value = Decimal(str(points))
        except (InvalidOperation, ValueError):
            yield RowProblem(row=n, field=points_field, reason=_("Issue %(key)s: the story points are not a number.")
                             % {"key": key})
            return
        if value.is_finite() and value > 0:
            yield ToolFact(event_kind="story_points", external_id=f"points:{key}", account=assignee,
                           occurred_at=done_at, value=value)


CLIENT = JiraClient()
