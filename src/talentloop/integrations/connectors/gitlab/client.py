"""GitLab's reading side: the last days of merged merge requests, their approvals and the closed issues
of the projects named in the connector's settings, through the REST API v4.

The address is the GitLab instance (``https://gitlab.example.com``; ``https://gitlab.com`` when empty);
the API token (a personal, group or project access token with ``read_api``) goes in the
``PRIVATE-TOKEN`` header. Lists are read 100 at a time, following ``X-Next-Page`` (or the ``Link``
header). The facts, their accounts and external ids are those of the webhook (``gitlab/webhook.py``):
``mr:<project id>:<iid>`` for whoever merged it, ``review:<project id>:<iid>:<username>`` for each
approver, ``issue:<project id>:<iid>`` for whoever closed it, and for a merge request reverting another
(``This reverts merge request !<iid>``) ``revert:mr:<project id>:<iid>``, counted for the reverted
change's author by the service.

An approval's moment is its ``approved_at`` where GitLab gives one; otherwise the merge's, marked
approximate so it never overwrites the moment the webhook gave.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.utils.translation import gettext as _

from talentloop.integrations.connectors import rest
from talentloop.integrations.connectors.base import AccountRef, ConnectionProblem, RowProblem, ToolFact
from talentloop.integrations.connectors.gitlab.webhook import _REVERTED_MR
from talentloop.integrations.connectors.receiving import email_or_blank, revert_fact

if TYPE_CHECKING:
    import httpx

    from talentloop.integrations.models import Connector

VENDOR = "GitLab"
PER_PAGE = 100
MAX_PROJECTS = 100
PROJECT_RE = re.compile(r"^(?:\d+|[\w.-]+(?:/[\w.-]+)+)$")


def api_base(connector: Connector) -> str:
    base = (connector.base_url or "https://gitlab.com").rstrip("/")
    return base if base.endswith("/api/v4") else f"{base}/api/v4"


def _headers(connector: Connector) -> dict[str, str]:
    return {"PRIVATE-TOKEN": connector.api_token} if connector.api_token else {}


def account_of(user: Any) -> AccountRef | None:
    if not isinstance(user, dict) or not user.get("username"):
        return None
    return AccountRef(handle=str(user["username"]), email=email_or_blank(user.get("public_email") or user.get("email")),
                      display_name=str(user.get("name") or ""))


class GitLabClient:
    kind = "gitlab"

    def config_problems(self, config: dict) -> dict[str, list[str]]:
        projects = config.get("projects", [])
        if not isinstance(projects, list):
            return {"projects": [_("Give the projects as a list of ids or paths (group/project).")]}
        if len(projects) > MAX_PROJECTS:
            return {"projects": [_("At most %(n)d projects.") % {"n": MAX_PROJECTS}]}
        bad = [str(p) for p in projects if not isinstance(p, (str, int)) or not PROJECT_RE.match(str(p).strip())]
        if bad:
            return {"projects": [_("Not a project id or path (group/project): %(names)s")
                                 % {"names": ", ".join(bad[:5])}]}
        return {}

    def check_connection(self, connector: Connector, client: httpx.Client) -> str:
        base = api_base(connector)
        user = rest.json_of(rest.request(client, VENDOR, f"{base}/user", headers=_headers(connector)), VENDOR)
        for project in self._projects(connector):
            rest.request(client, VENDOR, f"{base}/projects/{quote(project, safe='')}", headers=_headers(connector))
        return _("Connected to GitLab as %(name)s.") % {"name": (user or {}).get("username", "?")}

    def _projects(self, connector: Connector) -> list[str]:
        return [str(p).strip() for p in (connector.config or {}).get("projects", []) if str(p).strip()]

    def backfill(self, connector: Connector, since: dt.date,
                 client: httpx.Client) -> Iterator[ToolFact | RowProblem]:
        projects = self._projects(connector)
        if not projects:
            raise ConnectionProblem(_("Name the projects to read in the connector's settings."))
        base, headers, start = api_base(connector), _headers(connector), rest.start_of(since)
        after = start.isoformat()
        for project in projects:
            path = f"{base}/projects/{quote(project, safe='')}"
            params = {"state": "merged", "updated_after": after, "order_by": "updated_at", "sort": "asc",
                      "scope": "all", "per_page": PER_PAGE}
            for page in rest.pages(client, VENDOR, f"{path}/merge_requests", params=params, headers=headers):
                for mr in page:
                    yield from self._merge_request(client, base, headers, mr, start)
            params = {"state": "closed", "updated_after": after, "order_by": "updated_at", "sort": "asc",
                      "scope": "all", "per_page": PER_PAGE}
            for page in rest.pages(client, VENDOR, f"{path}/issues", params=params, headers=headers):
                for issue in page:
                    closed_at = rest.moment(issue.get("closed_at"))
                    account = account_of(issue.get("closed_by"))
                    if closed_at is None or closed_at < start or account is None:
                        continue
                    yield ToolFact(event_kind="issue_closed", external_id=f"issue:{issue['project_id']}:{issue['iid']}",
                                   account=account, occurred_at=closed_at)

    def _merge_request(self, client: httpx.Client, base: str, headers: dict, mr: dict,
                       start: dt.datetime) -> Iterator[ToolFact | RowProblem]:
        merged_at = rest.moment(mr.get("merged_at"))
        # As the webhook: the merge counts for whoever merged (the author when GitLab does not say).
        merger = account_of(mr.get("merge_user")) or account_of(mr.get("merged_by")) or account_of(mr.get("author"))
        if merged_at is None or merged_at < start:
            return
        project_id, iid = mr.get("project_id"), mr.get("iid")
        if merger is None or project_id is None or iid is None:
            yield RowProblem(row=int(iid or 0), field="author", reason=_("The merge request names no author."))
            return
        yield ToolFact(event_kind="merged", external_id=f"mr:{project_id}:{iid}", account=merger,
                       occurred_at=merged_at)
        if str(mr.get("title") or "").startswith('Revert "'):
            found = _REVERTED_MR.search(str(mr.get("description") or ""))
            if found:
                yield revert_fact(f"mr:{project_id}:{found.group(1)}", merged_at)
        approvals = rest.json_of(rest.request(
            client, VENDOR, f"{base}/projects/{project_id}/merge_requests/{iid}/approvals", headers=headers), VENDOR)
        for entry in (approvals or {}).get("approved_by") or []:
            reviewer = account_of((entry or {}).get("user"))
            if reviewer is None:
                continue
            approved_at = rest.moment(entry.get("approved_at"))
            yield ToolFact(event_kind="review", external_id=f"review:{project_id}:{iid}:{reviewer.handle}",
                           account=reviewer, occurred_at=approved_at or merged_at, value=Decimal(1),
                           approximate=approved_at is None)


CLIENT = GitLabClient()
