"""Webhook sources for signed observations, managed by HR or the administrator.

A source's signing secret is answered only by the create and rotate operations, once; it is stored
encrypted and never listed. Observations a source sends are accepted in the name of the account that
created it (its ``act_as``).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from talentloop.core.errors import PermissionDenied
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.performance import access
from talentloop.performance.services import webhooks as services

router = Router(tags=["webhook sources"])


class WebhookSourceOut(Schema):
    id: int
    key: str
    name: str
    act_as: str = Field(description="The account in whose name the source's observations are accepted.")
    is_active: bool
    created_at: dt.datetime
    url: str = Field(description="Where the source posts its signed deliveries.")

    @staticmethod
    def resolve_act_as(obj) -> str:
        return obj.act_as.get_username()

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/v1/webhooks/observations/{obj.key}"


class WebhookSourceSecretOut(WebhookSourceOut):
    """Only the create and rotate answers carry the secret (the service just set it on the object)."""

    secret: str = Field(description="The signing secret, shown this once.")


class WebhookSourceIn(InSchema):
    key: str = Field(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=120)


def _require(request) -> None:
    if not access.can_manage_webhook_sources(request.actor):
        raise PermissionDenied(_("Only HR or an administrator configures webhook sources."))


def _source(request, source_id: int):
    _require(request)
    return get_or_404(access.visible_webhook_sources(request.actor), pk=source_id)


@router.get("/webhook-sources", response={200: list[WebhookSourceOut], **ERRORS}, summary="Webhook sources",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def webhook_sources(request):
    _require(request)
    return list(access.visible_webhook_sources(request.actor))


@router.post("/webhook-sources", response={201: WebhookSourceSecretOut, **ERRORS},
             summary="Create a webhook source (its secret is answered once)")
def webhook_source_create(request, data: WebhookSourceIn):
    _require(request)
    source, _secret = services.webhook_source_create(actor=request.actor, key=data.key, name=data.name,
                                                     act_as=request.actor.user)
    return Status(201, source)


@router.get("/webhook-sources/{int:source_id}", response={200: WebhookSourceOut, **ERRORS},
            summary="A webhook source")
def webhook_source_get(request, source_id: int):
    return _source(request, source_id)


@router.post("/webhook-sources/{int:source_id}/rotate", response={200: WebhookSourceSecretOut, **ERRORS},
             summary="Rotate a webhook source's secret (the new one is answered once)")
def webhook_source_rotate(request, source_id: int):
    source, _secret = services.webhook_source_rotate(actor=request.actor, source=_source(request, source_id))
    return source


@router.post("/webhook-sources/{int:source_id}/deactivate", response={200: WebhookSourceOut, **ERRORS},
             summary="Deactivate a webhook source")
def webhook_source_deactivate(request, source_id: int):
    return services.webhook_source_deactivate(actor=request.actor, source=_source(request, source_id))
