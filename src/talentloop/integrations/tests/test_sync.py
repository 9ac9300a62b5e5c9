"""Reading the tools back: each vendor's REST API (a local stand-in that checks the headers, the
authentication and the paging parameters each vendor documents, with two pages or more), the facts
and external ids they give (those of the webhooks), a second reading changing nothing, the generic
pull of CSV and JSON with a bad row, a vendor that refuses the token or cannot be reached, the
command, the API, the page's buttons and the periodic pull of the due connectors only."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal as D
from urllib.parse import parse_qs

import httpx
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from talentloop.core.access import actor_for
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.integrations.connectors import CLIENTS, rest
from talentloop.integrations.connectors.base import RowProblem
from talentloop.integrations.models import Connector, ConnectorKind, SyncRun, ToolAccount, ToolEvent
from talentloop.integrations.services import sync

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SINCE = dt.date(2026, 11, 1)
A = "/api/v1/connectors"


class StandIn:
    """A vendor's REST API: ``routes`` maps a raw path (percent-encoding kept) to a function of the
    request answering (status, body, headers); every request is kept for the assertions."""

    def __init__(self, routes: dict):
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.raw_path.split(b"?")[0].decode()
        handler = self.routes.get(path)
        if handler is None:
            return httpx.Response(404, json={"message": "404 Not Found"})
        status, body, headers = handler(request)
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=headers)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self), timeout=rest.TIMEOUT)

    def params(self, path: str) -> list[dict]:
        return [{k: v[0] for k, v in parse_qs(r.url.query.decode()).items()} for r in self.requests
                if r.url.raw_path.split(b"?")[0].decode() == path]


def _connector(world, kind: str, **extra) -> Connector:
    defaults = {"key": kind, "name": kind, "kind": kind, "secret": "s", "act_as": world.hr, "api_token": "tok-123"}
    return Connector.objects.create(**{**defaults, **extra})


def _facts(connector) -> list[tuple]:
    return sorted((e.event_kind, e.external_id, e.account.handle, e.value, e.occurred_at)
                  for e in ToolEvent.objects.filter(connector=connector).select_related("account"))


def _user(login: str) -> dict:
    return {"username": login, "name": login.title(), "login": login}


# --- GitLab ----------------------------------------------------------------------------------------------

GL = "/api/v4/projects/platform%2Fapi"
GL_URL = "https://gitlab.example.com"
GL_CONFIG = {"projects": ["platform/api"]}


def gitlab_api() -> StandIn:
    def merge_requests(request):
        page = request.url.params.get("page", "1")
        if page == "1":
            return 200, [
                {"project_id": 7, "iid": 1, "title": "Add login", "merged_at": "2026-11-03T02:00:00Z",
                 "author": _user("employee"), "merge_user": _user("employee")},
                # Merged before the start, changed since: not counted again.
                {"project_id": 7, "iid": 2, "title": "Old", "merged_at": "2026-10-20T02:00:00Z",
                 "author": _user("employee")},
            ], {"X-Next-Page": "2", "X-Page": "1"}
        # Merged by someone else than its author: counted for whoever merged, as the webhook does.
        return 200, [{"project_id": 7, "iid": 3, "title": 'Revert "Add login"', "merged_at": "2026-11-05T08:30:00Z",
                      "description": "This reverts merge request !1", "author": _user("lead"),
                      "merged_by": _user("manager")}], {"X-Next-Page": "", "X-Page": "2"}

    def approvals(iid):
        users = {1: [{"user": _user("manager")}, {"user": _user("ghost")}], 3: []}[iid]
        return lambda request: (200, {"approved_by": users}, {})

    def issues(request):
        if "page" not in request.url.params:
            nxt = f"https://gitlab.example.com{GL}/issues?page=2&per_page=100&state=closed"
            return 200, [{"project_id": 7, "iid": 10, "closed_at": "2026-11-04T00:00:00Z",
                          "closed_by": _user("employee")}], {"Link": f'<{nxt}>; rel="next"'}
        return 200, [{"project_id": 7, "iid": 11, "closed_at": "2026-11-06T00:00:00Z", "closed_by": _user("mentor")},
                     {"project_id": 7, "iid": 12, "closed_at": "2026-11-06T00:00:00Z", "closed_by": None}], {}

    return StandIn({f"{GL}/merge_requests": merge_requests, f"{GL}/issues": issues,
                    "/api/v4/projects/7/merge_requests/1/approvals": approvals(1),
                    "/api/v4/projects/7/merge_requests/3/approvals": approvals(3),
                    "/api/v4/user": lambda r: (200, _user("bot"), {}), GL: lambda r: (200, {"id": 7}, {})})


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@time_machine.travel(NOW, tick=False)
def test_gitlab_backfill_pages_through_merge_requests_approvals_and_issues(world):
    connector = _connector(world, "gitlab", base_url="https://gitlab.example.com",
                           config=GL_CONFIG)
    api = gitlab_api()
    run = sync.connector_sync(actor=actor_for(world.hr), connector=connector, since=SINCE, client=api.client())
    assert (run.status, run.fetched, run.new, run.error_count) == (SyncRun.Status.SUCCEEDED, 7, 7, 0)
    one = D(1)
    assert _facts(connector) == sorted([
        ("merged", "mr:7:1", "employee", one, _at("2026-11-03T02:00:00Z")),
        ("review", "review:7:1:manager", "manager", one, _at("2026-11-03T02:00:00Z")),
        ("review", "review:7:1:ghost", "ghost", one, _at("2026-11-03T02:00:00Z")),
        ("merged", "mr:7:3", "manager", one, _at("2026-11-05T08:30:00Z")),
        # The revert counts for the reverted change's author.
        ("revert", "revert:mr:7:1", "employee", one, _at("2026-11-05T08:30:00Z")),
        ("issue_closed", "issue:7:10", "employee", one, _at("2026-11-04T00:00:00Z")),
        ("issue_closed", "issue:7:11", "mentor", one, _at("2026-11-06T00:00:00Z")),
    ])
    # The token in GitLab's header, the project's path encoded, the pages by X-Next-Page and by Link.
    assert all(r.headers["PRIVATE-TOKEN"] == "tok-123" for r in api.requests)
    first, second = api.params(f"{GL}/merge_requests")
    assert first == {"state": "merged", "updated_after": "2026-11-01T00:00:00+08:00", "order_by": "updated_at",
                     "sort": "asc", "scope": "all", "per_page": "100"}
    assert second == {**first, "page": "2"}
    assert [p.get("page") for p in api.params(f"{GL}/issues")] == [None, "2"]
    assert ToolAccount.objects.get(connector=connector, handle="employee").employee_id == world.emp(world.employee).pk
    connector.refresh_from_db()
    assert connector.last_synced_at == NOW
    # Read again: nothing changed.
    again = sync.connector_sync(actor=None, connector=connector, since=SINCE, client=gitlab_api().client())
    assert (again.status, again.fetched, again.new, again.changed, again.unchanged) == ("succeeded", 7, 0, 0, 7)
    assert ToolEvent.objects.filter(connector=connector).count() == 7


@time_machine.travel(NOW, tick=False)
def test_gitlab_approvals_without_their_moment_never_overwrite_the_webhooks(world):
    from talentloop.integrations.connectors.base import AccountRef, ToolFact
    from talentloop.integrations.services.connector_events import tool_facts_store

    connector = _connector(world, "gitlab", base_url=GL_URL, config=GL_CONFIG)
    approved = _at("2026-11-02T23:00:00Z")
    tool_facts_store(connector=connector, facts=[ToolFact(event_kind="review", external_id="review:7:1:manager",
                                                          account=AccountRef(handle="manager"), occurred_at=approved)])
    run = sync.connector_sync(actor=None, connector=connector, since=SINCE, client=gitlab_api().client())
    assert (run.new, run.unchanged) == (6, 1)
    assert ToolEvent.objects.get(external_id="review:7:1:manager").occurred_at == approved


@time_machine.travel(NOW, tick=False)
def test_gitlab_test_says_who_the_token_is(world):
    connector = _connector(world, "gitlab", base_url="https://gitlab.example.com/", config=GL_CONFIG)
    with translation.override("en"):
        run = sync.connector_test(actor=actor_for(world.hr), connector=connector, client=gitlab_api().client())
    assert (run.kind, run.status, run.message) == ("test", "succeeded", "Connected to GitLab as bot.")
    assert not ToolEvent.objects.exists() and Connector.objects.get().last_synced_at is None


# --- GitHub ----------------------------------------------------------------------------------------------

GH = "/repos/acme/app"


def github_api() -> StandIn:
    def pulls(request):
        page = request.url.params.get("page", "1")
        if page == "1":
            return 200, [
                {"number": 5, "title": "Feature", "updated_at": "2026-11-10T00:00:00Z",
                 "merged_at": "2026-11-09T10:00:00Z", "user": {"login": "employee"}},
                {"number": 6, "title": "Closed unmerged", "updated_at": "2026-11-08T00:00:00Z", "merged_at": None,
                 "user": {"login": "manager"}},
            ], {"Link": f'<https://api.github.com{GH}/pulls?state=closed&page=2>; rel="next", '
                        f'<https://api.github.com{GH}/pulls?state=closed&page=3>; rel="last"'}
        if page == "2":
            return 200, [
                {"number": 4, "title": 'Revert "Feature"', "body": "Reverts acme/app#5",
                 "updated_at": "2026-11-03T00:00:00Z",
                 "merged_at": "2026-11-02T10:00:00Z", "user": {"login": "manager"}},
                # Changed before the start: the reading stops here, page 3 is never asked for.
                {"number": 2, "title": "Old", "updated_at": "2026-10-01T00:00:00Z", "merged_at": "2026-10-01T00:00:00Z",
                 "user": {"login": "manager"}},
            ], {"Link": f'<https://api.github.com{GH}/pulls?state=closed&page=3>; rel="next"'}
        raise AssertionError("page 3 read")

    def reviews(n):
        items = {5: [{"id": 901, "state": "APPROVED", "submitted_at": "2026-11-09T09:00:00Z",
                      "user": {"login": "mentor"}},
                     {"id": 902, "state": "PENDING", "user": {"login": "hr"}},
                     {"id": 904, "state": "DISMISSED", "submitted_at": "2026-11-09T08:00:00Z", "user": {"login": "hr"}},
                     {"id": 903, "state": "COMMENTED", "submitted_at": "2026-11-09T08:00:00Z",
                      "user": {"login": "manager"}}], 4: []}[n]
        return lambda request: (200, items, {})

    def issues(request):
        return 200, [{"number": 20, "closed_at": "2026-11-07T00:00:00Z", "user": {"login": "x"}},
                     {"number": 5, "closed_at": "2026-11-09T10:00:00Z", "pull_request": {"url": "..."}}], {}

    return StandIn({f"{GH}/pulls": pulls, f"{GH}/pulls/5/reviews": reviews(5), f"{GH}/pulls/4/reviews": reviews(4),
                    f"{GH}/issues": issues,
                    f"{GH}/issues/20": lambda r: (200, {"number": 20, "closed_by": {"login": "employee"}}, {}),
                    GH: lambda r: (200, {"full_name": "acme/app"}, {})})


@time_machine.travel(NOW, tick=False)
def test_github_backfill_follows_link_headers_and_stops_at_older_changes(world):
    connector = _connector(world, "github", base_url="https://github.com", config={"repositories": ["acme/app"]})
    api = github_api()
    run = sync.connector_sync(actor=actor_for(world.admin), connector=connector, since=SINCE, client=api.client())
    assert (run.status, run.new) == ("succeeded", 6)
    assert [(k, ext, who) for k, ext, who, _v, _at in _facts(connector)] == sorted([
        ("merged", "pr:acme/app:5", "employee"), ("review", "review:acme/app:901", "mentor"),
        ("review", "review:acme/app:903", "manager"), ("merged", "pr:acme/app:4", "manager"),
        ("revert", "revert:pr:acme/app:5", "employee"), ("issue_closed", "issue:acme/app:20", "employee")])
    assert {r.url.host for r in api.requests} == {"api.github.com"}
    assert all(r.headers["Authorization"] == "Bearer tok-123" and r.headers["Accept"] == "application/vnd.github+json"
               and r.headers["X-GitHub-Api-Version"] == "2022-11-28" for r in api.requests)
    first, second = api.params(f"{GH}/pulls")
    assert first == {"state": "closed", "sort": "updated", "direction": "desc", "per_page": "100"}
    assert second == {"state": "closed", "page": "2"}
    assert api.params(f"{GH}/issues") == [{"state": "closed", "since": "2026-11-01T00:00:00+08:00", "per_page": "100"}]
    again = sync.connector_sync(actor=None, connector=connector, since=SINCE, client=github_api().client())
    assert (again.new, again.changed, again.unchanged) == (0, 0, 6)


def test_github_enterprise_is_read_at_its_api_path(world):
    from talentloop.integrations.connectors.github.client import api_base

    assert api_base(Connector(base_url="https://ghe.example.com")) == "https://ghe.example.com/api/v3"
    assert api_base(Connector(base_url="")) == "https://api.github.com"


# --- Jira ------------------------------------------------------------------------------------------------


def jira_api(data_center: bool = False, email: str = "someone@example.com") -> StandIn:
    def search(request):
        token = request.url.params.get("nextPageToken")
        if token is None:
            return 200, {"issues": [
                {"key": "ABC-1", "fields": {"assignee": {"accountId": "acc-1", "emailAddress": email,
                                                         "displayName": "E"},
                                            "resolutiondate": "2026-11-03T10:00:00.000+0800", "customfield_10016": 3}},
                {"key": "ABC-2", "fields": {"assignee": None, "resolutiondate": "2026-11-03T10:00:00.000+0800"}},
            ], "nextPageToken": "t2", "isLast": False}, {}
        assert token == "t2"
        return 200, {"issues": [
            {"key": "ABC-3", "fields": {"assignee": {"accountId": "acc-2", "displayName": "M"},
                                        "resolutiondate": "2026-11-04T10:00:00.000+0000", "customfield_10016": "x"}},
        ], "isLast": True}, {}

    def search_v2(request):
        start = int(request.url.params["startAt"])
        issues = [{"key": f"DC-{start + 1}", "fields": {"assignee": {"name": "employee"},
                                                        "resolutiondate": "2026-11-03T10:00:00.000+0800",
                                                        "customfield_10016": 2}}]
        return 200, {"startAt": start, "maxResults": 1, "total": 2, "issues": issues}, {}

    routes = {"/rest/api/2/search": search_v2} if data_center else {"/rest/api/3/search/jql": search}
    return StandIn(routes)


def _basic(email, token) -> str:
    return "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()


@time_machine.travel(NOW, tick=False)
def test_jira_backfill_pages_by_token_with_basic_auth_and_reports_bad_points(world):
    connector = _connector(world, "jira", base_url="https://acme.atlassian.net",
                           config={"email": "bot@example.com", "jql": "project = ABC",
                                   "done_statuses": ["Done", "Closed"]})
    api = jira_api(email=world.emp(world.employee).email.upper())
    run = sync.connector_sync(actor=actor_for(world.hr), connector=connector, since=SINCE, client=api.client())
    assert (run.status, run.new, run.error_count) == ("partly", 3, 1)
    assert run.errors == [{"row": 3, "field": "customfield_10016",
                           "reason": run.errors[0]["reason"]}] and "ABC-3" in run.errors[0]["reason"]
    assert _facts(connector) == sorted([
        ("issue_done", "done:ABC-1", "acc-1", D(1), _at("2026-11-03T02:00:00Z")),
        ("story_points", "points:ABC-1", "acc-1", D(3), _at("2026-11-03T02:00:00Z")),
        ("issue_done", "done:ABC-3", "acc-2", D(1), _at("2026-11-04T10:00:00Z"))])
    # Matched by e-mail, whatever its case.
    assert ToolAccount.objects.get(handle="acc-1").employee_id == world.emp(world.employee).pk
    assert all(r.headers["Authorization"] == _basic("bot@example.com", "tok-123") for r in api.requests)
    first, second = api.params("/rest/api/3/search/jql")
    assert first["jql"] == ('(project = ABC) AND status in ("Done", "Closed") AND status changed to ("Done", "Closed") '
                            'after "2026-11-01"')
    assert first["maxResults"] == "100" and "customfield_10016" in first["fields"] and "nextPageToken" not in first
    assert second["nextPageToken"] == "t2"


@time_machine.travel(NOW, tick=False)
def test_jira_data_center_is_searched_by_offset_with_a_bearer_token(world):
    connector = _connector(world, "jira", base_url="https://jira.example.com", config={})
    api = jira_api(data_center=True)
    run = sync.connector_sync(actor=None, connector=connector, since=SINCE, client=api.client())
    assert (run.status, run.new) == ("succeeded", 4)
    assert [p["startAt"] for p in api.params("/rest/api/2/search")] == ["0", "1"]
    assert all(r.headers.get("Authorization") == "Bearer tok-123" for r in api.requests)


# --- The generic pull ------------------------------------------------------------------------------------

PULL_CONFIG = {"format": "csv", "every_minutes": 60,
               "fields": {"account": "user", "email": "mail", "kind": "type", "value": "amount",
                          "occurred_at": "when", "external_id": "id"}}
CSV = ("\ufeffid,user,mail,type,amount,when\n"
       "d-1,employee,,Deal Won,1200.50,2026-11-03T10:00:00+08:00\n"
       "d-2,manager,,deal_won,lots,2026-11-04\n"
       "d-3,ghost,ghost@example.com,csat,4.5,2026-11-05\n").encode()


def pull_api(body: bytes, status: int = 200) -> StandIn:
    return StandIn({"/export.csv": lambda r: (status, body, {"Content-Type": "text/csv"}),
                    "/export.json": lambda r: (status, body, {"Content-Type": "application/json"})})


@time_machine.travel(NOW, tick=False)
def test_pull_csv_takes_the_good_rows_and_reports_the_bad_one_by_line(world):
    connector = _connector(world, "pull", base_url="https://crm.example.com/export.csv", config=PULL_CONFIG)
    api = pull_api(CSV)
    with translation.override("en"):
        run = sync.connector_sync(actor=actor_for(world.hr), connector=connector, client=api.client())
    assert (run.status, run.kind, run.fetched, run.new, run.error_count) == ("partly", "pull", 2, 2, 1)
    assert run.errors == [{"row": 3, "field": "amount", "reason": "Not a number."}]
    assert _facts(connector) == sorted([
        ("deal_won", "d-1", "employee", D("1200.5"), _at("2026-11-03T02:00:00Z")),
        ("csat", "d-3", "ghost", D("4.5"), _at("2026-11-04T16:00:00Z"))])
    assert api.requests[0].headers["Authorization"] == "Bearer tok-123"
    assert ToolAccount.objects.get(handle="ghost").email == "ghost@example.com"
    again = sync.connector_sync(actor=None, connector=connector, client=pull_api(CSV).client())
    assert (again.new, again.changed, again.unchanged, again.error_count) == (0, 0, 2, 1)


@time_machine.travel(NOW, tick=False)
def test_pull_json_items_with_a_fixed_kind_and_a_bad_moment(world):
    config = {"format": "json", "every_minutes": 30,
              "fields": {"account": "agent", "kind_value": "ticket_solved", "occurred_at": "solved_at",
                         "external_id": "ticket"}}
    connector = _connector(world, "pull", base_url="https://desk.example.com/export.json", config=config, api_token="")
    body = json.dumps({"items": [{"ticket": 1, "agent": "employee", "solved_at": "2026-11-02T01:00:00Z"},
                                 {"ticket": 2, "agent": "employee", "solved_at": "yesterday"},
                                 {"ticket": 3, "agent": "", "solved_at": "2026-11-02T01:00:00Z"},
                                 "not an object"]}).encode()
    api = pull_api(body)
    run = sync.connector_sync(actor=None, connector=connector, client=api.client())
    assert (run.status, run.new, run.error_count) == ("partly", 1, 3)
    assert [(e["row"], e["field"]) for e in run.errors] == [(2, "solved_at"), (3, "agent"), (4, "")]
    assert _facts(connector) == [("ticket_solved", "1", "employee", D(1), _at("2026-11-02T01:00:00Z"))]
    assert "Authorization" not in api.requests[0].headers


def test_pull_settings_are_checked_field_by_field():
    problems = CLIENTS["pull"].config_problems({"format": "xml", "every_minutes": 1,
                                               "fields": {"account": "", "value": 3, "nope": "x"}})
    assert set(problems) == {"format", "every_minutes", "fields", "fields.value", "fields.account",
                             "fields.occurred_at", "fields.external_id", "fields.kind"}
    assert CLIENTS["pull"].config_problems(PULL_CONFIG) == {}
    assert CLIENTS["gitlab"].config_problems({"projects": ["group/app", 12]}) == {}
    assert "projects" in CLIENTS["gitlab"].config_problems({"projects": ["no spaces here"]})
    assert "repositories" in CLIENTS["github"].config_problems({"repositories": ["just-a-name"]})
    assert set(CLIENTS["jira"].config_problems({"email": "nope", "done_statuses": "Done",
                                                "story_points_field": "story points"})) == {
        "email", "done_statuses", "story_points_field"}


def test_a_pull_file_missing_a_mapped_column_fails_the_run(world):
    connector = _connector(world, "pull", base_url="https://crm.example.com/export.csv", config=PULL_CONFIG)
    with translation.override("en"):
        run = sync.connector_sync(actor=None, connector=connector,
                                  client=pull_api(b"id,user\nd-1,employee\n").client())
    assert run.status == "failed" and "The file has no column" in run.message and "when" in run.message


# --- Failures --------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_refused_token_fails_the_run_clearly_and_loses_nothing(world):
    connector = _connector(world, "gitlab", base_url=GL_URL, config=GL_CONFIG)
    sync.connector_sync(actor=None, connector=connector, since=SINCE, client=gitlab_api().client())
    refused = StandIn({f"{GL}/merge_requests": lambda r: (401, {"message": "401 Unauthorized"}, {})})
    with translation.override("en"):
        run = sync.connector_sync(actor=None, connector=connector, since=SINCE, client=refused.client())
    assert run.status == "failed" and "refused the API token (401)" in run.message
    assert "tok-123" not in run.message
    connector.refresh_from_db()
    assert "401" in connector.last_error and connector.last_synced_at == NOW  # the earlier success's
    assert ToolEvent.objects.filter(connector=connector).count() == 7


@time_machine.travel(NOW, tick=False)
def test_a_failure_part_way_keeps_the_chunks_stored_and_a_rerun_converges(world, monkeypatch):
    monkeypatch.setattr(sync, "CHUNK", 2)
    connector = _connector(world, "gitlab", base_url=GL_URL, config=GL_CONFIG)
    broken = gitlab_api()
    broken.routes[f"{GL}/issues"] = lambda r: (502, b"Bad gateway", {})
    with translation.override("en"):
        run = sync.connector_sync(actor=None, connector=connector, since=SINCE, client=broken.client())
    assert run.status == "failed" and "answered 502" in run.message
    kept = ToolEvent.objects.filter(connector=connector).count()
    assert kept == 4 == run.new  # two chunks of two committed before the failure; the fifth fact waited
    run = sync.connector_sync(actor=None, connector=connector, since=SINCE, client=gitlab_api().client())
    assert (run.status, run.new, run.unchanged) == ("succeeded", 3, 4)


def test_an_unreachable_address_fails_the_run(world):
    connector = _connector(world, "pull", base_url="http://127.0.0.1:9/export.csv", config=PULL_CONFIG)
    with translation.override("en"):
        run = sync.connector_sync(actor=None, connector=connector)
        test = sync.connector_test(actor=None, connector=connector)
    assert run.status == test.status == "failed"
    assert "could not be reached at 127.0.0.1:9/export.csv" in run.message
    assert Connector.objects.get().last_error


def test_only_hr_and_administrators_read_tools_and_bad_days_are_refused(world):
    connector = _connector(world, "gitlab", config=GL_CONFIG)
    for persona in ("employee", "manager", "mentor", "outsider"):
        with pytest.raises(PermissionDenied):
            sync.connector_sync(actor=actor_for(getattr(world, persona)), connector=connector, since=SINCE)
        with pytest.raises(PermissionDenied):
            sync.connector_test(actor=actor_for(getattr(world, persona)), connector=connector)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(InvalidInput) as caught:
            sync.sync_run_queue(actor=actor_for(world.hr), connector=connector, since=dt.date(2026, 12, 1))
        assert "since" in caught.value.errors
        with pytest.raises(InvalidInput):
            sync.sync_run_queue(actor=actor_for(world.hr), connector=connector, since=dt.date(2024, 1, 1))
        SyncRun.objects.create(connector=connector, kind="backfill", status="running")
        with pytest.raises(Conflict):
            sync.sync_run_queue(actor=actor_for(world.hr), connector=connector, since=SINCE)
    Connector.objects.filter(pk=connector.pk).update(is_active=False)
    connector.refresh_from_db()
    with pytest.raises(Conflict):
        sync.connector_sync(actor=None, connector=connector, since=SINCE)


def test_a_row_problem_carries_row_field_and_reason():
    problem = RowProblem(row=2, field="amount", reason="Not a number.")
    assert (problem.row, problem.field, problem.reason) == (2, "amount", "Not a number.")


# --- The command -----------------------------------------------------------------------------------------


@pytest.fixture
def stand_ins(monkeypatch):
    """Every client the services make talks to the stand-in of its host."""
    hosts = {"gitlab.example.com": gitlab_api(), "crm.example.com": pull_api(CSV)}

    def route(request):
        return hosts[request.url.host](request)

    monkeypatch.setattr(rest, "new_client", lambda **kw: httpx.Client(transport=httpx.MockTransport(route)))
    return hosts


@time_machine.travel(NOW, tick=False)
def test_command_syncs_every_active_connector_and_reports_each(world, stand_ins, capsys):
    gitlab = _connector(world, "gitlab", base_url=GL_URL, config=GL_CONFIG)
    _connector(world, "pull", key="crm", base_url="https://crm.example.com/export.csv", config=PULL_CONFIG)
    _connector(world, "pull", key="off", base_url="https://off.example.com/x.csv", config=PULL_CONFIG, is_active=False)
    _connector(world, "github", key="hooks-only", config={})
    call_command("connectors", "sync", "--since", "2026-11-01")
    out = capsys.readouterr().out
    assert "hooks-only: skipped" in out
    assert ("gitlab: succeeded — fetched 7, new 7, changed 0, unchanged 0, rows with problems 0 "
            "(since 2026-11-01)") in out
    assert "crm: partly — fetched 2, new 2" in out and "rows with problems 1" in out and "off" not in out
    call_command("connectors", "sync", "--connector", "gitlab", "--since", "2026-11-01")
    assert "gitlab: succeeded — fetched 7, new 0, changed 0, unchanged 7" in capsys.readouterr().out
    # Without a day: from the day before the last successful reading.
    call_command("connectors", "sync", "--connector", "gitlab")
    assert "gitlab: succeeded — fetched 0, new 0" in capsys.readouterr().out
    assert SyncRun.objects.filter(connector=gitlab).latest("pk").since == dt.date(2026, 11, 19)


@time_machine.travel(NOW, tick=False)
def test_command_refuses_a_bad_day_and_an_unknown_key_and_fails_when_a_connector_fails(world, stand_ins, capsys):
    with pytest.raises(CommandError, match="not a day as YYYY-MM-DD"):
        call_command("connectors", "sync", "--since", "01/11/2026")
    with pytest.raises(CommandError, match="No connector with the key 'nope'"):
        call_command("connectors", "sync", "--connector", "nope")
    _connector(world, "gitlab", base_url=GL_URL, config=GL_CONFIG)
    _connector(world, "pull", key="crm", base_url="https://crm.example.com/export.csv", config=PULL_CONFIG)
    stand_ins["gitlab.example.com"].routes.clear()  # every address answers 404
    with pytest.raises(CommandError, match="1 of 2 connectors failed") as caught:
        call_command("connectors", "sync")
    assert caught.value.returncode == 1
    captured = capsys.readouterr()
    assert "gitlab: failed" in captured.err and "crm: partly" in captured.out


# --- The API and the page --------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_api_backfill_runs_in_the_worker_and_lists_the_runs(world, stand_ins, api_client_for,
                                                           django_capture_on_commit_callbacks):
    connector = _connector(world, "gitlab", base_url=GL_URL, config=GL_CONFIG)
    hr = api_client_for("hr")
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(f"{A}/{connector.pk}/backfill", {"since": "2026-11-01"}, content_type="application/json")
    assert response.status_code == 202, response.content
    run = SyncRun.objects.get(pk=response.json()["id"])
    assert (run.status, run.new, run.since, run.started_by) == ("succeeded", 7, SINCE, world.hr)
    from talentloop.core.audit.models import AuditEntry

    assert AuditEntry.objects.filter(entity_type="integrations.connector", action="execute",
                                     summary="backfill since 2026-11-01", actor=world.hr).exists()
    with django_capture_on_commit_callbacks(execute=True):
        default = hr.post(f"{A}/{connector.pk}/backfill", {}, content_type="application/json")
    assert default.status_code == 202, default.content
    assert default.json()["since"] == "2026-11-19"  # a day before the last one
    bad = hr.post(f"{A}/{connector.pk}/backfill", {"since": "2027-01-01"}, content_type="application/json")
    assert bad.status_code == 422 and "since" in bad.json()["errors"]
    tested = hr.post(f"{A}/{connector.pk}/test")
    assert tested.status_code == 200 and tested.json()["ok"] is True
    runs = hr.get(f"{A}/{connector.pk}/runs")
    assert runs.status_code == 200
    assert [r["kind"] for r in runs.json()["items"]] == ["test", "backfill", "backfill"]
    for persona in ("employee", "manager"):
        client = api_client_for(persona)
        assert client.post(f"{A}/{connector.pk}/backfill", {}, content_type="application/json").status_code == 403
        assert client.post(f"{A}/{connector.pk}/test").status_code == 403
        assert client.get(f"{A}/{connector.pk}/runs").status_code == 403
    assert hr.get(f"{A}/999999/runs").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_api_runs_list_answers_in_a_fixed_number_of_queries(world, api_client_for):
    connector = _connector(world, "pull", base_url="https://crm.example.com/export.csv", config=PULL_CONFIG)
    hr = api_client_for("hr")
    hr.get(f"{A}/{connector.pk}/runs")  # warm the token and session caches
    counts = []
    for size in (2, 12):
        SyncRun.objects.bulk_create([SyncRun(connector=connector, kind="pull", status="partly", started_by=world.hr,
                                             errors=[{"row": 2, "field": "x", "reason": "y"}])
                                     for _ in range(size - SyncRun.objects.count())])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert len(hr.get(f"{A}/{connector.pk}/runs").json()["items"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@time_machine.travel(NOW, tick=False)
def test_page_buttons_test_and_backfill_and_the_section_lists_runs_with_row_errors(
        world, stand_ins, client_for, django_capture_on_commit_callbacks):
    from talentloop.integrations.views_sync import connector_test  # noqa: F401  (the page's views exist)

    connector = _connector(world, "pull", key="crm", base_url="https://crm.example.com/export.csv", config=PULL_CONFIG)
    hr = client_for("hr")
    base = f"/integrations/connectors/{connector.pk}"
    response = hr.post(f"{base}/test/")
    assert response.status_code == 302 and response["Location"].endswith(f"{base}/#sync")
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(f"{base}/backfill/", {"since": ""})
    assert response.status_code == 302
    run = SyncRun.objects.filter(kind="pull").get()
    assert (run.status, run.error_count) == ("partly", 1)
    section = hr.post(f"{base}/backfill/", {"since": "2026-13-01"}, HTTP_HX_REQUEST="true")
    assert section.status_code == 422 and b'data-testid="since-error"' in section.content
    page = hr.get(f"{base}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="connector-sync"' in html and html.count('data-testid="sync-run"') == 2
    assert 'data-testid="sync-row-errors"' in html and "amount" in html
    assert client_for("employee").post(f"{base}/test/").status_code == 404
    assert client_for("manager").post(f"{base}/backfill/", {"since": ""}).status_code == 404


# --- The periodic pull -----------------------------------------------------------------------------------


def test_only_the_pulls_whose_interval_passed_are_read(world, monkeypatch):
    monkeypatch.setattr(rest, "new_client", lambda **kw: pull_api(CSV).client())
    url = "https://crm.example.com/export.csv"

    def pull(key, minutes, synced, **extra):
        return _connector(world, "pull", key=key, base_url=url, config={**PULL_CONFIG, "every_minutes": minutes},
                          last_synced_at=synced, **extra)

    with time_machine.travel(NOW, tick=False):
        recent = pull("recent", 60, NOW - dt.timedelta(minutes=30))
        due = pull("due", 60, NOW - dt.timedelta(minutes=61))
        never = pull("never", 15, None)
        pull("off", 15, None, is_active=False)
        _connector(world, "pull", key="no-address", config=PULL_CONFIG)
        _connector(world, "gitlab", config=GL_CONFIG)
        # A pull that failed 10 minutes ago waits for its interval again, not the next minute.
        failing = pull("failing", 15, NOW - dt.timedelta(hours=5))
        SyncRun.objects.create(connector=failing, kind="pull", status="failed")
        assert [c.key for c in sync.connectors_due()] == ["due", "never"]
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        SyncRun.objects.create(connector=failing, kind="pull", status="failed")
    with time_machine.travel(NOW + dt.timedelta(minutes=20), tick=False):
        runs = sync.connectors_sync_due()
        assert sorted(r.connector.key for r in runs) == ["due", "never"]
        assert all(r.status == "partly" and r.kind == "pull" for r in runs)
    with time_machine.travel(NOW + dt.timedelta(minutes=31), tick=False):
        assert [c.key for c in sync.connectors_due()] == ["recent", "failing"]
    assert {recent.pk, due.pk, never.pk} <= set(Connector.objects.values_list("pk", flat=True))


def test_the_periodic_task_runs_every_minute(world, monkeypatch):
    from talentloop.integrations import tasks

    assert tasks.connectors_pull_due.task_class().validate_datetime(dt.datetime(2026, 11, 20, 9, 7))
    monkeypatch.setattr(rest, "new_client", lambda **kw: pull_api(CSV).client())
    _connector(world, "pull", base_url="https://crm.example.com/export.csv", config=PULL_CONFIG)
    result = tasks.connectors_pull_due.call_local()
    assert [r["status"] for r in result] == ["partly"]
    assert ConnectorKind.PULL == "pull"


@time_machine.travel(NOW, tick=False)
def test_a_queued_backfill_of_a_connector_deactivated_meanwhile_fails_without_reading(world):
    connector = _connector(world, "gitlab", base_url=GL_URL, config=GL_CONFIG)
    run = SyncRun.objects.create(connector=connector, kind="backfill", since=SINCE)
    Connector.objects.filter(pk=connector.pk).update(is_active=False)
    with translation.override("en"):
        done = sync.sync_run_execute(run_id=run.pk)
    assert done.status == "failed" and "deactivated" in done.message and not ToolEvent.objects.exists()
    assert sync.sync_run_execute(run_id=run.pk) is None  # taken once only
