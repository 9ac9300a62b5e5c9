"""Connectors: configure them, map their event kinds to metrics, read their health, and match the tool
accounts waiting for a person.

The webhook secret is answered only by the create and rotate operations, once; the API token given for
backfills and pulls is never answered (``api_token_set`` says whether one is set). HR and administrators
only: everyone else is answered 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.integrations import access
from talentloop.integrations import selectors_connectors as selectors
from talentloop.integrations.models import ConnectorKind
from talentloop.integrations.services import connectors as services
from talentloop.integrations.services.connector_events import tool_account_match
from talentloop.organisation.access import visible_employees

router = Router(tags=["connectors"])


class HealthOut(Schema):
    state: str = Field(description="ok, attention (a recent error, a lag, unmatched accounts or rejected "
                                   "deliveries) or idle (nothing received yet).")
    last_event_at: dt.datetime | None
    last_error: str
    last_error_at: dt.datetime | None
    lag_seconds: int | None = Field(description="How long the oldest fact still queued for recording has waited.")
    per_day: list[int] = Field(description="Facts received per day over the last 7 days, oldest first.")
    events_7d: int
    unmatched_accounts: int
    rejected_7d: int = Field(description="Deliveries refused for their shape over the last 7 days.")


class MappingOut(Schema):
    event_kind: str
    metric_key: str


class ConnectorOut(Schema):
    id: int
    key: str
    name: str
    kind: str = Field(description="gitlab, github, jira or pull.")
    base_url: str
    config: dict[str, Any]
    act_as: str = Field(description="The account whose scope the observations are recorded with.")
    is_active: bool
    api_token_set: bool = Field(description="Whether an API token is stored (it is never answered).")
    inbound_url: str = Field(description="Where the tool posts its events.")
    created_at: dt.datetime
    health: HealthOut | None = None

    @staticmethod
    def resolve_act_as(obj) -> str:
        return obj.act_as.get_username()

    @staticmethod
    def resolve_api_token_set(obj) -> bool:
        return bool(obj.api_token)

    @staticmethod
    def resolve_inbound_url(obj) -> str:
        return f"/api/v1/connectors/{obj.key}/events"

    @staticmethod
    def resolve_health(obj) -> dict | None:
        health = getattr(obj, "health", None)
        return health.as_dict() if health is not None else None


class InboundRejectedOut(Schema):
    id: int
    event_name: str
    error: str
    received_at: dt.datetime


class ConnectorDetailOut(ConnectorOut):
    mappings: list[MappingOut] = []
    event_kinds: dict[str, str] = Field({}, description="The event kinds this connector sends (a pull's are named "
                                                        "by its field mapping).")
    rejected: list[InboundRejectedOut] = Field([], description="The latest deliveries refused, with the reason.")

    @staticmethod
    def resolve_mappings(obj) -> list:
        return getattr(obj, "mapping_rows", [])

    @staticmethod
    def resolve_event_kinds(obj) -> dict[str, str]:
        return getattr(obj, "event_kind_labels", {})

    @staticmethod
    def resolve_rejected(obj) -> list:
        return getattr(obj, "rejected_rows", [])


class ConnectorSecretOut(ConnectorOut):
    """Only the create and rotate answers carry the secret."""

    secret: str = Field(description="The webhook secret, shown this once.")


class PullFieldsIn(InSchema):
    """Which column (CSV) or key (JSON) of a pulled file holds each part of a fact."""

    account: str | None = Field(None, max_length=100, description="The person's account in the system (required).")
    email: str | None = Field(None, max_length=100)
    kind: str | None = Field(None, max_length=100, description="The column naming the fact's kind ...")
    kind_value: str | None = Field(None, max_length=60, description="... or one kind for every row.")
    value: str | None = Field(None, max_length=100, description="A number; 1 when absent.")
    occurred_at: str | None = Field(None, max_length=100, description="An ISO 8601 moment or day (required).")
    external_id: str | None = Field(None, max_length=100, description="The row's stable id (required).")


class ConnectorConfigIn(InSchema):
    """The settings of a kind; the keys of other kinds are ignored by it."""

    projects: list[str | int] | None = Field(None, description="GitLab: project ids or paths to backfill.")
    repositories: list[str] | None = Field(None, description="GitHub: owner/repository names to backfill.")
    done_statuses: list[str] | None = Field(None, description="Jira: the statuses that count as done.")
    story_points_field: str | None = Field(None, max_length=100, description="Jira: e.g. customfield_10016.")
    email: str | None = Field(None, max_length=254, description="Jira Cloud: the API token's account.")
    jql: str | None = Field(None, max_length=1000, description="Jira: which issues to backfill.")
    format: str | None = Field(None, description="Pull: csv or json.")
    fields: PullFieldsIn | None = Field(None, description="Pull: the field mapping.")
    every_minutes: int | None = Field(None, description="Pull: how often the file is read.")


def _config(config: ConnectorConfigIn | None) -> dict[str, Any] | None:
    return None if config is None else config.dict(exclude_none=True)


class ConnectorIn(InSchema):
    key: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=120)
    kind: ConnectorKind
    base_url: str = Field("", max_length=500)
    config: ConnectorConfigIn | None = Field(None, description="Settings of the kind.")
    act_as: str | None = Field(None, description="Username of the HR or administrator account to record as; "
                                                 "yours by default.")
    api_token: str = Field("", max_length=2000, description="For backfills and pulls; stored encrypted, never "
                                                            "answered.")


class ConnectorPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    base_url: str | None = Field(None, max_length=500)
    config: ConnectorConfigIn | None = None
    act_as: str | None = None
    api_token: str | None = Field(None, max_length=2000, description="Replaces the token; \"\" removes it.")
    is_active: bool | None = Field(None, description="false deactivates (deliveries refused); true activates.")


class MappingIn(InSchema):
    event_kind: str = Field(min_length=1, max_length=60)
    metric_key: str = Field(min_length=1, max_length=60)


class MappingsIn(InSchema):
    mappings: list[MappingIn] = Field(max_length=services.MAX_MAPPINGS)


class SuggestedPersonOut(Schema):
    id: int
    name: str
    employee_number: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


class AccountOut(Schema):
    id: int
    handle: str
    email: str
    display_name: str
    employee_id: int | None
    matched_by: str = Field(description="\"\" (not matched), email, handle or person (by HR).")
    waiting: int = Field(0, description="Facts waiting to be recorded for this account.")
    suggestions: list[SuggestedPersonOut] = Field([], description="People whose name or pinyin resembles the account's "
                                                         "name, e-mail or handle.")

    @staticmethod
    def resolve_suggestions(obj) -> list:
        return getattr(obj, "suggestions", [])


class MatchIn(InSchema):
    employee_id: Id | None = Field(description="The person the account belongs to; null undoes the match.")


def _require(request) -> None:
    if not access.can_manage_connectors(request.actor):
        raise PermissionDenied(_("Only HR or an administrator configures connectors."))


def _connector(request, connector_id: int):
    _require(request)
    return get_or_404(access.visible_connectors(request.actor).select_related("act_as"), pk=connector_id)


def _act_as(request, username: str | None):
    if username is None:
        return None
    user = next((u for u in services.act_as_choices(request.actor) if u.get_username() == username), None)
    if user is None:
        raise InvalidInput(_("Please correct the errors below."),
                           {"act_as": [_("Choose an HR or administrator account you may act for.")]})
    return user


def _detail_out(connector):
    """The connector with what its detail adds (its mappings, event kinds and rejected deliveries)."""
    connector.mapping_rows = selectors.mapping_list(connector)
    connector.event_kind_labels = services.event_kind_choices(connector)
    connector.rejected_rows = selectors.rejected_deliveries(connector)
    return connector


@router.get("", response={200: list[ConnectorOut], **ERRORS}, summary="Connectors with their health",
            description=PAGED)
@paginated(default=50, max_limit=200)
def connector_list(request):
    _require(request)
    qs = selectors.connector_queryset(request.actor)

    def read(limit: int, offset: int) -> tuple[list, int]:
        count = qs.count()
        return (selectors.with_health(qs[offset:offset + limit]) if count else []), count

    return SelectorPage(read)


@router.post("", response={201: ConnectorSecretOut, **ERRORS},
             summary="Add a connector (its webhook secret is answered once)")
def connector_create(request, data: ConnectorIn):
    _require(request)
    connector, secret = services.connector_create(
        actor=request.actor, key=data.key, name=data.name, kind=data.kind, base_url=data.base_url,
        config=_config(data.config) or {}, act_as=_act_as(request, data.act_as), api_token=data.api_token)
    connector.secret = secret
    return Status(201, connector)


@router.get("/{int:connector_id}", response={200: ConnectorDetailOut, **ERRORS},
            summary="A connector: settings, health, mappings and rejected deliveries")
def connector_get(request, connector_id: int):
    connector = _connector(request, connector_id)
    return _detail_out(selectors.connector_get(request.actor, connector.pk))


@router.patch("/{int:connector_id}", response={200: ConnectorDetailOut, **ERRORS},
              summary="Change a connector, deactivate or activate it")
def connector_update(request, connector_id: int, data: ConnectorPatch):
    connector = _connector(request, connector_id)
    changes = data.dict(exclude_unset=True)
    active = changes.pop("is_active", None)
    if "config" in changes:
        changes["config"] = _config(data.config) or {}
    if "act_as" in changes:
        changes["act_as"] = _act_as(request, changes["act_as"]) if changes["act_as"] is not None else None
    if changes:
        connector = services.connector_update(actor=request.actor, connector=connector, data=changes)
    if active is False:
        services.connector_deactivate(actor=request.actor, connector=connector)
    elif active is True:
        services.connector_activate(actor=request.actor, connector=connector)
    return _detail_out(selectors.connector_get(request.actor, connector.pk))


@router.delete("/{int:connector_id}", response={204: None, **ERRORS},
               summary="Delete a connector (the observations it recorded are kept)")
def connector_delete(request, connector_id: int):
    services.connector_delete(actor=request.actor, connector=_connector(request, connector_id))
    return Status(204, None)


@router.post("/{int:connector_id}/rotate", response={200: ConnectorSecretOut, **ERRORS},
             summary="Rotate a connector's webhook secret (the new one is answered once)")
def connector_rotate(request, connector_id: int):
    connector, secret = services.connector_rotate(actor=request.actor, connector=_connector(request, connector_id))
    connector.secret = secret
    return connector


@router.put("/{int:connector_id}/mappings", response={200: list[MappingOut], **ERRORS},
            summary="Set which event kind counts for which metric (replaces the mappings)")
def connector_mappings_set(request, connector_id: int, data: MappingsIn):
    connector = _connector(request, connector_id)
    return services.connector_mappings_set(actor=request.actor, connector=connector,
                                           mappings=[m.dict() for m in data.mappings])


@router.get("/{int:connector_id}/health", response={200: HealthOut, **ERRORS}, summary="A connector's health")
def connector_health(request, connector_id: int):
    connector = _connector(request, connector_id)
    return selectors.connector_get(request.actor, connector.pk).health.as_dict()


@router.get("/{int:connector_id}/unmatched", response={200: list[AccountOut], **ERRORS},
            summary="Tool accounts waiting for a person, the most waiting facts first, with suggestions",
            description=PAGED)
@paginated(default=20, max_limit=50)
def connector_unmatched(request, connector_id: int):
    connector = _connector(request, connector_id)
    qs = selectors.account_queryset(request.actor, connector, unmatched_only=True)

    def read(limit: int, offset: int) -> tuple[list, int]:
        count = qs.count()
        rows = list(qs[offset:offset + limit]) if count else []
        for account in rows:
            account.suggestions = selectors.account_suggestions(request.actor, account)
        return rows, count

    return SelectorPage(read)


@router.post("/{int:connector_id}/accounts/{int:account_id}/match", response={200: AccountOut, **ERRORS},
             summary="Say whose a tool account is (null undoes the match); its waiting facts are recorded")
def connector_account_match(request, connector_id: int, account_id: int, data: MatchIn):
    connector = _connector(request, connector_id)
    account = selectors.account_get(request.actor, connector, account_id)
    if account is None:
        return get_or_404(access.visible_tool_accounts(request.actor).none())
    employee = None
    if data.employee_id is not None:
        employee = visible_employees(request.actor).filter(pk=data.employee_id).first()
        if employee is None:
            raise InvalidInput(_("Choose a person you can see."), {"employee_id": [_("Choose a person you can see.")]})
    account = tool_account_match(actor=request.actor, account=account, employee=employee)
    return selectors.account_queryset(request.actor, connector).get(pk=account.pk)
