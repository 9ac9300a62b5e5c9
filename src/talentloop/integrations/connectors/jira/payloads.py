"""The parts of Jira Cloud's issue webhook payloads the connector reads (Atlassian's "Webhooks" page of
the Jira Cloud platform: ``jira:issue_created``, ``jira:issue_updated`` with their ``changelog``). Every
other field is ignored; the issue's fields are kept as a dict, since the story points live in a custom
field each site names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from talentloop.integrations.connectors.receiving import VendorTime


class User(BaseModel):
    accountId: str = Field(min_length=1)  # noqa: N815 - Jira's name
    emailAddress: str | None = None  # noqa: N815
    displayName: str | None = None  # noqa: N815


class StatusCategory(BaseModel):
    key: str = ""


class Status(BaseModel):
    name: str = ""
    statusCategory: StatusCategory | None = None  # noqa: N815


class IssueFields(BaseModel):
    model_config = {"extra": "allow"}  # custom fields (the story points) are read by their id

    status: Status | None = None
    assignee: User | None = None
    resolutiondate: VendorTime | None = None
    updated: VendorTime | None = None

    def get(self, field_id: str) -> Any:
        return (self.model_extra or {}).get(field_id)


class Issue(BaseModel):
    key: str = Field(min_length=1)
    fields: IssueFields


class ChangeItem(BaseModel):
    field: str = ""
    fieldId: str | None = None  # noqa: N815
    fromString: str | None = None  # noqa: N815
    toString: str | None = None  # noqa: N815


class Changelog(BaseModel):
    items: list[ChangeItem] = []


class IssueEvent(BaseModel):
    webhookEvent: str = Field(min_length=1)  # noqa: N815
    timestamp: int | None = None
    user: User | None = None
    issue: Issue
    changelog: Changelog | None = None


class Envelope(BaseModel):
    webhookEvent: str = Field(min_length=1)  # noqa: N815
