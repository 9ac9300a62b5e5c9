"""Helpers of the inbound connector tests: the vendors' published example payloads (trimmed, under
``payloads/<vendor>/``), a connector with its metrics, and a delivery posted as each vendor signs it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

from talentloop.core.access import actor_for
from talentloop.integrations.models import Connector, ConnectorMapping
from talentloop.performance.models import Aggregation, Observation
from talentloop.performance.services.config import metric_save

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SECRET = "s3cret-token-of-the-connector"
PAYLOADS = Path(__file__).resolve().parent / "payloads"

# event kind -> (metric key, aggregation)
METRICS = {
    "merged": ("changes-merged", Aggregation.COUNT),
    "review": ("reviews-given", Aggregation.COUNT),
    "revert": ("changes-reverted", Aggregation.COUNT),
    "issue_closed": ("issues-closed", Aggregation.COUNT),
    "issue_done": ("issues-done", Aggregation.COUNT),
    "story_points": ("story-points", Aggregation.SUM),
    "issue_reopened": ("issues-reopened", Aggregation.COUNT),
}


def payload(vendor: str, name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / vendor / f"{name}.json").read_text())


def make_connector(world, kind: str, *, key: str | None = None, config: dict | None = None,
                   kinds: tuple[str, ...] = ()) -> Connector:
    """A connector of ``kind`` recording as HR, each of ``kinds`` mapped to its metric."""
    hr = actor_for(world.hr)
    connector = Connector.objects.create(key=key or kind, name=kind.title(), kind=kind, secret=SECRET,
                                         act_as=world.hr, config=config or {})
    for event_kind in kinds:
        metric, aggregation = METRICS[event_kind]
        metric_save(actor=hr, data={"key": metric, "name": metric, "aggregation": aggregation})
        ConnectorMapping.objects.create(connector=connector, event_kind=event_kind, metric_key=metric)
    return connector


def signed_headers(vendor: str, body: bytes, *, secret: str = SECRET, delivery: str | None = None,
                   event: str = "") -> dict[str, str]:
    delivery = delivery or str(uuid.uuid4())
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if vendor == "gitlab":
        return {"X-Gitlab-Token": secret, "X-Gitlab-Event": event or "Merge Request Hook",
                "X-Gitlab-Event-UUID": delivery}
    if vendor == "github":
        return {"X-Hub-Signature-256": signature, "X-GitHub-Event": event or "pull_request",
                "X-GitHub-Delivery": delivery}
    return {"X-Hub-Signature": signature, "X-Atlassian-Webhook-Identifier": delivery}


def post(client, key: str, body: bytes | dict, headers: dict[str, str]):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return client.post(f"/api/v1/connectors/{key}/events", data=body, content_type="application/json",
                       headers=headers)


def send(client, connector: Connector, body: bytes | dict, *, event: str = "", delivery: str | None = None,
         secret: str = SECRET):
    """Post a delivery signed as the connector's vendor does."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return post(client, connector.key, body,
                signed_headers(connector.kind, body, secret=secret, delivery=delivery, event=event))


def observations(connector: Connector) -> list[tuple[int, str, Any, bool]]:
    """(employee id, metric key, value, is current) of the connector's observations, oldest first."""
    return list(Observation.objects.filter(source=f"connector:{connector.key}").order_by("pk")
                .values_list("employee_id", "metric__key", "value", "is_current"))
