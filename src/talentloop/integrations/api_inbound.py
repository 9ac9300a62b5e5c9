"""Where work tools send their events: ``POST /api/v1/connectors/<key>/events``.

No session or token: the vendor's signature or token is the authentication, checked by the service
against the connector's secret. The body is read raw, as the signature covers it byte for byte.
"""

from __future__ import annotations

import orjson
from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from talentloop.core.errors import DomainError
from talentloop.core.schemas import ErrorOut
from talentloop.integrations.services.inbound import connector_receive

router = Router(tags=["connectors"])


class ConnectorEventsOut(Schema):
    delivery_id: str = Field(description="The delivery's id, as the tool sent it.")
    event: str = Field(description="The tool's event (and action).")
    facts: int = Field(description="Facts the delivery holds (none for an event that counts nothing).")
    skipped: int = Field(description="Reverts of a change never received: their author cannot be told.")
    new: int
    changed: int = Field(description="Facts received before with another value or moment: corrected.")
    unchanged: int = Field(description="Facts received before as they are (re-deliveries).")


DESCRIPTION = """\
The address a GitLab, GitHub or Jira webhook posts to, one per connector. The body is the vendor's
JSON payload as the vendor sends it; its headers authenticate it:

* GitLab: `X-Gitlab-Token` (the connector's secret), `X-Gitlab-Event`, `X-Gitlab-Event-UUID` (or
  `Idempotency-Key`);
* GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, `X-GitHub-Event`,
  `X-GitHub-Delivery`;
* Jira Cloud: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`, `X-Atlassian-Webhook-Identifier`.

202: accepted; its facts are recorded as observations shortly after (an event that counts nothing is
accepted too). 401: no active connector has the key, the signature or token does not hold, or the
delivery id was received before; nothing is kept. 422: the body is not JSON or not a payload the
connector knows; the delivery is kept with the reason on the connector's page.
"""


@router.post("/{key}/events", auth=None, response={202: ConnectorEventsOut, 401: ErrorOut, 422: ErrorOut},
             summary="Receive a work tool's webhook delivery", description=DESCRIPTION,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object", "additionalProperties": True}}}}})
def connector_events(request, key: str):
    try:
        result = connector_receive(key=key, headers=request.headers, body=request.body)
    except DomainError as exc:
        # The API's error body, answered here so that Django does not log each refusal again: the
        # service logs them at most once a minute per connector, so a flood of bad requests (a
        # misconfigured tool, a scanner) does not flood the log.
        response = HttpResponse(orjson.dumps({"detail": exc.detail, "errors": exc.errors}),
                                content_type="application/json", status=exc.status)
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    return Status(202, result.as_dict())
