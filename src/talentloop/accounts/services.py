"""Accounts: sign-in with throttling, API tokens, one-time reset codes, roles, deactivation."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from talentloop.accounts import access, throttle
from talentloop.accounts.models import ApiToken, PasswordResetCode, RoleAssignment, User
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import DomainError, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.core.http import client_ip


class Throttled(DomainError):
    status = 429

    def __init__(self, retry_after: int, *, spraying: bool = False):
        minutes = max(1, math.ceil(retry_after / 60))
        if spraying:
            detail = ngettext(
                "Too many failed sign-in attempts from your network. Wait %(seconds)d second before trying "
                "again.",
                "Too many failed sign-in attempts from your network. Wait %(seconds)d seconds before trying "
                "again.", retry_after) % {"seconds": retry_after}
        elif retry_after >= 60:
            detail = ngettext(
                "Too many failed sign-in attempts. Try again in %(minutes)d minute, or ask an administrator "
                "to unlock your account.",
                "Too many failed sign-in attempts. Try again in %(minutes)d minutes, or ask an administrator "
                "to unlock your account.", minutes) % {"minutes": minutes}
        else:
            detail = ngettext(
                "Too many failed sign-in attempts. Wait %(seconds)d second before trying again.",
                "Too many failed sign-in attempts. Wait %(seconds)d seconds before trying again.",
                retry_after) % {"seconds": retry_after}
        super().__init__(detail)
        self.retry_after = retry_after


# A failed attempt from an address that sprays many names is answered 429 with this Retry-After.
SPRAY_RETRY_SECONDS = 30


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# ---------------------------------------------------------------- throttled sign-in (django-axes)


def _throttle_request(request: HttpRequest | None, ip: str) -> HttpRequest:
    """The request axes counts against; a stand-in carrying ``ip`` when there is none."""
    return request if request is not None else throttle.request_for(ip)


def login_attempt(*, username: str, password: str, ip: str = "", request: HttpRequest | None = None) -> User:
    """Check credentials, throttled per (account, client address) by django-axes (see
    ``accounts.throttle``). Raises Throttled (429) or InvalidInput."""
    username = (username or "").strip()
    request = _throttle_request(request, ip)
    ip = client_ip(request)
    if throttle.is_locked(request, username):
        raise Throttled(throttle.retry_after(request, username))
    # Axes' backend refuses a locked pair, and its signal handler counts a failure.
    user = authenticate(request, username=username, password=password)
    if user is not None and not user.is_active:
        throttle.record_failure(request, username)
        user = None
    if user is None:
        audit_record(actor=Actor(user=None, ip=ip), action="login_failed", entity_type="accounts.user",
                     entity_label=username[:150])
        if getattr(request, "axes_locked_out", False):
            raise Throttled(throttle.retry_after(request, username))
        if throttle.is_spraying(request):
            raise Throttled(SPRAY_RETRY_SECONDS, spraying=True)
        raise InvalidInput(_("Wrong username or password."))
    with transaction.atomic():
        throttle.reset_pair(request, username)
        audit_record(actor=Actor(user=user, ip=ip), action="login", obj=user)
        if not user.language and getattr(request, "LANGUAGE_CODE", "") in _language_codes():
            # Until the person picks one, messages outside the app follow the browser they sign in with.
            user_language_set(user=user, language=request.LANGUAGE_CODE)
    return user


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def user_language_set(*, user: User, language: str) -> bool:
    """Remember the language the person reads messages sent outside the app in (e-mail, Web Push, chat
    apps). Returns whether it changed."""
    if language not in _language_codes():
        raise InvalidInput(_("Choose one of the offered languages."),
                           errors={"language": [_("Choose one of the offered languages.")]})
    if user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True


@transaction.atomic
def login_unlock(*, actor: Actor, user: User) -> int:
    """Clear the account's failed sign-ins on every address (django-axes' reset)."""
    if not access.can_manage_accounts(actor):
        raise PermissionDenied(_("Only an administrator can unlock accounts."))
    count = throttle.reset_username(user.get_username())
    audit_record(actor=actor, action="execute", obj=user, summary="unlock")
    return count


def locked_usernames() -> set[str]:
    return throttle.locked_usernames()


# ---------------------------------------------------------------- API tokens


@transaction.atomic
def api_token_create(
    *, actor: Actor, user: User, name: str = "", scope: str = ApiToken.Scope.WRITE, days: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and stored only hashed."""
    if actor.user is None or (actor.user.pk != user.pk and not access.can_manage_accounts(actor)):
        raise PermissionDenied(_("You may create tokens only for yourself."))
    if scope not in ApiToken.Scope.values:
        raise InvalidInput(_("Unknown scope."), {"scope": [_("Choose read or write.")]})
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= 365:
        raise InvalidInput(_("A token lives between 1 and 365 days."), {"days": [_("Between 1 and 365.")]})
    secret = "tl_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=secret[:10], key_hash=_hash(secret), scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(actor=actor, action="create", obj=token, changes={"scope": scope, "name": name})
    return token, secret


def api_token_authenticate(secret: str) -> ApiToken | None:
    if not secret:
        return None
    token = (ApiToken.objects.select_related("user").filter(key_hash=_hash(secret), revoked_at__isnull=True,
             expires_at__gt=timezone.now()).first())
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if not access.can_revoke_token(actor, token):
        raise PermissionDenied(_("You may not revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="update", obj=token, changes={"revoked": True})
    return token


# ---------------------------------------------------------------- password reset codes

RESET_CODE_HOURS = 24


@transaction.atomic
def password_reset_code_issue(*, actor: Actor, user: User) -> str:
    if not access.can_issue_reset_code(actor, user):
        raise PermissionDenied(_("You may not issue a reset code for this account."))
    PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    code = "-".join(secrets.token_hex(2).upper() for _unused in range(3))
    PasswordResetCode.objects.create(
        user=user, code_hash=_hash(code.replace("-", "").upper()), issued_by=actor.user,
        expires_at=timezone.now() + dt.timedelta(hours=RESET_CODE_HOURS),
    )
    audit_record(actor=actor, action="execute", obj=user, summary="password reset code issued")
    return code


def password_reset_with_code(*, username: str, code: str, new_password: str, ip: str = "",
                             request: HttpRequest | None = None) -> User:
    request = _throttle_request(request, ip)
    ip = client_ip(request)
    if throttle.is_locked(request, username or ""):
        raise Throttled(throttle.retry_after(request, username or ""))
    user = User.objects.filter(username__iexact=(username or "").strip(), is_active=True).first()
    normalised = (code or "").replace("-", "").replace(" ", "").upper()
    entry = None
    if user is not None:
        entry = (PasswordResetCode.objects.filter(
            user=user, code_hash=_hash(normalised), used_at__isnull=True, expires_at__gt=timezone.now()).first())
    if entry is None:
        throttle.record_failure(request, username or "")
        message = _("The code is wrong, used or expired.")
        raise InvalidInput(message, {"code": [message]})
    assert user is not None  # a code is only found for a known user
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput(_("Please choose a stronger password."), {"new_password": list(exc.messages)}) from exc
    with transaction.atomic():
        claimed = PasswordResetCode.objects.filter(pk=entry.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not claimed:
            raise InvalidInput(_("The code is wrong, used or expired."),
                               {"code": [_("The code is wrong, used or expired.")]})
        user.set_password(new_password)
        user.save(update_fields=["password"])
        throttle.reset_username(user.get_username())
        audit_record(actor=Actor(user=user, ip=ip), action="update", obj=user, changes={"password": "changed"})
        # Read by the page to tell the person their tokens went.
        user.tokens_revoked = password_changed(user=user, ip=ip)  # type: ignore[attr-defined]  # not a field
    return user


# ---------------------------------------------------------------- accounts and roles


@transaction.atomic
def role_grant(*, actor: Actor, user: User, role: str,
               org_unit: Any = None) -> RoleAssignment:  # an OrgUnit: organisation sits above accounts
    if not access.can_manage_accounts(actor):
        raise PermissionDenied(_("Only an administrator manages roles."))
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, org_unit=org_unit)
    if created:
        audit_record(actor=actor, action="create", obj=assignment,
                     changes={"user": user.get_username(), "role": role, "org_unit": str(org_unit or "")})
    return assignment


@transaction.atomic
def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    if not access.can_manage_accounts(actor):
        raise PermissionDenied(_("Only an administrator manages roles."))
    if assignment.role == "admin" and assignment.user_id == actor.user_id:
        raise InvalidInput(_("You cannot remove your own administrator role."))
    audit_record(actor=actor, action="delete", obj=assignment,
                 changes={"user": assignment.user.get_username(), "role": assignment.role})
    assignment.delete()


@transaction.atomic
def account_create(*, actor: Actor, username: str, password: str | None = None, display_name: str = "",
                   email: str = "") -> User:
    if not access.can_manage_accounts(actor) and not actor.is_hr:
        raise PermissionDenied(_("You may not create accounts."))
    user = User(username=username, display_name=display_name, email=email)
    try:
        user.full_clean(exclude=["password"])
        if password:
            validate_password(password, user)
    except ValidationError as exc:
        errs = errors_from_validation(exc) if hasattr(exc, "error_dict") else {"password": list(exc.messages)}
        raise InvalidInput(_("Please correct the errors below."), errs) from exc
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action="create", obj=user, changes={"username": username})
    return user


@transaction.atomic
def account_set_active(*, actor: Actor, user: User, active: bool) -> User:
    if not access.can_manage_accounts(actor):
        raise PermissionDenied(_("Only an administrator manages accounts."))
    if user.pk == actor.user_id and not active:
        raise InvalidInput(_("You cannot deactivate your own account."))
    if not active:
        account_deactivate(actor=actor, user=user, reason="administrator")
        user.refresh_from_db()
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action="update", obj=user, changes={"is_active": active})
    return user


# ---------------------------------------------------------------- ending access


def _revoke_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _end_sessions(user: User) -> None:
    """Every session of the person ends at its next request: the session's auth hash includes
    ``session_epoch`` (see ``User``), so one UPDATE ends them on any session engine."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


@transaction.atomic
def account_deactivate(*, actor: Actor, user: User, reason: str) -> bool:
    """End the account's access: no sign-in, no session, no API token. Idempotent; returns whether
    anything changed. Used by administrators, terminations and offboarding; ``actor`` without a
    user is the system (a scheduled job)."""
    if actor.user is not None and not access.can_manage_accounts(actor) and not actor.is_hr:
        raise PermissionDenied(_("You may not deactivate accounts."))
    if actor.user is not None and user.pk == actor.user_id:
        raise InvalidInput(_("You cannot deactivate your own account."))
    user = User.objects.select_for_update().get(pk=user.pk)
    revoked = _revoke_tokens(user)
    if not user.is_active and not revoked:
        return False
    User.objects.filter(pk=user.pk).update(is_active=False)
    _end_sessions(user)
    audit_record(actor=actor, action="update", obj=user,
                 changes={"is_active": False, "tokens_revoked": revoked, "reason": reason[:200]})
    return True


def password_changed(*, user: User, ip: str = "") -> int:
    """After a password change or reset: the API tokens made with the old password stop working
    (other sessions already end, as the session hash follows the password). Returns how many
    tokens were revoked, for the page to tell the person."""
    revoked = _revoke_tokens(user)
    if revoked:
        audit_record(actor=Actor(user=user, ip=ip), action="update", obj=user,
                     changes={"tokens_revoked": revoked}, summary="password changed")
    return revoked
