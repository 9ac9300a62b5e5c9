import time
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import MiddlewareNotUsed
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext

from talentloop.core.access import Actor, actor_for, client_ip


class ServerTimingMiddleware:
    """With ``TALENTLOOP_SERVER_TIMING`` on, every answer says how much CPU its thread spent on it and
    how long it took, as a ``Server-Timing`` header (``cpu;dur=1.234, total;dur=5.678``, milliseconds):
    the server's own accounting, which the benchmarks read instead of guessing from client latency.
    ``time.thread_time`` counts this request's thread only, so it holds under a threaded worker too.
    It is first in the stack, so the figure covers every middleware below it. Off by default: the
    timings say something about the server to anyone who asks."""

    def __init__(self, get_response):
        if not settings.TALENTLOOP_SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        cpu, wall = time.thread_time(), time.perf_counter()
        response = self.get_response(request)
        spent, took = (time.thread_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000
        response["Server-Timing"] = f"cpu;dur={spent:.3f}, total;dur={took:.3f}"
        return response


class ActorMiddleware:
    """Attach ``request.actor``, computed lazily once per request.

    Once computed, ``request.actor`` is the actor itself rather than the lazy stand-in: a page reads
    the actor's attributes a few thousand times (every access check, every section), and each read
    through the stand-in costs a proxy call. A signed-in person's request is about to need the actor,
    so it is computed just before the view runs (``process_view``) and views read the object itself;
    requests that never need it (static files, an API call authenticated later by its token) never
    compute it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(partial(_load_actor, request))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        actor = request.actor
        if isinstance(actor, SimpleLazyObject) and request.user.is_authenticated:
            actor.is_authenticated  # noqa: B018 - computing it rebinds request.actor to the actor itself


def _load_actor(request) -> Actor:
    actor = actor_for(getattr(request, "user", None), client_ip(request))
    request.actor = actor
    return actor


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "manifest-src 'self'; worker-src 'self'"
)


class ContentSecurityPolicyMiddleware:
    """A strict CSP for product pages; the API docs page loads its own assets and is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response


class RejectNullCharactersMiddleware:
    """An API query parameter holding a NUL character is refused with a clear 422: PostgreSQL cannot
    compare text with NUL (it would be a 500), and no real search needs one. Request bodies are
    checked by the API's input schemas, web forms by Django's own CharField validator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            bad = sorted({key for key, values in request.GET.lists()
                          if "\x00" in key or any("\x00" in v for v in values)})
            if bad:
                message = str(ProhibitNullCharactersValidator.message)
                return JsonResponse({"detail": gettext("The request is not valid."),
                                     "errors": {key.replace("\x00", ""): [message] for key in bad}}, status=422)
        return self.get_response(request)


LAST_ACTIVITY_KEY = "_talentloop_last_activity"
STARTED_KEY = "_talentloop_started"
# The last-activity time is written at most this often, so a page view does not always save the session.
ACTIVITY_RESOLUTION_SECONDS = 60
# What the browser is asked to drop when a session ends: cached pages, and the offline copy of the
# home page kept by the service worker (Cache Storage).
CLEAR_SITE_DATA = '"cache", "storage"'


def _now() -> int:
    return int(time.time())


def mark_activity(session) -> None:
    """A new session: its idle clock and its absolute lifetime start now."""
    session[LAST_ACTIVITY_KEY] = session[STARTED_KEY] = _now()


def _is_privileged(request) -> bool:
    """HR or an administrator: read from the request's actor (ActorMiddleware), only when needed."""
    actor = getattr(request, "actor", None)
    if actor is None:
        actor = actor_for(request.user, client_ip(request))
    return actor.is_hr or actor.is_admin


class SessionIdleTimeoutMiddleware:
    """Sign out a session left idle: after SESSION_IDLE_MINUTES_PRIVILEGED (HR, administrators) or
    SESSION_IDLE_MINUTES (everyone else) without a request; and any session SESSION_COOKIE_AGE
    after sign-in, however active (Django's own expiry slides whenever the session is saved). The
    person's roles are read only when the shorter limit has passed, so an ordinary request costs
    no query; the timestamp is rewritten at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        bearer = request.path.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META
        if not bearer and user is not None and user.is_authenticated:
            now = _now()
            started = request.session.get(STARTED_KEY)
            if not isinstance(started, int):
                request.session[STARTED_KEY] = now
            elif now - started > settings.SESSION_COOKIE_AGE:
                return self._expired(request, None)
            last = request.session.get(LAST_ACTIVITY_KEY)
            if isinstance(last, int):
                idle = now - last
                privileged_limit = settings.SESSION_IDLE_MINUTES_PRIVILEGED * 60
                normal_limit = settings.SESSION_IDLE_MINUTES * 60
                if idle > min(privileged_limit, normal_limit):
                    limit = privileged_limit if _is_privileged(request) else normal_limit
                    if idle > limit:
                        return self._expired(request, limit // 60)
            if not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _expired(self, request, minutes: int | None):
        logout(request)
        if minutes is None:
            message = gettext("Your session has ended. Please sign in again.")
        else:
            message = ngettext("You were signed out after %(minutes)d minute without activity.",
                               "You were signed out after %(minutes)d minutes without activity.",
                               minutes) % {"minutes": minutes}
        login_url = resolve_url(settings.LOGIN_URL)
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "errors": {}}, status=401)
        else:
            messages.info(request, message)
            target = login_url
            if request.method == "GET" and not getattr(request, "htmx", False):
                target = f"{login_url}?{urlencode({'next': request.get_full_path()})}"
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
            else:
                response = HttpResponseRedirect(target)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        response["Cache-Control"] = "no-store"
        return response


# Public, non-personal answers the browser and the service worker may keep.
NO_STORE_EXEMPT = ("/sw.js", "/manifest.webmanifest", "/offline/", "/robots.txt", "/healthz")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every API answer and on every answer to a signed-in person, so
    no personal page stays in a shared browser's cache or comes back with the Back button after
    sign-out. Static files (served before this runs), the manifest, the service worker and the
    offline page are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path
        if path in NO_STORE_EXEMPT:
            return response
        user = getattr(request, "user", None)
        if (path.startswith("/api/") or (user is not None and user.is_authenticated)) and (
                "no-store" not in response.get("Cache-Control", "")):
            response["Cache-Control"] = "no-store"
        return response
