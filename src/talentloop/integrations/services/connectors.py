"""Connectors as HR configures them: create, change, rotate the secret, deactivate, delete, and map
their event kinds to metrics.

The webhook secret is made here (``secrets.token_urlsafe(32)``), stored encrypted and returned once,
by the create and rotate calls; the API token HR gives for backfills and pulls is stored encrypted and
never returned at all (pages and answers say only whether one is set). Neither is written to the audit
log, which records only that it changed.

Deleting a connector removes its settings, accounts, waiting facts and delivery log; the observations
it already recorded stay, as every fact in performance does (source ``connector:<key>``). Deactivating
keeps everything and refuses new deliveries.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.accounts.models import User
from talentloop.core.access import Actor, actor_for
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied, errors_from_validation
from talentloop.integrations import access, connectors
from talentloop.integrations.models import Connector, ConnectorKind, ConnectorMapping
from talentloop.integrations.services.connector_events import record_soon, tool_events_requeue
from talentloop.performance import access as performance_access

MAX_NAME = 120
MAX_URL = 500
MAX_TOKEN = 2000
MAX_MAPPINGS = 50
KEY_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,58}[a-z0-9])?$")
EVENT_KIND_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _require(actor: Actor) -> None:
    if not access.can_manage_connectors(actor):
        raise PermissionDenied(_("Only HR or an administrator configures connectors."))


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput(_("Please correct the errors below."), errors)


def act_as_choices(actor: Actor) -> list[User]:
    """The accounts a connector may record observations as: HR or administrator accounts. An HR person
    whose role covers part of the organisation may choose only their own account, so a connector
    never writes about people outside the scope of the person who set it up."""
    if not access.can_manage_connectors(actor):
        return []
    if not (actor.is_admin or actor.hr_everywhere):
        return [actor.user] if actor.user is not None else []
    return list(User.objects.filter(is_active=True, role_assignments__role__in=["hr", "admin"])
                .distinct().order_by("username"))


def _check_act_as(actor: Actor, act_as: User | None) -> User:
    candidate = act_as or actor.user
    allowed = {u.pk for u in act_as_choices(actor)}
    if (candidate is None or candidate.pk not in allowed
            or not performance_access.can_ingest_observations(actor_for(candidate))):
        raise _invalid({"act_as": [_("Choose an HR or administrator account you may act for.")]})
    return candidate


def _clean_config(kind: str, config: Any, errors: dict[str, list[str]]) -> dict:
    if config is None:
        return {}
    if not isinstance(config, dict):
        errors["config"] = [_("Give the settings as an object.")]
        return {}
    client = connectors.CLIENTS.get(kind)
    if client is not None:
        for name, problems in client.config_problems(config).items():
            field = "config" if name in ("", "__all__") else f"config.{name}"
            errors.setdefault(field, []).extend(str(p) for p in problems)
    return config


def _clean_common(errors: dict[str, list[str]], *, name: str, base_url: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("At most %(n)d characters.") % {"n": MAX_NAME}]
    base_url = (base_url or "").strip()
    if base_url:
        if len(base_url) > MAX_URL:
            errors["base_url"] = [_("At most %(n)d characters.") % {"n": MAX_URL}]
        elif not base_url.startswith(("http://", "https://")):
            errors["base_url"] = [_("Only http:// and https:// addresses are accepted.")]
    return name, base_url.rstrip("/")


def _clean_token(api_token: str | None, errors: dict[str, list[str]]) -> str | None:
    if api_token is None:
        return None
    api_token = api_token.strip()
    if len(api_token) > MAX_TOKEN:
        errors["api_token"] = [_("At most %(n)d characters.") % {"n": MAX_TOKEN}]
    return api_token


def _save(connector: Connector) -> None:
    try:
        connector.full_clean()
    except ValidationError as exc:
        raise _invalid(errors_from_validation(exc)) from exc
    connector.save()


@transaction.atomic
def connector_create(*, actor: Actor, key: str, name: str, kind: str, base_url: str = "",
                     config: dict | None = None, act_as: User | None = None,
                     api_token: str = "") -> tuple[Connector, str]:
    """A new connector; its webhook secret is returned this once (stored encrypted)."""
    _require(actor)
    errors: dict[str, list[str]] = {}
    key = (key or "").strip().lower()
    if not KEY_RE.match(key):
        errors["key"] = [_("Use lower-case letters, digits, “-” and “_” (at most 60).")]
    elif Connector.objects.filter(key=key).exists():
        errors["key"] = [_("A connector with this key exists already.")]
    if kind not in ConnectorKind.values:
        errors["kind"] = [_("Choose a kind of connector.")]
    name, base_url = _clean_common(errors, name=name, base_url=base_url)
    config = _clean_config(kind, config, errors)
    token = _clean_token(api_token, errors) or ""
    try:
        chosen = _check_act_as(actor, act_as)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if errors:
        raise _invalid(errors)
    secret = new_secret()
    connector = Connector(key=key, name=name, kind=kind, base_url=base_url, config=config, act_as=chosen,
                          secret=secret, api_token=token)
    _save(connector)
    audit_record(actor=actor, action="create", obj=connector, entity_label=connector.key,
                 changes={"key": key, "name": name, "kind": kind, "base_url": base_url, "config": config,
                          "act_as": chosen.get_username(), "secret": "changed",
                          "api_token": "set" if token else "not set"})
    return connector, secret


def _locked(connector: Connector) -> Connector:
    return Connector.objects.select_for_update().get(pk=connector.pk)


@transaction.atomic
def connector_update(*, actor: Actor, connector: Connector, data: dict[str, Any]) -> Connector:
    """Change the name, address, settings, the account it records as, or the API token (replaced only
    when one is given; an empty one clears it)."""
    _require(actor)
    unknown = set(data) - {"name", "base_url", "config", "act_as", "api_token"}
    if unknown:
        raise _invalid({k: [_("Unknown field.")] for k in sorted(unknown)})
    connector = _locked(connector)
    errors: dict[str, list[str]] = {}
    name, base_url = _clean_common(errors, name=data.get("name", connector.name),
                                   base_url=data.get("base_url", connector.base_url))
    config = _clean_config(connector.kind, data.get("config", connector.config), errors)
    token = _clean_token(data.get("api_token"), errors)
    act_as = connector.act_as
    if "act_as" in data and (data["act_as"] is None or data["act_as"].pk != connector.act_as_id):
        try:
            act_as = _check_act_as(actor, data["act_as"])
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise _invalid(errors)
    before = {"name": connector.name, "base_url": connector.base_url, "config": connector.config,
              "act_as": connector.act_as.get_username()}
    connector.name, connector.base_url, connector.config, connector.act_as = name, base_url, config, act_as
    if token is not None:
        connector.api_token = token
    _save(connector)
    after = {"name": name, "base_url": base_url, "config": config, "act_as": act_as.get_username()}
    changes: dict[str, Any] = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if token is not None:
        changes["api_token"] = "changed" if token else "cleared"
    if changes:
        audit_record(actor=actor, action="update", obj=connector, entity_label=connector.key, changes=changes)
    if "act_as" in changes:
        tool_events_requeue(connector=connector)  # what the old account could not record may pass now
    return connector


@transaction.atomic
def connector_rotate(*, actor: Actor, connector: Connector) -> tuple[Connector, str]:
    """A new webhook secret, returned this once; deliveries signed with the old one are refused."""
    _require(actor)
    connector = _locked(connector)
    secret = new_secret()
    connector.secret = secret
    connector.save(update_fields=["secret", "updated_at"])
    audit_record(actor=actor, action="update", obj=connector, entity_label=connector.key,
                 changes={"secret": "changed"}, summary="connector secret rotated")
    return connector, secret


@transaction.atomic
def connector_deactivate(*, actor: Actor, connector: Connector) -> Connector:
    """Refuse its deliveries and stop recording; what it holds is kept."""
    _require(actor)
    connector = _locked(connector)
    if connector.is_active:
        connector.is_active = False
        connector.save(update_fields=["is_active", "updated_at"])
        audit_record(actor=actor, action="update", obj=connector, entity_label=connector.key,
                     changes={"is_active": [True, False]}, summary="connector deactivated")
    return connector


@transaction.atomic
def connector_activate(*, actor: Actor, connector: Connector) -> Connector:
    _require(actor)
    connector = _locked(connector)
    if not connector.is_active:
        connector.is_active = True
        connector.save(update_fields=["is_active", "updated_at"])
        audit_record(actor=actor, action="update", obj=connector, entity_label=connector.key,
                     changes={"is_active": [False, True]}, summary="connector activated")
        record_soon()  # facts queued while it was off
    return connector


@transaction.atomic
def connector_delete(*, actor: Actor, connector: Connector) -> None:
    """Delete the connector with its accounts, waiting facts and delivery log. The observations it
    recorded stay in performance: they are facts about people's work, like any other source's."""
    _require(actor)
    connector = _locked(connector)
    audit_record(actor=actor, action="delete", obj=connector, entity_label=connector.key,
                 changes={"key": connector.key, "name": connector.name, "kind": connector.kind})
    connector.delete()


def mappable_metrics(actor: Actor) -> dict[str, Any]:
    """Metric key -> metric, for the active metrics measured per person that take observations (a
    ratio metric is computed from its parts)."""
    return {m.key: m for m in performance_access.visible_metrics(actor)
            .filter(is_active=True, subject_kind="employee", numerator__isnull=True).order_by("key")}


def event_kind_choices(connector: Connector) -> dict[str, str]:
    """The event kinds HR maps for this connector (a pull's are named by its field mapping: any name)."""
    return {k: str(v) for k, v in connectors.EVENT_KINDS.get(connector.kind, {}).items()}


@transaction.atomic
def connector_mappings_set(*, actor: Actor, connector: Connector,
                           mappings: list[dict[str, str]]) -> list[ConnectorMapping]:
    """Replace the connector's mappings (event kind -> metric key); facts left aside because their kind
    was mapped to nothing are queued again and flow into the newly mapped metrics."""
    _require(actor)
    connector = _locked(connector)
    if not isinstance(mappings, list) or len(mappings) > MAX_MAPPINGS:
        raise _invalid({"mappings": [_("Give at most %(n)d mappings.") % {"n": MAX_MAPPINGS}]})
    kinds = event_kind_choices(connector)
    metrics = mappable_metrics(actor)
    errors: dict[str, list[str]] = {}
    wanted: dict[str, str] = {}
    for n, item in enumerate(mappings):
        if not isinstance(item, dict):
            errors[f"mappings.{n}"] = [_("Give an event kind and a metric.")]
            continue
        event_kind = str(item.get("event_kind") or "").strip()
        metric_key = str(item.get("metric_key") or "").strip()
        if connector.kind == ConnectorKind.PULL:
            if not EVENT_KIND_RE.match(event_kind):
                errors[f"mappings.{n}.event_kind"] = [_("Use lower-case letters, digits, “.”, “-” and “_”.")]
        elif event_kind not in kinds:
            errors[f"mappings.{n}.event_kind"] = [
                _("Unknown event kind “%(kind)s”; this connector sends: %(known)s.")
                % {"kind": event_kind, "known": ", ".join(kinds)}]
        if event_kind in wanted:
            errors[f"mappings.{n}.event_kind"] = [_("This event kind is mapped twice.")]
        if metric_key not in metrics:
            errors[f"mappings.{n}.metric_key"] = [_("“%(key)s” is not an active metric of people.")
                                                 % {"key": metric_key}]
        wanted[event_kind] = metric_key
    if errors:
        raise _invalid(errors)
    before = dict(connector.mappings.values_list("event_kind", "metric_key"))
    if before == wanted:
        return list(connector.mappings.order_by("event_kind"))
    ConnectorMapping.objects.filter(connector=connector).delete()
    rows = ConnectorMapping.objects.bulk_create(
        [ConnectorMapping(connector=connector, event_kind=k, metric_key=v) for k, v in sorted(wanted.items())])
    audit_record(actor=actor, action="update", obj=connector, entity_label=connector.key,
                 changes={"mappings": {"before": before, "after": wanted}}, summary="connector mappings changed")
    tool_events_requeue(connector=connector)
    return rows
