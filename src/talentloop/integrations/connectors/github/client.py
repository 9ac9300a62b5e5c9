"""GitHub's reading side: the last days of merged pull requests, the reviews given on them and the closed
issues of the repositories named in the connector's settings, through the REST API.

The address is empty or ``https://github.com`` for github.com (read at ``https://api.github.com``), or
a GitHub Enterprise Server (read at ``<address>/api/v3``). The API token (fine-grained, with read
access to pull requests and issues) is sent as ``Authorization: Bearer``. Lists are read 100 at a time
following the ``Link: rel="next"`` header; closed pull requests newest change first, so the reading
stops at the first one older than the start. The facts, their accounts and external ids are those of
the webhook (``github/webhook.py``): ``pr:<owner/repo>:<number>`` for the author,
``review:<owner/repo>:<review id>`` for the reviewer (approved, changes requested or commented),
``issue:<owner/repo>:<number>`` for whoever closed it, and for a pull request reverting another
(``Reverts owner/repo#<number>``) ``revert:pr:<owner/repo>:<number>``, counted for the reverted
change's author by the service.

A listed issue does not name who closed it: each closed issue is read once more for its ``closed_by``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from talentloop.integrations.connectors import rest
from talentloop.integrations.connectors.base import AccountRef, ConnectionProblem, RowProblem, ToolFact
from talentloop.integrations.connectors.github.webhook import _REVERTED_PR, REVIEW_STATES
from talentloop.integrations.connectors.receiving import email_or_blank, revert_fact

if TYPE_CHECKING:
    import httpx

    from talentloop.integrations.models import Connector

VENDOR = "GitHub"
PER_PAGE = 100
MAX_REPOSITORIES = 100
REPOSITORY_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def api_base(connector: Connector) -> str:
    base = (connector.base_url or "").rstrip("/")
    host = urlsplit(base).netloc.lower()
    if not base or host in ("github.com", "www.github.com", "api.github.com"):
        return "https://api.github.com"
    return base if "/api/" in base else f"{base}/api/v3"


def _headers(connector: Connector) -> dict[str, str]:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if connector.api_token:
        headers["Authorization"] = f"Bearer {connector.api_token}"
    return headers


def account_of(user: Any) -> AccountRef | None:
    if not isinstance(user, dict) or not user.get("login"):
        return None
    return AccountRef(handle=str(user["login"]), email=email_or_blank(user.get("email")),
                      display_name=str(user.get("name") or ""))


class GitHubClient:
    kind = "github"

    def config_problems(self, config: dict) -> dict[str, list[str]]:
        repositories = config.get("repositories", [])
        if not isinstance(repositories, list):
            return {"repositories": [_("Give the repositories as a list of owner/repository.")]}
        if len(repositories) > MAX_REPOSITORIES:
            return {"repositories": [_("At most %(n)d repositories.") % {"n": MAX_REPOSITORIES}]}
        bad = [str(r) for r in repositories if not isinstance(r, str) or not REPOSITORY_RE.match(r.strip())]
        if bad:
            return {"repositories": [_("Not an owner/repository: %(names)s") % {"names": ", ".join(bad[:5])}]}
        return {}

    def _repositories(self, connector: Connector) -> list[str]:
        return [str(r).strip() for r in (connector.config or {}).get("repositories", []) if str(r).strip()]

    def check_connection(self, connector: Connector, client: httpx.Client) -> str:
        base, headers = api_base(connector), _headers(connector)
        repositories = self._repositories(connector)
        for repository in repositories:
            rest.request(client, VENDOR, f"{base}/repos/{repository}", headers=headers)
        if repositories:
            return _("Connected to GitHub: %(n)d repositories readable.") % {"n": len(repositories)}
        user = rest.json_of(rest.request(client, VENDOR, f"{base}/user", headers=headers), VENDOR)
        return _("Connected to GitHub as %(name)s.") % {"name": (user or {}).get("login", "?")}

    def backfill(self, connector: Connector, since: dt.date,
                 client: httpx.Client) -> Iterator[ToolFact | RowProblem]:
        repositories = self._repositories(connector)
        if not repositories:
            raise ConnectionProblem(_("Name the repositories to read in the connector's settings."))
        base, headers, start = api_base(connector), _headers(connector), rest.start_of(since)
        for repository in repositories:
            yield from self._pulls(client, base, headers, repository, start)
            yield from self._issues(client, base, headers, repository, start)

    def _pulls(self, client: httpx.Client, base: str, headers: dict, repository: str,
               start: dt.datetime) -> Iterator[ToolFact | RowProblem]:
        params = {"state": "closed", "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
        for page in rest.pages(client, VENDOR, f"{base}/repos/{repository}/pulls", params=params, headers=headers):
            for pull in page:
                updated_at = rest.moment(pull.get("updated_at"))
                if updated_at is not None and updated_at < start:
                    return  # newest change first: everything after this is older
                merged_at = rest.moment(pull.get("merged_at"))
                if merged_at is None or merged_at < start:
                    continue
                number, author = pull.get("number"), account_of(pull.get("user"))
                if author is None or number is None:
                    yield RowProblem(row=int(number or 0), field="user", reason=_("The pull request names no author."))
                    continue
                yield ToolFact(event_kind="merged", external_id=f"pr:{repository}:{number}", account=author,
                               occurred_at=merged_at)
                if str(pull.get("title") or "").startswith("Revert "):
                    found = _REVERTED_PR.search(str(pull.get("body") or ""))
                    if found:
                        yield revert_fact(f"pr:{found.group(1) or repository}:{found.group(2)}", merged_at)
                yield from self._reviews(client, base, headers, repository, number, start)

    def _reviews(self, client: httpx.Client, base: str, headers: dict, repository: str, number: int,
                 start: dt.datetime) -> Iterator[ToolFact]:
        url = f"{base}/repos/{repository}/pulls/{number}/reviews"
        for page in rest.pages(client, VENDOR, url, params={"per_page": PER_PAGE}, headers=headers):
            for review in page:
                reviewer = account_of(review.get("user"))
                submitted_at = rest.moment(review.get("submitted_at"))
                if (reviewer is None or submitted_at is None or submitted_at < start or review.get("id") is None
                        or str(review.get("state") or "").lower() not in REVIEW_STATES):
                    continue
                yield ToolFact(event_kind="review", external_id=f"review:{repository}:{review['id']}",
                               account=reviewer, occurred_at=submitted_at)

    def _issues(self, client: httpx.Client, base: str, headers: dict, repository: str,
                start: dt.datetime) -> Iterator[ToolFact]:
        params = {"state": "closed", "since": start.isoformat(), "per_page": PER_PAGE}
        for page in rest.pages(client, VENDOR, f"{base}/repos/{repository}/issues", params=params, headers=headers):
            for issue in page:
                closed_at = rest.moment(issue.get("closed_at"))
                # Pull requests are issues too in this list: they are counted as merged, not closed.
                if "pull_request" in issue or closed_at is None or closed_at < start or issue.get("number") is None:
                    continue
                closer = account_of(issue.get("closed_by"))
                if closer is None:
                    detail = rest.json_of(rest.request(client, VENDOR, f"{base}/repos/{repository}/issues/"
                                                       f"{issue['number']}", headers=headers), VENDOR)
                    closer = account_of((detail or {}).get("closed_by"))
                if closer is None:
                    continue
                yield ToolFact(event_kind="issue_closed", external_id=f"issue:{repository}:{issue['number']}",
                               account=closer, occurred_at=closed_at)


CLIENT = GitHubClient()
