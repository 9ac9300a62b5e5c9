"""The one HTTP door of the chat vendors (personal messages and group bots): ``httpx`` with a timeout on every
call, JSON in, a typed reply (a pydantic model of the vendor's documented answer) out.

URLs of these APIs carry secrets (``access_token``, a group bot's ``key``), so nothing here logs a URL, errors
name only the host and what went wrong, and httpx's own request log (the full URL, at INFO) is silenced.
A reply that does not match its schema is an ``HttpFailure`` like any other failed delivery, not a crash.
"""

from __future__ import annotations

import logging
import urllib.parse
from typing import TypeVar

import httpx
import pydantic

logger = logging.getLogger(__name__)

# httpx logs every request with its full URL at INFO; here the URL holds the credentials.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

TIMEOUT_SECONDS = 10.0
MAX_REPLY_BYTES = 1024 * 1024

Reply = TypeVar("Reply", bound=pydantic.BaseModel)


class VendorReply(pydantic.BaseModel):
    """Base of the vendors' reply schemas: fields the code does not use are ignored, so a vendor adding
    fields does not break delivery."""

    model_config = pydantic.ConfigDict(extra="ignore", frozen=True)


class HttpFailure(Exception):
    """The request did not produce the expected answer (network error, 5xx, HTML, a reply of another shape).
    ``retry`` tells whether a later attempt may help. The message never contains the URL's query string."""

    def __init__(self, message: str, retry: bool = True, status: int = 0):
        super().__init__(message)
        self.retry = retry
        self.status = status


def host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


def with_query(url: str, params: dict[str, str]) -> str:
    """Append query parameters to a URL that may already have some (a webhook's ``?key=``)."""
    parts = urllib.parse.urlsplit(url)
    query = parts.query + ("&" if parts.query and params else "") + urllib.parse.urlencode(params)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def request(method: str, url: str, reply: type[Reply], *, params: dict[str, str] | None = None,
            body: dict | None = None, headers: dict[str, str] | None = None,
            timeout: float = TIMEOUT_SECONDS) -> tuple[int, Reply]:
    """One call: (HTTP status, the reply as its schema). Vendors answer errors inside a 200 or a 4xx with a
    JSON body, so any status below 500 but 429 is read; the caller judges the reply's own code."""
    host = host_of(url)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise HttpFailure("unsupported address", retry=False)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.request(method, url, params=params, json=body,
                                      headers={"Accept": "application/json", **(headers or {})})
    except httpx.HTTPError as exc:  # connection refused, DNS, timeout, protocol errors
        logger.warning("HTTP %s to %s failed: %s", method, host, type(exc).__name__)
        raise HttpFailure(f"{host} unreachable ({type(exc).__name__})") from None
    status = response.status_code
    if status >= 500 or status == 429:
        raise HttpFailure(f"{host} answered {status}", retry=True, status=status)
    raw = response.content[:MAX_REPLY_BYTES] or b"{}"
    try:
        return status, reply.model_validate_json(raw)
    except pydantic.ValidationError as exc:
        # Which fields did not fit, never their values (they may be tokens).
        fields = sorted({".".join(str(p) for p in e["loc"]) or e["type"] for e in exc.errors()})
        logger.warning("%s answered %s with an unexpected reply (%s)", host, status, ", ".join(fields)[:200])
        raise HttpFailure(f"{host} answered {status} with an unexpected reply", retry=False, status=status) from None
