"""The parts of GitLab's webhook payloads the connector reads (GitLab's "Webhook events" page:
merge request events, work item (issue) events). Every other field is ignored."""

from __future__ import annotations

from pydantic import BaseModel, Field

from talentloop.integrations.connectors.receiving import VendorTime


class User(BaseModel):
    """The account that acted (``user``): who merged, approved or closed."""

    id: int | None = None
    username: str = Field(min_length=1)
    name: str = ""
    email: str | None = None


class Project(BaseModel):
    id: int
    path_with_namespace: str = ""


class MergeRequestAttributes(BaseModel):
    iid: int
    title: str = ""
    description: str | None = None
    state: str = ""
    action: str = ""
    target_project_id: int | None = None
    created_at: VendorTime | None = None
    updated_at: VendorTime | None = None
    merged_at: VendorTime | None = None


class MergeRequestHook(BaseModel):
    object_kind: str = "merge_request"
    user: User
    project: Project
    object_attributes: MergeRequestAttributes


class IssueAttributes(BaseModel):
    iid: int
    action: str = ""
    state: str = ""
    updated_at: VendorTime | None = None
    closed_at: VendorTime | None = None


class IssueHook(BaseModel):
    object_kind: str = "issue"
    user: User
    project: Project
    object_attributes: IssueAttributes


class Envelope(BaseModel):
    """What every GitLab event carries: its kind (a system hook names it only here)."""

    object_kind: str = ""
