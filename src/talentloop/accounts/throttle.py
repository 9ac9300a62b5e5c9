"""Sign-in throttling with django-axes, configured for an office behind one proxy.

Failures are counted per (account, client address) — ``AXES_LOCKOUT_PARAMETERS = [["username",
"ip_address"]]`` — so someone guessing (or typing made-up names) from one address never locks
another person out, even when everybody's traffic reaches us through the same proxy address; the
client address is the real one (``core.http.client_ip``, honouring ``TALENTLOOP_TRUSTED_PROXIES``).

Spraying (one address failing for many different names) cannot be stopped by locking the address
without locking out everyone behind it. Instead, once an address has failed for more than
``ADDRESS_SPRAY_USERNAMES`` names within the window, each name gets only ``SPRAY_LOCK_AFTER``
tries from that address, and its failed attempts are answered 429 with Retry-After; a right
password is still accepted, so the people behind the address keep signing in.

Axes calls the functions below by their dotted paths (see the AXES_* settings).
"""

from __future__ import annotations

import datetime as dt
import math

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def _config() -> dict:
    return settings.LOGIN_THROTTLE


def normalise(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def username_of(request, credentials: dict | None = None) -> str:
    """AXES_USERNAME_CALLABLE: names are counted case-insensitively, as people type them."""
    if credentials and "username" in credentials:
        return normalise(credentials.get("username"))
    data = getattr(request, "POST", None) or {}
    return normalise(data.get("username"))


def cool_off(request=None) -> dt.timedelta:
    """AXES_COOLOFF_TIME: how long a locked pair stays locked, and how long failures are remembered."""
    return dt.timedelta(minutes=_config()["LOCK_MINUTES"])


def _window_start(request) -> dt.datetime:
    return (getattr(request, "axes_attempt_time", None) or timezone.now()) - cool_off(request)


def is_spraying(request) -> bool:
    """Whether the request's address has failed for many different names within the window."""
    cached = getattr(request, "_talentloop_spraying", None)
    if cached is not None:
        return cached
    AxesProxyHandler.update_request(request)
    names = (
        AccessAttempt.objects.filter(ip_address=request.axes_ip_address, attempt_time__gte=_window_start(request))
        .values("username")
        .distinct()
        .count()
    )
    spraying = names > _config()["ADDRESS_SPRAY_USERNAMES"]
    if spraying:
        # Cached once it holds: the count only grows within a request.
        request._talentloop_spraying = True
    return spraying


def failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: failures before the (account, address) pair is locked."""
    cfg = _config()
    return cfg["SPRAY_LOCK_AFTER"] if is_spraying(request) else cfg["LOCK_AFTER"]


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page and the token endpoint already answer 429 with
    Retry-After and a message in the reader's language; axes' own page would replace that."""
    if original_response is not None:
        return original_response
    return HttpResponse(status=429)


def request_for(ip: str) -> HttpRequest:
    """A stand-in request for sign-ins checked outside a web request (commands, tests)."""
    request = HttpRequest()
    request.method = "POST"
    request.META["REMOTE_ADDR"] = ip
    return request


def is_locked(request, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def retry_after(request, username: str) -> int:
    """Seconds until the (account, address) pair may try again."""
    AxesProxyHandler.update_request(request)
    last = AccessAttempt.objects.filter(
        username=normalise(username), ip_address=request.axes_ip_address, attempt_time__gte=_window_start(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return math.ceil(cool_off(request).total_seconds())
    return max(1, math.ceil((last + cool_off(request) - timezone.now()).total_seconds()))


def record_failure(request, username: str) -> None:
    """Count a failure that did not go through ``authenticate`` (a wrong reset code)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def reset_pair(request, username: str) -> None:
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.reset_attempts(ip_address=request.axes_ip_address, username=normalise(username))


def reset_username(username: str) -> int:
    """Unlock an account on every address (an administrator's action)."""
    return AxesProxyHandler.reset_attempts(username=normalise(username))


def locked_usernames() -> set[str]:
    """Names locked on at least one address (at the normal limit)."""
    since = timezone.now() - cool_off()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=_config()["LOCK_AFTER"])
    )
    return {row["username"] for row in rows}
