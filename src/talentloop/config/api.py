"""The JSON API at /api/v1: one NinjaAPI, each app mounts its router."""

from __future__ import annotations

import json

import orjson
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, django_auth

from talentloop.accounts.api import router as accounts_router
from talentloop.accounts.services import api_token_authenticate
from talentloop.attendance.api import router as attendance_router
from talentloop.benefits.api import router as benefits_router
from talentloop.careers.api import router as careers_router
from talentloop.config.errors import database_unavailable, logger
from talentloop.config.errors import not_found as handler
from talentloop.core.access import actor_for, client_ip
from talentloop.core.errors import DomainError
from talentloop.core.validation import pydantic_errors
from talentloop.integrations.api import router as integrations_router
from talentloop.integrations.api_connectors import router as connectors_router
from talentloop.integrations.api_inbound import router as inbound_router
from talentloop.integrations.api_sync import router as sync_router
from talentloop.learning.api import router as learning_router
from talentloop.leave.api import router as leave_router
from talentloop.mentoring.api import router as mentoring_router
from talentloop.notifications.api import router as notifications_router
from talentloop.onboarding.api import router as onboarding_router
from talentloop.organisation.api import router as organisation_router
from talentloop.payroll.api import router as payroll_router
from talentloop.performance.api import router as performance_router

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; a read-only token may only read."""

    def authenticate(self, request, token):
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        if api_token.scope == "read" and request.method not in SAFE_METHODS:
            raise HttpError(403, _("This token is read-only."))
        request.user = api_token.user
        request.actor = actor_for(api_token.user, client_ip(request))
        request.api_token = api_token
        return api_token.user


_ninja_default = NinjaJSONEncoder().default


def _json_default(value):
    """What orjson hands over: dates and times (passed through so they keep Django's encoding:
    milliseconds, ``Z`` for UTC), Decimal, lazy translations and pydantic models (as ninja's encoder
    does), and float subclasses such as numpy's float64, which ``json`` wrote as plain numbers."""
    if isinstance(value, float):
        return float(value)
    return _ninja_default(value)


class OrjsonRenderer(BaseRenderer):
    """The API's JSON, written by orjson: the same values as ninja's ``json.dumps`` renderer
    (``NinjaJSONEncoder``), in compact UTF-8 rather than ``\\u`` escapes. Whatever orjson refuses
    (non-string keys, integers past 64 bits, unpaired surrogates) goes through ninja's renderer
    unchanged. One deliberate difference: NaN and infinities are ``null`` (``json`` wrote ``NaN``,
    which is not JSON and which no JSON parser reads)."""

    media_type = "application/json"
    charset = "utf-8"
    option = orjson.OPT_PASSTHROUGH_DATETIME

    def render(self, request, data, *, response_status):
        try:
            return orjson.dumps(data, default=_json_default, option=self.option)
        except orjson.JSONEncodeError:
            return json.dumps(data, cls=NinjaJSONEncoder)


api = NinjaAPI(
    title="Talentloop API",
    version="1",
    description="The open HR API of Talentloop. Authenticate with `POST /api/v1/auth/token` and send "
    "`Authorization: Bearer <token>`. Errors answer `{\"detail\": ..., \"errors\": {field: [...]}}`.",
    auth=[BearerToken(), django_auth],
    renderer=OrjsonRenderer(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_body(detail: str, errors: dict | None = None, **extra) -> dict:
    return {"detail": detail, "errors": errors or {}, **extra}


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    response = api.create_response(request, error_body(exc.detail, exc.errors, **getattr(exc, "extra", {})),
                                   status=exc.status)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    """Every 422 of a schema names its fields with messages in the reader's language, not pydantic's English."""
    return api.create_response(request, error_body(_("The request is not valid."), pydantic_errors(exc.errors)),
                               status=422)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body(_("Not found.")), status=404)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(request, error_body(_("Authentication required.")), status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return api.create_response(request, error_body(str(exc)), status=exc.status_code)


def on_database_error(request, exc: Exception):
    """The database is down, unreachable or locked: a JSON 503 the client may retry, never HTML."""
    logger.error("Database error in %s %s", request.method, request.path, exc_info=exc)
    return database_unavailable()


api.add_exception_handler(OperationalError, on_database_error)
api.add_exception_handler(InterfaceError, on_database_error)


def not_found(request, exception=None):
    """Kept for old references; ``handler404`` is :func:`talentloop.config.errors.not_found`."""
    return handler(request, exception)


api.add_router("/", accounts_router)
api.add_router("/", organisation_router)
api.add_router("/", performance_router)
api.add_router("/mentoring", mentoring_router, tags=["mentoring"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
api.add_router("/learning", learning_router, tags=["learning"])
api.add_router("/onboarding", onboarding_router, tags=["onboarding"])
api.add_router("/careers", careers_router, tags=["careers"])
api.add_router("/time", attendance_router, tags=["time"])
api.add_router("/time", leave_router, tags=["time"])
api.add_router("/payroll", payroll_router, tags=["payroll"])
api.add_router("/benefits", benefits_router, tags=["benefits"])
api.add_router("/", integrations_router)
api.add_router("/connectors", connectors_router, tags=["connectors"])
api.add_router("/connectors", inbound_router, tags=["connectors"])
api.add_router("/connectors", sync_router, tags=["connectors"])
