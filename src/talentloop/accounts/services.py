"""Accounts: sign-in with throttling, API tokens, one-time reset codes, roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from talentloop.accounts import access
from talentloop.accounts.models import ApiToken, LoginThrottle, PasswordResetCode, RoleAssignment, User
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import DomainError, InvalidInput, PermissionDenied

ADDRESS_KEY = ""  # LoginThrottle.username for the per-address counter


class Throttled(DomainError):
    status = 429

    def __init__(self, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        if retry_after >= 60:
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


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# ---------------------------------------------------------------- throttled sign-in


def _throttle_config() -> dict:
    return settings.LOGIN_THROTTLE


def _wait_for(row: LoginThrottle, now: dt.datetime) -> int:
    """Seconds the (account, address) pair must still wait; 0 when it may try."""
    cfg = _throttle_config()
    if row.locked_until and row.locked_until > now:
        return math.ceil((row.locked_until - now).total_seconds())
    extra = row.failures - cfg["FREE_FAILURES"]
    if extra < 0:
        return 0
    delay = min(2 ** extra, 60)  # 1, 2, 4 ... seconds, at most a minute, between attempts
    ready = row.last_failure_at + dt.timedelta(seconds=delay)
    return max(0, math.ceil((ready - now).total_seconds()))


def login_check_throttle(*, username: str, ip: str) -> None:
    now = timezone.now()
    window = now - dt.timedelta(minutes=_throttle_config()["WINDOW_MINUTES"])
    # A running lock counts even when its last failure has left the window (LOCK_MINUTES > WINDOW_MINUTES).
    rows = LoginThrottle.objects.filter(Q(last_failure_at__gte=window) | Q(locked_until__gt=now),
                                        username__in=[username.lower(), ADDRESS_KEY], ip=ip)
    for row in rows:
        if row.username == ADDRESS_KEY:
            if row.locked_until and row.locked_until > now:
                raise Throttled(math.ceil((row.locked_until - now).total_seconds()))
            continue
        wait = _wait_for(row, now)
        if wait:
            raise Throttled(wait)


@transaction.atomic
def _record_failure(username: str, ip: str) -> None:
    cfg = _throttle_config()
    now = timezone.now()
    window = now - dt.timedelta(minutes=cfg["WINDOW_MINUTES"])
    for key, lock_after in ((username.lower(), cfg["LOCK_AFTER"]), (ADDRESS_KEY, cfg["ADDRESS_LOCK_AFTER"])):
        row, created = LoginThrottle.objects.select_for_update().get_or_create(
            username=key, ip=ip, defaults={"failures": 1, "first_failure_at": now, "last_failure_at": now})
        if not created:
            if row.last_failure_at < window and not (row.locked_until and row.locked_until > now):
                row.failures = 0
                row.first_failure_at = now
            row.failures += 1
            row.last_failure_at = now
        if row.failures >= lock_after:
            row.locked_until = now + dt.timedelta(minutes=cfg["LOCK_MINUTES"])
        row.save()


def login_attempt(*, username: str, password: str, ip: str, request=None) -> User:
    """Check credentials with throttling per (account, address). Raises Throttled or InvalidInput."""
    username = (username or "").strip()
    login_check_throttle(username=username, ip=ip)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        _record_failure(username, ip)
        audit_record(actor=Actor(user=None, ip=ip), action="login_failed", entity_type="accounts.user",
                     entity_label=username[:150])
        raise InvalidInput(_("Wrong username or password."))
    with transaction.atomic():
        LoginThrottle.objects.filter(username=username.lower(), ip=ip).delete()
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
    if not access.can_manage_accounts(actor):
        raise PermissionDenied(_("Only an administrator can unlock accounts."))
    count, _unused = LoginThrottle.objects.filter(username=user.get_username().lower()).delete()
    audit_record(actor=actor, action="execute", obj=user, summary="unlock")
    return count


def locked_usernames() -> set[str]:
    now = timezone.now()
    return set(LoginThrottle.objects.filter(locked_until__gt=now).exclude(username=ADDRESS_KEY)
               .values_list("username", flat=True))


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


def password_reset_with_code(*, username: str, code: str, new_password: str, ip: str) -> User:
    login_check_throttle(username=username, ip=ip)
    user = User.objects.filter(username__iexact=(username or "").strip(), is_active=True).first()
    normalised = (code or "").replace("-", "").replace(" ", "").upper()
    entry = None
    if user is not None:
        entry = (PasswordResetCode.objects.filter(
            user=user, code_hash=_hash(normalised), used_at__isnull=True, expires_at__gt=timezone.now()).first())
    if entry is None:
        _record_failure(username or "", ip)
        message = _("The code is wrong, used or expired.")
        raise InvalidInput(message, {"code": [message]})
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
        LoginThrottle.objects.filter(username=user.get_username().lower()).delete()
        audit_record(actor=Actor(user=user, ip=ip), action="update", obj=user, changes={"password": "changed"})
    return user


# ---------------------------------------------------------------- accounts and roles


@transaction.atomic
def role_grant(*, actor: Actor, user: User, role: str, org_unit=None) -> RoleAssignment:
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
        from talentloop.core.errors import errors_from_validation

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
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(actor=actor, action="update", obj=user, changes={"is_active": active})
    return user
