"""The parts of GitHub's webhook payloads the connector reads (GitHub's "Webhook events and payloads":
``pull_request``, ``pull_request_review``, ``issues``). Every other field is ignored."""

from __future__ import annotations

from pydantic import BaseModel, Field

from talentloop.integrations.connectors.receiving import VendorTime


class User(BaseModel):
    login: str = Field(min_length=1)
    id: int | None = None
    name: str | None = None
    email: str | None = None


class Repository(BaseModel):
    full_name: str = Field(min_length=1)


class PullRequest(BaseModel):
    number: int
    title: str = ""
    body: str | None = None
    user: User
    merged: bool | None = None
    merged_at: VendorTime | None = None
    closed_at: VendorTime | None = None
    updated_at: VendorTime | None = None


class PullRequestEvent(BaseModel):
    action: str
    pull_request: PullRequest
    repository: Repository
    sender: User | None = None


class Review(BaseModel):
    id: int
    user: User
    state: str = ""
    submitted_at: VendorTime | None = None


class ReviewedPullRequest(BaseModel):
    number: int
    updated_at: VendorTime | None = None


class PullRequestReviewEvent(BaseModel):
    action: str
    review: Review
    pull_request: ReviewedPullRequest
    repository: Repository


class Issue(BaseModel):
    number: int
    closed_at: VendorTime | None = None
    updated_at: VendorTime | None = None


class IssuesEvent(BaseModel):
    action: str
    issue: Issue
    repository: Repository
    sender: User
