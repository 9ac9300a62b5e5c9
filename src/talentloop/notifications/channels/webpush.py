"""Web Push to the installed app (RFC 8030 delivery, RFC 8291 ``aes128gcm`` encryption, RFC 8292 VAPID).

A person may have several devices; a message goes to each of their subscriptions. The address returned by
``addresses`` is the number of devices (the channel looks the subscriptions up again when sending, so a device
added or removed in between is honoured). Push services answer 201 on success; 404 and 410 mean the
subscription is gone for good and it is deleted. Browsers' push services are not reachable everywhere
(notably in mainland China): a network failure is reported as retryable and counted on the subscription.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from talentloop.notifications.channels import Message, Result
from talentloop.notifications.models import PushSubscription, VapidKeys

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
TTL_SECONDS = 24 * 3600
GONE = {404, 410}


def payload_of(message: Message) -> str:
    """The JSON the service worker (static/js/sw-push.js) shows as a notification."""
    return json.dumps({"title": message.subject or str(_("Talentloop")), "body": message.text,
                       "url": message.url, "count": message.count}, ensure_ascii=False)


def vapid_claims(endpoint: str, subject: str) -> dict:
    """aud is the push service's origin; exp at most 24 h ahead (RFC 8292 §2), here 12 h."""
    parts = urllib.parse.urlsplit(endpoint)
    return {"sub": subject, "aud": f"{parts.scheme}://{parts.netloc}", "exp": int(time.time()) + 12 * 3600}


class WebPushChannel:
    key = "webpush"
    label = _("Push on devices")

    def keys(self) -> VapidKeys | None:
        return VapidKeys.objects.first()

    def available(self) -> bool:
        return VapidKeys.objects.exists()

    def addresses(self, employee_ids: list[int]) -> dict[int, str]:
        if not employee_ids:
            return {}
        rows = (PushSubscription.objects.filter(employee_id__in=list(employee_ids))
                .values("employee_id").annotate(n=Count("id")).values_list("employee_id", "n"))
        return {employee_id: f"{n} device(s)" for employee_id, n in rows}

    def send(self, message: Message) -> Result:
        from py_vapid import Vapid02
        from pywebpush import WebPushException, webpush

        from talentloop.notifications.channel_services import push_delivery_record

        keys = self.keys()
        if keys is None:
            return Result(ok=False, error="Web Push is not configured", retry=False)
        subscriptions = list(PushSubscription.objects.filter(employee_id=message.recipient_id))
        if not subscriptions:
            return Result(ok=False, error="no subscription", retry=False)
        vapid = Vapid02.from_pem(keys.private_key.encode())
        data = payload_of(message)
        headers = {"Urgency": "high" if message.urgent else "normal"}
        delivered: list[int] = []
        gone: list[int] = []
        failed: list[int] = []
        for sub in subscriptions:
            info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
            try:
                webpush(info, data=data, vapid_private_key=vapid, vapid_claims=vapid_claims(sub.endpoint, keys.subject),
                        content_encoding="aes128gcm", ttl=TTL_SECONDS, headers=headers, timeout=TIMEOUT_SECONDS)
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", 0) if exc.response is not None else 0
                (gone if status in GONE else failed).append(sub.pk)
                logger.info("web push to subscription %s failed with status %s", sub.pk, status or "none")
            except Exception as exc:  # network errors from requests: the push service is unreachable
                failed.append(sub.pk)
                logger.info("web push to subscription %s failed: %s", sub.pk, type(exc).__name__)
            else:
                delivered.append(sub.pk)
        push_delivery_record(delivered=delivered, gone=gone, failed=failed)
        if delivered:
            return Result(ok=True, external_id=",".join(str(pk) for pk in delivered))
        if failed:
            return Result(ok=False, error=f"push service failed for {len(failed)} device(s)", retry=True)
        return Result(ok=False, error="every subscription has expired", retry=False)


CHANNEL = WebPushChannel()
