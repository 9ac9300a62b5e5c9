"""What the reading sides of the vendors share: one GET with the vendor's answer turned into a reason a
person can act on, page after page, and the vendors' moments read as aware datetimes.

A message never holds a token or a query string (only the address's path), so it can be shown on the
connector's page and kept in its runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.integrations.connectors.base import ConnectionProblem

# Connecting may take 10 s, each answer 30 s: a backfill never hangs on a vendor that stopped answering.
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# A safety stop: 1,000 pages of 100 items is more than any backfill of a few weeks needs.
MAX_PAGES = 1000


def new_client(**options: Any) -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, **options)


def _where(url: str | httpx.URL) -> str:
    parts = urlsplit(str(url))
    return f"{parts.netloc}{parts.path}"


def request(client: httpx.Client, vendor: str, url: str, *, params: dict | None = None,
            headers: dict | None = None, auth: Any = None) -> httpx.Response:
    """GET ``url``; an unreachable vendor or an answer other than 2xx raises ``ConnectionProblem``."""
    try:
        response = client.get(url, params=params, headers=headers, auth=auth)
    except httpx.TimeoutException as exc:
        raise ConnectionProblem(_("%(vendor)s did not answer in time (%(where)s).")
                                % {"vendor": vendor, "where": _where(url)}) from exc
    except httpx.HTTPError as exc:
        raise ConnectionProblem(_("%(vendor)s could not be reached at %(where)s: %(reason)s")
                                % {"vendor": vendor, "where": _where(url), "reason": type(exc).__name__}) from exc
    check(response, vendor)
    return response


def check(response: httpx.Response, vendor: str) -> None:
    status = response.status_code
    if status < 400:
        return
    where = _where(response.request.url)
    if status == 401:
        raise ConnectionProblem(_("%(vendor)s refused the API token (401): check the token in the connector's "
                                  "settings.") % {"vendor": vendor})
    if status == 429 or (status == 403 and response.headers.get("x-ratelimit-remaining") == "0"):
        raise ConnectionProblem(_("%(vendor)s limits how often it may be asked (%(status)d): try again later.")
                                % {"vendor": vendor, "status": status})
    if status == 403:
        raise ConnectionProblem(_("%(vendor)s refused access to %(where)s (403): the token lacks the rights to "
                                  "read it.") % {"vendor": vendor, "where": where})
    if status == 404:
        raise ConnectionProblem(_("%(vendor)s knows nothing at %(where)s (404): check the address and the "
                                  "names in the settings.") % {"vendor": vendor, "where": where})
    raise ConnectionProblem(_("%(vendor)s answered %(status)d at %(where)s.")
                            % {"vendor": vendor, "status": status, "where": where})


def json_of(response: httpx.Response, vendor: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ConnectionProblem(_("%(vendor)s did not answer JSON at %(where)s.")
                                % {"vendor": vendor, "where": _where(response.request.url)}) from exc


def pages(client: httpx.Client, vendor: str, url: str, *, params: dict, headers: dict | None = None,
          auth: Any = None) -> Iterator[list]:
    """The lists of a paged collection, page after page: the next page is the ``Link: rel="next"``
    address (GitHub, GitLab) or GitLab's ``X-Next-Page`` number; an empty page ends it."""
    next_url: str | None = url
    next_params: dict | None = dict(params)
    for _page in range(MAX_PAGES):
        if next_url is None:
            return
        response = request(client, vendor, next_url, params=next_params, headers=headers, auth=auth)
        items = json_of(response, vendor)
        if not isinstance(items, list):
            raise ConnectionProblem(_("%(vendor)s answered something other than a list at %(where)s.")
                                    % {"vendor": vendor, "where": _where(response.request.url)})
        if not items:
            return
        yield items
        link = response.links.get("next", {}).get("url")
        next_page = response.headers.get("x-next-page", "").strip()
        if link:
            next_url, next_params = link, None
        elif next_page:
            next_params = {**(next_params or params), "page": next_page}
        else:
            next_url = None


def moment(value: Any) -> dt.datetime | None:
    """An ISO 8601 moment (``Z``, ``+08:00`` or Jira's ``+0800``) as an aware datetime; one without an
    offset is read in the organisation's time zone; anything else is None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of ``day`` in the organisation's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())
