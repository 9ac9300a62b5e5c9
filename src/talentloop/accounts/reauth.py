"""Fresh re-authentication: a signed-in person proves again who they are before a sensitive page
(a payslip) opens, and the proof is good for :data:`FRESH_FOR`.

The ways of proving it are a registry (:func:`register`): the password is built in; a second factor
or the company's single sign-on registers its own :class:`ReauthMethod` (a form asking what it needs
and a ``verify`` that raises a :class:`DomainError` when the answer is wrong) and every page and
endpoint guarded here accepts it without change.

- On the web the proof is a time in the session; :func:`fresh_auth_required` sends a page whose
  proof is missing or stale to ``accounts:reauth`` and back.
- A token client (``Authorization: Bearer``) has no session: ``POST /api/v1/auth/reauth`` answers a
  short-lived signed re-auth token bound to the user and to the API token it was asked with, which the
  client sends as the ``X-Reauth-Token`` header; :func:`require_fresh_api` checks it.

Failed passwords count against django-axes exactly as failed sign-ins do (per account and client
address, ``accounts.throttle``), so the re-auth page is no way around the sign-in throttle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from ninja import Field, Router, Schema
from ninja.security import HttpBearer, django_auth

from talentloop.accounts import throttle
from talentloop.accounts.models import User
from talentloop.accounts.services import Throttled, api_token_authenticate
from talentloop.core.access import Actor, actor_for
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import DomainError, InvalidInput, PermissionDenied
from talentloop.core.http import client_ip, safe_next
from talentloop.core.schemas import ERRORS, ErrorOut, InSchema

#: How long a re-authentication stays good (issue 13: "valid 5 minutes").
FRESH_FOR = dt.timedelta(minutes=5)
SESSION_KEY = "talentloop_reauth"
HEADER = "X-Reauth-Token"
SALT = "talentloop.accounts.reauth"
DEFAULT_METHOD = "password"


# ---------------------------------------------------------------- the registry of methods


@dataclass(frozen=True)
class ReauthMethod:
    """One way to prove oneself again. ``form`` is what the page asks (its cleaned data reach
    ``verify``, as does the API body); ``verify(request, user, data)`` returns when the answer is right
    and raises a DomainError (a per-field InvalidInput, or Throttled) when it is not."""

    key: str
    label: Any  # a lazy translatable string
    form: type[forms.Form]
    verify: Callable[[HttpRequest, User, dict[str, Any]], None]
    available: Callable[[User], bool] = lambda user: True


_METHODS: dict[str, ReauthMethod] = {}


def register(method: ReauthMethod) -> ReauthMethod:
    """Add a way to re-authenticate (a second factor, company sign-in) from its app's ``ready()``."""
    _METHODS[method.key] = method
    return method


def methods_for(user: User) -> list[ReauthMethod]:
    return [m for m in _METHODS.values() if m.available(user)]


def method_for(user: User, key: str) -> ReauthMethod | None:
    method = _METHODS.get(key)
    return method if method is not None and method.available(user) else None


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


def _password_verify(request: HttpRequest, user: User, data: dict[str, Any]) -> None:
    """The account's password, throttled like sign-in: the same axes counter for (account, address)."""
    username = user.get_username()
    if throttle.is_locked(request, username):
        raise Throttled(throttle.retry_after(request, username))
    password = str(data.get("password") or "")
    checked = authenticate(request, username=username, password=password) if password else None
    if checked is None or checked.pk != user.pk:
        if not password:
            # authenticate() was not called, so axes did not count it: count it here.
            throttle.record_failure(request, username)
        audit_record(actor=Actor(user=user, ip=client_ip(request)), action="login_failed", obj=user, summary="reauth")
        if getattr(request, "axes_locked_out", False) or throttle.is_locked(request, username):
            raise Throttled(throttle.retry_after(request, username))
        message = _("The password is wrong.")
        raise InvalidInput(message, {"password": [message]})
    throttle.reset_pair(request, username)


register(ReauthMethod(key=DEFAULT_METHOD, label=gettext_lazy("Password"), form=PasswordForm, verify=_password_verify))


# ---------------------------------------------------------------- the service


def reauthenticate(*, actor: Actor, request: HttpRequest, method: str, data: dict[str, Any]) -> dt.datetime:
    """Check the answer with the chosen method and return the moment the person proved themselves.

    Not one transaction: a wrong answer must keep the failure axes counted, so only the success
    writes (the audit entry) run atomically."""
    user = actor.user
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    chosen = method_for(user, method)
    if chosen is None:
        message = _("Choose one of the offered ways to confirm it is you.")
        raise InvalidInput(message, {"method": [message]})
    chosen.verify(request, user, data)
    now = timezone.now()
    with transaction.atomic():
        audit_record(actor=actor, action="login", obj=user, summary=f"reauth: {chosen.key}")
    return now


# ---------------------------------------------------------------- the web: the session


def mark_fresh(request: HttpRequest, at: dt.datetime) -> None:
    request.session[SESSION_KEY] = {"user": request.user.pk, "at": at.timestamp()}


def _age(at: float) -> dt.timedelta:
    return timezone.now() - dt.datetime.fromtimestamp(at, tz=dt.UTC)


def is_fresh(request: HttpRequest) -> bool:
    """Whether the session's person re-authenticated within :data:`FRESH_FOR` (a clock moved back
    does not make an old proof fresh for longer than that)."""
    session = getattr(request, "session", None)
    if session is None or not request.user.is_authenticated:
        return False
    proof = session.get(SESSION_KEY)
    if not isinstance(proof, dict) or proof.get("user") != request.user.pk:
        return False
    try:
        age = _age(float(proof.get("at")))
    except (TypeError, ValueError):
        return False
    return dt.timedelta(0) <= age <= FRESH_FOR


def reauth_url(next_url: str) -> str:
    return f"{reverse('accounts:reauth')}?{urlencode({'next': next_url})}"


def fresh_auth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that opens only within :data:`FRESH_FOR` of a re-authentication; else the person is
    sent to confirm it is them and brought back (htmx requests are redirected whole)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_fresh(request):
            response = view(request, *args, **kwargs)
            # Never kept by the browser or a proxy: the page is only good while the proof is.
            response["Cache-Control"] = "no-store"
            return response
        target = reauth_url(request.get_full_path())
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)

    return wrapper


@login_required
@require_http_methods(["GET", "POST"])
def reauth_view(request: HttpRequest) -> HttpResponse:
    """Confirm it is you: the chosen method's form (the password unless another is chosen)."""
    user = request.user
    offered = methods_for(user)
    key = request.POST.get("method") or request.GET.get("method") or DEFAULT_METHOD
    chosen = method_for(user, key) or method_for(user, DEFAULT_METHOD) or offered[0]
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next", "")) or ""
    form = chosen.form(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            at = reauthenticate(actor=request.actor, request=request, method=chosen.key, data=form.cleaned_data)
        except Throttled as exc:
            form.add_error(None, exc.detail)
            status, retry_after = 429, exc.retry_after
        except DomainError as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.errors:
                form.add_error(None, exc.detail)
            status = 422 if getattr(request, "htmx", False) else 200
        else:
            mark_fresh(request, at)
            return HttpResponseRedirect(next_url or reverse(settings.LOGIN_REDIRECT_URL))
    response = TemplateResponse(
        request,
        "accounts/reauth.html",
        {
            "form": form,
            "next": next_url,
            "method": chosen,
            "methods": offered,
            "minutes": int(FRESH_FOR.total_seconds() // 60),
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [path("", reauth_view, name="reauth")]


# ---------------------------------------------------------------- the API: a signed re-auth token


class ReauthRequired(PermissionDenied):
    """403 with a ``code`` a client can act on: ``reauth_required`` (no proof sent),
    ``reauth_expired`` (older than five minutes) or ``reauth_invalid`` (forged, or not this user's
    and this token's)."""

    def __init__(self, code: str):
        messages = {
            "reauth_required": _(
                "Confirm it is you first: POST /api/v1/auth/reauth and send the answered token "
                "in the X-Reauth-Token header."
            ),
            "reauth_expired": _("Your confirmation is older than five minutes: confirm it is you again."),
            "reauth_invalid": _("This re-authentication token is not valid for you: confirm it is you again."),
        }
        super().__init__(messages[code], code=code)


def _binding(request: HttpRequest) -> str:
    """What a re-auth token is tied to besides the user: the API token it was asked with, or the
    session (a hash of its key) for the web client calling the API with its cookie."""
    api_token = getattr(request, "api_token", None)
    if api_token is not None:
        return f"token:{api_token.pk}"
    session_key = getattr(getattr(request, "session", None), "session_key", None) or ""
    return "session:" + salted_hmac(SALT, session_key, algorithm="sha256").hexdigest()[:32]


def issue_token(request: HttpRequest) -> str:
    return signing.dumps({"u": request.user.pk, "b": _binding(request)}, salt=SALT, compress=True)


def require_fresh_api(request: HttpRequest) -> None:
    """For an endpoint behind fresh re-authentication: the ``X-Reauth-Token`` header, or (for a
    session caller without the header) a fresh session. Raises :class:`ReauthRequired` (403)."""
    value = request.headers.get(HEADER, "")
    if not value:
        if getattr(request, "api_token", None) is None and is_fresh(request):
            return
        raise ReauthRequired("reauth_required")
    try:
        payload = signing.loads(value, salt=SALT, max_age=FRESH_FOR)
    except signing.SignatureExpired:
        raise ReauthRequired("reauth_expired") from None
    except signing.BadSignature:
        raise ReauthRequired("reauth_invalid") from None
    if not isinstance(payload, dict) or payload.get("u") != request.user.pk or payload.get("b") != _binding(request):
        raise ReauthRequired("reauth_invalid")


class ReauthBearer(HttpBearer):
    """``Authorization: Bearer`` for the re-auth endpoint alone: a read-only token may confirm it is
    its person too (re-authenticating changes nothing, and it is what reading a payslip needs)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.actor = actor_for(api_token.user, client_ip(request))  # type: ignore[attr-defined]  # set on every API request
        request.api_token = api_token  # type: ignore[attr-defined]  # read by _binding
        return api_token.user


class ReauthIn(InSchema):
    """The chosen method and its answer. A method that asks something else (a second factor's code)
    adds its field here; its ``verify`` reads it from the same data."""

    method: str = Field(DEFAULT_METHOD, max_length=40, description="the way to confirm: `password`")
    password: str = Field("", max_length=256)


class ReauthOut(Schema):
    reauth_token: str
    expires_at: dt.datetime
    header: str


router = Router(tags=["accounts"])


@router.post(
    "/auth/reauth",
    auth=[ReauthBearer(), django_auth],
    response={200: ReauthOut, **ERRORS, 429: ErrorOut},
    summary="Confirm it is you again (five minutes) before reading a payslip",
)
def reauth_api(request: HttpRequest, data: ReauthIn) -> dict[str, Any]:
    at = reauthenticate(
        actor=request.actor,  # type: ignore[attr-defined]  # set on every API request
        request=request,
        method=data.method,
        data=data.model_dump(),
    )
    if getattr(request, "api_token", None) is None:
        mark_fresh(request, at)
    return {"reauth_token": issue_token(request), "expires_at": at + FRESH_FOR, "header": HEADER}
