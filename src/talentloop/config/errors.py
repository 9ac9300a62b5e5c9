"""Error answers: JSON under /api/ (never an HTML page, also when the database is down), the
product's friendly pages in the reader's language everywhere else.

``handler404/403/500`` in :mod:`talentloop.config.urls` and ``CSRF_FAILURE_VIEW`` point here, and
:class:`ApiErrorMiddleware` turns whatever error answer an inner layer produced under /api/ (Django's
405 for a wrong method, a CSRF refusal, the debug page) into the API's error body.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("talentloop.errors")

API_PREFIX = "/api/"
# The database is down, unreachable or locked: worth retrying. (An IntegrityError is a bug or a
# conflict the code answers itself, not an outage.)
UNAVAILABLE = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER = 30


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def error_body(detail: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "errors": errors or {}}


def database_unavailable() -> JsonResponse:
    response = JsonResponse(error_body(_("The service is temporarily unavailable. Please try again shortly.")),
                            status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def _detail_for(status: int) -> str:
    if status == 400:
        return _("The request is not valid.")
    if status == 401:
        return _("Authentication required.")
    if status == 403:
        return _("You do not have permission to do this.")
    if status == 404:
        return _("Not found.")
    if status == 405:
        return _("This method is not allowed here.")
    if status == 503:
        return _("The service is temporarily unavailable. Please try again shortly.")
    if status >= 500:
        return _("Something went wrong. The error has been logged.")
    return _("The request could not be completed.")


def not_found(request, exception=None):
    if is_api(request):
        return JsonResponse(error_body(_("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception=None):
    if is_api(request):
        return JsonResponse(error_body(_("You do not have permission to do this.")), status=403)
    return defaults.permission_denied(request, exception)


def bad_request(request, exception=None):
    if is_api(request):
        return JsonResponse(error_body(_("The request is not valid.")), status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    """Called inside Django's exception handling, so the exception is at hand: a database that is
    down is a 503 (try again), anything else a 500. The page is rendered without the request's
    context processors (they may need the database that just failed), in the active language."""
    exc = sys.exc_info()[1]
    database = isinstance(exc, UNAVAILABLE)
    if is_api(request):
        if database:
            return database_unavailable()
        return JsonResponse(error_body(_detail_for(500)), status=500)
    status = 503 if database else 500
    try:
        body = loader.get_template("500.html").render({"database": database})
    except Exception:  # the error page must not fail in turn
        logger.exception("The 500 page could not be rendered")
        body = ("<!doctype html><title>Talentloop</title><h1>Something went wrong · 出错了</h1>"
                "<p>Please try again later. · 请稍后再试。</p>")
    response = HttpResponse(body, status=status)
    if database:
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def csrf_failure(request, reason=""):
    """A refused form (usually an expired page): the product's 403 page with what to do, not Django's."""
    if is_api(request):
        return JsonResponse(error_body(_("CSRF check failed: send the X-CSRFToken header or use a token.")),
                            status=403)
    try:
        template = loader.get_template("403_csrf.html")
        return HttpResponse(template.render({}, request), status=403)
    except Exception:
        logger.exception("The CSRF failure page could not be rendered")
        return HttpResponse(status=403)


class ApiErrorMiddleware:
    """Under /api/, an error answer that is not JSON becomes the API's error body with the same status
    (and its Allow / Retry-After headers), and an exception becomes a JSON 500 or, for the database,
    a 503. Placed first, so it also sees what the other middleware answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json") or getattr(response, "streaming", False):
            return response
        converted = JsonResponse(error_body(_detail_for(response.status_code)), status=response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                converted[header] = response[header]
        return converted

    def process_exception(self, request, exception):
        if not is_api(request) or not isinstance(exception, UNAVAILABLE):
            return None  # Django's handler (and handler500 above) answers, after logging and signalling
        logger.error("Database unavailable for %s %s", request.method, request.path, exc_info=exception)
        return database_unavailable()
