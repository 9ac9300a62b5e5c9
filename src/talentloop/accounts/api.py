from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from talentloop.accounts import access, services
from talentloop.core.access import actor_for, client_ip
from talentloop.core.errors import DomainError
from talentloop.core.http import get_or_404
from talentloop.core.paging import PAGED_WAS_ARRAY, paginated
from talentloop.core.schemas import ERRORS, ErrorOut, InSchema

router = Router(tags=["accounts"])
router.add_router("", "talentloop.accounts.reauth.router")  # POST /auth/reauth: fresh re-authentication


class TokenRequestIn(InSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=256)
    scope: Literal["read", "write"] = "write"
    name: str = Field("", max_length=100)


class TokenCreatedOut(Schema):
    token: str
    expires_at: dt.datetime
    scope: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    username: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username


class OrgUnitRefOut(Schema):
    id: int
    code: str
    name: str


class AccountPersonRefOut(Schema):
    id: int
    employee_number: str
    name: str


class MeOut(Schema):
    username: str
    employee_id: int | None
    name: str
    roles: list[str]
    org_unit: OrgUnitRefOut | None
    manager: AccountPersonRefOut | None
    language: Literal["zh-hans", "en", ""] = Field(
        description="what e-mail, push and chat messages are written in; empty: the organisation's language")


class MeIn(InSchema):
    language: Literal["zh-hans", "en"]


@router.post("/auth/token", auth=None, response={200: TokenCreatedOut, 400: ErrorOut, 401: ErrorOut,
                                                   422: ErrorOut, 429: ErrorOut},
             summary="Exchange credentials for a token")
def auth_token(request, data: TokenRequestIn):

    try:
        user = services.login_attempt(username=data.username, password=data.password, request=request)
    except services.Throttled:
        raise
    except DomainError as exc:
        exc.status = 401
        raise
    actor = actor_for(user, client_ip(request))
    token, secret = services.api_token_create(actor=actor, user=user, name=data.name or "api", scope=data.scope)
    return {"token": secret, "expires_at": token.expires_at, "scope": token.scope}


@router.get("/auth/tokens", response={200: list[TokenOut], **ERRORS}, summary="My tokens (all, for an admin)",
            description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def token_list(request):
    return list(access.visible_tokens(request.actor).select_related("user")[:500])


@router.delete("/auth/tokens/{token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke a token")
def token_revoke(request, token_id: int):
    token = get_or_404(access.visible_tokens(request.actor).select_related("user"), pk=token_id)
    return services.api_token_revoke(actor=request.actor, token=token)


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The signed-in person")
def me(request):
    return _me(request.actor)


@router.patch("/me", response={200: MeOut, **ERRORS}, summary="Change the signed-in person's language")
def me_update(request, data: MeIn):
    actor = request.actor
    services.user_language_set(user=actor.user, language=data.language)
    return _me(actor)


def _me(actor) -> dict:
    emp = actor.employee
    manager = emp.manager if emp is not None and emp.manager_id else None
    return {
        "username": actor.user.get_username(),
        "employee_id": emp.pk if emp else None,
        "name": emp.display_name if emp else str(actor.user),
        "roles": sorted(actor.roles),
        "org_unit": {"id": emp.org_unit.pk, "code": emp.org_unit.code, "name": emp.org_unit.label} if emp else None,
        "manager": ({"id": manager.pk, "employee_number": manager.employee_number, "name": manager.display_name}
                    if manager else None),
        "language": actor.user.language,
    }
