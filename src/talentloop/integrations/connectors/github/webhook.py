"""GitHub's webhooks, received.

Checked by ``X-Hub-Signature-256``: ``sha256=`` and the hex HMAC-SHA256 of the raw body with the
connector's secret (compared in constant time); a delivery is known by ``X-GitHub-Delivery``;
``X-GitHub-Event`` names the event.

Facts:

* ``merged`` — ``pull_request`` closed with ``merged`` true, for the pull request's author
  (``pull_request.user.login``); external id ``pr:<repository full name>:<number>``, at ``merged_at``.
* ``review`` — ``pull_request_review`` submitted (or edited) in the state ``approved``,
  ``changes_requested`` or ``commented``, for the reviewer (``review.user.login``); external id
  ``review:<repository>:<review id>``, so an edited review is the same fact again. A dismissed or
  pending review counts nothing.
* ``revert`` — a merged pull request titled ``Revert …`` whose body names the reverted pull request
  (``Reverts owner/repo#123``, as GitHub's revert button writes it): it counts for the author of the
  reverted change, found from that change's ``merged`` fact received before. A revert naming no pull
  request, or one never received, names no author and is skipped.
* ``issue_closed`` — ``issues`` closed, for the account that closed it (``sender.login``); external id
  ``issue:<repository>:<number>``, at ``closed_at``.

Every other event or action (``ping`` included) is accepted and counts nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from talentloop.integrations.connectors.base import AccountRef, Parsed, ToolFact, UnknownShape, Unverified
from talentloop.integrations.connectors.github import payloads as p
from talentloop.integrations.connectors.receiving import (
    delivery_id,
    email_or_blank,
    first_time,
    header,
    json_object,
    load,
    revert_fact,
    signature_matches,
)

REVIEW_STATES = {"approved", "changes_requested", "commented"}
_REVERTED_PR = re.compile(r"Reverts\s+([\w.-]+/[\w.-]+)?#(\d+)", re.IGNORECASE)


def _account(user: p.User) -> AccountRef:
    return AccountRef(handle=user.login, email=email_or_blank(user.email), display_name=user.name or "")


def _no(field: str) -> UnknownShape:
    return UnknownShape(_("The payload has no “%(field)s”.") % {"field": field})


def _pull_request(event: p.PullRequestEvent) -> list[ToolFact]:
    pr = event.pull_request
    if event.action != "closed" or not pr.merged:
        return []
    at = first_time(pr.merged_at, pr.closed_at, pr.updated_at)
    if at is None:
        raise _no("pull_request.merged_at")
    repo = event.repository.full_name
    facts = [ToolFact(event_kind="merged", external_id=f"pr:{repo}:{pr.number}", account=_account(pr.user),
                      occurred_at=at)]
    if pr.title.startswith("Revert "):
        found = _REVERTED_PR.search(pr.body or "")
        if found:
            facts.append(revert_fact(f"pr:{found.group(1) or repo}:{found.group(2)}", at))
    return facts


def _review(event: p.PullRequestReviewEvent) -> list[ToolFact]:
    review = event.review
    if event.action not in ("submitted", "edited") or review.state.lower() not in REVIEW_STATES:
        return []
    at = first_time(review.submitted_at, event.pull_request.updated_at)
    if at is None:
        raise _no("review.submitted_at")
    return [ToolFact(event_kind="review", external_id=f"review:{event.repository.full_name}:{review.id}",
                     account=_account(review.user), occurred_at=at)]


def _issue(event: p.IssuesEvent) -> list[ToolFact]:
    if event.action != "closed":
        return []
    at = first_time(event.issue.closed_at, event.issue.updated_at)
    if at is None:
        raise _no("issue.closed_at")
    return [ToolFact(event_kind="issue_closed", external_id=f"issue:{event.repository.full_name}:{event.issue.number}",
                     account=_account(event.sender), occurred_at=at)]


class GitHubWebhook:
    kind = "github"

    def verify(self, connector, headers: Mapping[str, str], body: bytes, now: float) -> str:
        if not signature_matches(header(headers, "x-hub-signature-256"), connector.secret, body):
            raise Unverified(_("The GitHub signature (X-Hub-Signature-256) is missing or does not match."))
        return delivery_id(headers, "x-github-delivery")

    def parse(self, headers: Mapping[str, str], body: bytes, config: Mapping[str, Any] | None = None) -> Parsed:
        event = header(headers, "x-github-event")
        if not event:
            raise UnknownShape(_("The request names no GitHub event (X-GitHub-Event)."))
        if event == "pull_request":
            pull = load(p.PullRequestEvent, body)
            return Parsed(event_name=f"{event}: {pull.action}"[:80], facts=_pull_request(pull))
        if event == "pull_request_review":
            review = load(p.PullRequestReviewEvent, body)
            return Parsed(event_name=f"{event}: {review.action}"[:80], facts=_review(review))
        if event == "issues":
            issue = load(p.IssuesEvent, body)
            return Parsed(event_name=f"{event}: {issue.action}"[:80], facts=_issue(issue))
        json_object(body)
        return Parsed(event_name=event[:80], facts=[])


KIND = GitHubWebhook()
