"""The one HTTP door of the chat channels and group bots: JSON in, JSON out, always a timeout.

URLs of these APIs carry secrets (``access_token``, a group bot's ``key``), so nothing here logs a URL,
and errors name only the host and what went wrong.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0


class HttpFailure(Exception):
    """The request did not produce a JSON answer (network error, 5xx, HTML). ``retry`` tells whether a
    later attempt may help. The message never contains the URL's query string."""

    def __init__(self, message: str, retry: bool = True, status: int = 0):
        super().__init__(message)
        self.retry = retry
        self.status = status


@dataclass(frozen=True)
class JsonAnswer:
    status: int
    body: dict


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


def with_query(url: str, params: dict[str, str]) -> str:
    """Append query parameters to a URL that may already have some (a webhook's ``?key=``)."""
    parts = urllib.parse.urlsplit(url)
    query = parts.query + ("&" if parts.query and params else "") + urllib.parse.urlencode(params)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def request_json(method: str, url: str, *, params: dict[str, str] | None = None, body: dict | None = None,
                 headers: dict[str, str] | None = None, timeout: float = TIMEOUT_SECONDS) -> JsonAnswer:
    if params:
        url = with_query(url, params)
    data = None
    all_headers = {"Accept": "application/json"}
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310 - https/http only
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise HttpFailure("unsupported address", retry=False)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            status = response.status
            raw = response.read(1024 * 1024)
    except urllib.error.HTTPError as exc:
        status = exc.code
        raw = exc.read(1024 * 1024) if exc.fp is not None else b""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = type(getattr(exc, "reason", exc)).__name__
        logger.warning("HTTP %s to %s failed: %s", method, _host(url), reason)
        raise HttpFailure(f"{_host(url)} unreachable ({reason})") from None
    try:
        parsed = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise HttpFailure(f"{_host(url)} answered {status} without JSON", retry=status >= 500 or status == 429,
                          status=status) from None
    if not isinstance(parsed, dict):
        raise HttpFailure(f"{_host(url)} answered {status} with unexpected JSON", retry=False, status=status)
    if status >= 500 or status == 429:
        raise HttpFailure(f"{_host(url)} answered {status}", retry=True, status=status)
    return JsonAnswer(status=status, body=parsed)
