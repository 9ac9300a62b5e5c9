"""GitLab's webhooks, received.

Checked by the secret token GitLab sends as it is in ``X-Gitlab-Token`` (compared in constant time);
a delivery is known by ``X-Gitlab-Event-UUID`` (or ``Idempotency-Key``); ``X-Gitlab-Event`` names
the event (a system hook names it in the payload's ``object_kind``).

Facts:

* ``merged`` — a Merge Request Hook whose action is ``merge`` (or whose state is ``merged``), for the
  account GitLab names on the event (``user``: the merge request's events name its author only by
  numeric id, so a change merged by someone else counts for the one who merged it); external id
  ``mr:<project id>:<iid>``, at ``merged_at`` (else ``updated_at``).
* ``review`` — a Merge Request Hook whose action is ``approval`` (one person approves) or ``approved``
  (the last required approval), for the approving ``user``; external id
  ``review:<project id>:<iid>:<username>``, so both actions of one approval are one fact. Taking an
  approval back (``unapproval``) keeps the review: a review given stays given.
* ``revert`` — a merged merge request titled ``Revert "…"`` whose description names the reverted merge
  request (``This reverts merge request !<iid>``, as GitLab's revert button writes it): it counts for
  the author of the reverted change, found from that change's ``merged`` fact received before. A
  revert of a commit, or of a change never received, names no author and is skipped.
* ``issue_closed`` — an Issue Hook whose action is ``close``, for the closer (``user``); external id
  ``issue:<project id>:<iid>``, at ``closed_at`` (else ``updated_at``). Other work items (tasks, epics)
  are not counted.

Every other event or action is accepted and counts nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from talentloop.integrations.connectors.base import AccountRef, Parsed, ToolFact, UnknownShape, Unverified
from talentloop.integrations.connectors.gitlab import payloads as p
from talentloop.integrations.connectors.receiving import (
    delivery_id,
    email_or_blank,
    first_time,
    header,
    json_object,
    load,
    revert_fact,
    token_matches,
)

MERGE_REQUEST = "Merge Request Hook"
ISSUE = "Issue Hook"
CONFIDENTIAL_ISSUE = "Confidential Issue Hook"
SYSTEM = "System Hook"
REVIEW_ACTIONS = {"approval", "approved"}
_REVERTED_MR = re.compile(r"This reverts merge request !(\d+)", re.IGNORECASE)


def _account(user: p.User) -> AccountRef:
    return AccountRef(handle=user.username, email=email_or_blank(user.email), display_name=user.name)


def _reverted_iid(attrs: p.MergeRequestAttributes) -> int | None:
    if not attrs.title.startswith('Revert "'):
        return None
    found = _REVERTED_MR.search(attrs.description or "")
    return int(found.group(1)) if found else None


def _merge_request(hook: p.MergeRequestHook) -> list[ToolFact]:
    attrs = hook.object_attributes
    project = hook.project.id
    account = _account(hook.user)
    # A later event of a merged merge request (a label added) names whoever acted then: not counted.
    if attrs.action == "merge" or (attrs.state == "merged" and not attrs.action):
        at = first_time(attrs.merged_at, attrs.updated_at, attrs.created_at)
        if at is None:
            raise UnknownShape(_("The payload's “%(field)s” is not valid.") % {"field": "object_attributes.merged_at"})
        facts = [ToolFact(event_kind="merged", external_id=f"mr:{project}:{attrs.iid}", account=account,
                          occurred_at=at)]
        reverted = _reverted_iid(attrs)
        if reverted is not None:
            facts.append(revert_fact(f"mr:{project}:{reverted}", at))
        return facts
    if attrs.action in REVIEW_ACTIONS:
        at = first_time(attrs.updated_at, attrs.created_at)
        if at is None:
            raise UnknownShape(_("The payload has no “%(field)s”.") % {"field": "object_attributes.updated_at"})
        return [ToolFact(event_kind="review", external_id=f"review:{project}:{attrs.iid}:{hook.user.username}",
                         account=account, occurred_at=at)]
    return []


def _issue(hook: p.IssueHook) -> list[ToolFact]:
    attrs = hook.object_attributes
    if hook.object_kind != "issue" or attrs.action != "close":
        return []
    at = first_time(attrs.closed_at, attrs.updated_at)
    if at is None:
        raise UnknownShape(_("The payload has no “%(field)s”.") % {"field": "object_attributes.closed_at"})
    return [ToolFact(event_kind="issue_closed", external_id=f"issue:{hook.project.id}:{attrs.iid}",
                     account=_account(hook.user), occurred_at=at)]


class GitLabWebhook:
    kind = "gitlab"

    def verify(self, connector, headers: Mapping[str, str], body: bytes, now: float) -> str:
        if not token_matches(header(headers, "x-gitlab-token"), connector.secret):
            raise Unverified(_("The GitLab token is missing or wrong."))
        return delivery_id(headers, "x-gitlab-event-uuid", "idempotency-key")

    def parse(self, headers: Mapping[str, str], body: bytes, config: Mapping[str, Any] | None = None) -> Parsed:
        event = header(headers, "x-gitlab-event")
        data: bytes | dict[str, Any] = body
        if event == SYSTEM or not event:
            data = json_object(body)
            kind = str(data.get("object_kind") or "")
            if not kind:
                raise UnknownShape(_("The request names no GitLab event (X-Gitlab-Event)."))
            event = {"merge_request": MERGE_REQUEST, "issue": ISSUE}.get(kind, event or kind)
        if event == MERGE_REQUEST:
            hook = load(p.MergeRequestHook, data)
            return Parsed(event_name=f"{event}: {hook.object_attributes.action}"[:80], facts=_merge_request(hook))
        if event in (ISSUE, CONFIDENTIAL_ISSUE):
            issue = load(p.IssueHook, data)
            return Parsed(event_name=f"{event}: {issue.object_attributes.action}"[:80], facts=_issue(issue))
        if isinstance(data, bytes):
            json_object(data)
        return Parsed(event_name=event[:80], facts=[])


KIND = GitLabWebhook()
