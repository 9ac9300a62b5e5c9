"""Web Push delivery to one subscription (RFC 8030 delivery, RFC 8291 ``aes128gcm`` encryption, RFC 8292
VAPID) through ``pywebpush``, with a timeout, its outcome mapped to what the channel records.

Push services answer 201 on success; 404 and 410 mean the subscription is gone for good. Browsers' push
services are not reachable everywhere (notably in mainland China): a network failure is retryable.
"""

from __future__ import annotations

import enum
import logging
import time
import urllib.parse

from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from talentloop.notifications.channels.webpush.schemas import PushPayload

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
TTL_SECONDS = 24 * 3600
GONE = frozenset({404, 410})


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    GONE = "gone"          # the subscription will never work again: delete it
    FAILED = "failed"      # worth another try later


def vapid_claims(endpoint: str, subject: str) -> dict:
    """aud is the push service's origin; exp at most 24 h ahead (RFC 8292 §2), here 12 h."""
    parts = urllib.parse.urlsplit(endpoint)
    return {"sub": subject, "aud": f"{parts.scheme}://{parts.netloc}", "exp": int(time.time()) + 12 * 3600}


def vapid_from_pem(pem: str) -> Vapid02:
    return Vapid02.from_pem(pem.encode())


def push(*, endpoint: str, p256dh: str, auth: str, payload: PushPayload, vapid: Vapid02, subject: str,
         urgent: bool, label: object = "") -> Outcome:
    """One encrypted, VAPID-signed POST to the subscription's push service. ``label`` names the subscription
    in logs (never the endpoint, which identifies a browser)."""
    info = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    try:
        webpush(info, data=payload.model_dump_json(), vapid_private_key=vapid,
                vapid_claims=vapid_claims(endpoint, subject), content_encoding="aes128gcm", ttl=TTL_SECONDS,
                headers={"Urgency": "high" if urgent else "normal"}, timeout=TIMEOUT_SECONDS)
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", 0) if exc.response is not None else 0
        logger.info("web push to subscription %s failed with status %s", label, status or "none")
        return Outcome.GONE if status in GONE else Outcome.FAILED
    except Exception as exc:  # noqa: BLE001 - network errors from requests: the push service is unreachable
        logger.info("web push to subscription %s failed: %s", label, type(exc).__name__)
        return Outcome.FAILED
    return Outcome.DELIVERED
