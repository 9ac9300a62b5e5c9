"""What the three vendor pulls share: the punch they answer, their errors and the cached token."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache

from talentloop.notifications.channels.http import HttpFailure

TOKEN_MARGIN_SECONDS = 300
T = TypeVar("T")


@dataclass(frozen=True)
class Punch:
    """One punch as a vendor recorded it: whose (the vendor's user id), when (aware, UTC), which way
    (``in``, ``out`` or ``punch``), the vendor's own record id (the idempotency key), and the work
    date when the vendor says which day it counts to (DingTalk)."""

    user_id: str
    at: dt.datetime
    direction: str
    record_id: str
    device: str = ""
    work_date: dt.date | None = None


class VendorError(Exception):
    """The vendor refused or failed the request. The message names the vendor and its error code,
    never a token, a secret or a URL with its query string."""


class TokenExpired(Exception):
    """The vendor says the token sent is invalid or expired: get a new one and try once more."""


def _key(vendor: str, base_url: str, app_id: str, secret: str) -> str:
    digest = hashlib.sha256(f"{base_url}\n{app_id}\n{secret}".encode()).hexdigest()[:24]
    return f"attendance:vendor-token:{vendor}:{digest}"


def with_token(vendor: str, base_url: str, app_id: str, secret: str,
               fetch_token: Callable[[str, str, str], tuple[str, int]], call: Callable[[str], T]) -> T:
    """``call(token)`` with the cached token; when the vendor refuses it, once more with a new one.
    New credentials never reuse an old token (the cache key hashes them)."""
    key = _key(vendor, base_url, app_id, secret)
    try:
        token = cache.get(key)
        if not token:
            token, lifetime = fetch_token(base_url, app_id, secret)
            cache.set(key, token, timeout=max(60, int(lifetime) - TOKEN_MARGIN_SECONDS))
        try:
            return call(token)
        except TokenExpired:
            cache.delete(key)
            token, lifetime = fetch_token(base_url, app_id, secret)
            cache.set(key, token, timeout=max(60, int(lifetime) - TOKEN_MARGIN_SECONDS))
            try:
                return call(token)
            except TokenExpired:
                raise VendorError(f"{vendor}: access token refused twice") from None
    except HttpFailure as exc:
        raise VendorError(f"{vendor}: {exc}") from None


def epoch(at: dt.datetime) -> int:
    return int(at.timestamp())


def from_epoch(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
