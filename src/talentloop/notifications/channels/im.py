"""What the three enterprise-chat channels share: credentials, identities, a cached access token that is
refreshed once when the vendor says it is no longer valid, and the texts they send.

The token lives in Django's cache (shared by every process when the cache is Redis) under a key made from
the vendor and a hash of the app's id and secret, so new credentials never reuse an old token. Its lifetime
is the vendor's ``expires_in``/``expire`` minus a margin. Each vendor's HTTP calls and reply schemas live in
its own package (``wecom``, ``dingtalk``, ``feishu``: ``client.py`` and ``schemas.py``).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from talentloop.notifications.channels.base import Message, Result
from talentloop.notifications.channels.http import HttpFailure
from talentloop.notifications.models import ImCredentials, ImIdentity

TOKEN_MARGIN_SECONDS = 300


class TokenError(Exception):
    """The vendor refused to issue a token (wrong credentials): retrying will not help."""


class TokenExpired(Exception):
    """The vendor said the token we sent is invalid or expired."""


class ImChannel:
    vendor: str = ""
    key: str = ""
    label = _("Chat app")

    def credentials(self) -> ImCredentials | None:
        creds = ImCredentials.objects.filter(vendor=self.vendor, enabled=True).first()
        if creds is None or not creds.secret or not creds.client_id:
            return None
        return creds

    def available(self) -> bool:
        return self.credentials() is not None

    def addresses(self, employee_ids: list[int]) -> dict[int, str]:
        if not employee_ids:
            return {}
        return dict(ImIdentity.objects.filter(vendor=self.vendor, employee_id__in=list(employee_ids))
                    .values_list("employee_id", "external_id"))

    # ---------------------------------------------------------------- token

    def _cache_key(self, creds: ImCredentials) -> str:
        digest = hashlib.sha256(f"{creds.base_url}\n{creds.client_id}\n{creds.secret}".encode()).hexdigest()[:24]
        return f"notifications:im-token:{self.vendor}:{digest}"

    def fetch_token(self, creds: ImCredentials) -> tuple[str, int]:
        """Ask the vendor for a new token: (token, lifetime in seconds); TokenError when refused."""
        raise NotImplementedError

    def token(self, creds: ImCredentials, *, refresh: bool = False) -> str:
        key = self._cache_key(creds)
        if not refresh:
            cached = cache.get(key)
            if cached:
                return cached
        token, lifetime = self.fetch_token(creds)
        cache.set(key, token, timeout=max(60, int(lifetime) - TOKEN_MARGIN_SECONDS))
        return token

    def forget_token(self, creds: ImCredentials) -> None:
        cache.delete(self._cache_key(creds))

    # ---------------------------------------------------------------- sending

    def deliver(self, creds: ImCredentials, token: str, message: Message) -> Result:
        """One send attempt; raises TokenExpired when the vendor refuses the token."""
        raise NotImplementedError

    def send(self, message: Message) -> Result:
        creds = self.credentials()
        if creds is None:
            return Result(ok=False, error="not configured", retry=False)
        if not message.address:
            return Result(ok=False, error="no identity", retry=False)
        try:
            try:
                return self.deliver(creds, self.token(creds), message)
            except TokenExpired:
                # The cached token was revoked or expired early: one fresh token, one more try.
                self.forget_token(creds)
                try:
                    return self.deliver(creds, self.token(creds, refresh=True), message)
                except TokenExpired:
                    return Result(ok=False, error="access token refused twice", retry=True)
        except TokenError as exc:
            return Result(ok=False, error=str(exc), retry=False)
        except HttpFailure as exc:
            return Result(ok=False, error=str(exc), retry=exc.retry)


def errcode_failure(vendor_name: str, code: int, retry_from: int) -> Result:
    """A refused send of a vendor whose answers carry ``errcode`` (WeCom, DingTalk): codes from
    ``retry_from`` up, and negative ones, are the vendor's system errors and worth a retry."""
    return Result(ok=False, error=f"{vendor_name} errcode {code}", retry=code < 0 or code >= retry_from)


def text_of(message: Message, limit: int = 2000) -> str:
    """The plain text of a message with its link, within the vendor's length limit."""
    parts = [message.subject] if message.subject and message.subject != message.text else []
    parts.append(message.text)
    if message.url:
        parts.append(message.url)
    return "\n".join(p for p in parts if p)[:limit]


def cut_bytes(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, cut at a character boundary (vendors count bytes; a Chinese
    character is three)."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", errors="ignore")


def card_button_label() -> str:
    """The button of a chat card that opens the notification's page ("查看详情"), in the active language.

    Its own context: the bare "Open" is the state of a review or an appeal ("进行中"), not an action.
    """
    return pgettext("chat card button", "View details")
