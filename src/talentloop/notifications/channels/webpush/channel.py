"""Web Push to the installed app.

A person may have several devices; a message goes to each of their subscriptions. The address returned by
``addresses`` is the number of devices (the channel looks the subscriptions up again when sending, so a device
added or removed in between is honoured). Gone subscriptions are deleted, failures counted on the subscription
(``records.push_delivery_record``).
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from talentloop.notifications.channels.base import Message, Result
from talentloop.notifications.channels.webpush import client
from talentloop.notifications.channels.webpush.records import push_delivery_record
from talentloop.notifications.channels.webpush.schemas import PushPayload
from talentloop.notifications.models import PushSubscription, VapidKeys


def payload_of(message: Message) -> PushPayload:
    return PushPayload(title=message.subject or str(_("Talentloop")), body=message.text, url=message.url,
                       count=message.count)


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
        keys = self.keys()
        if keys is None:
            return Result(ok=False, error="Web Push is not configured", retry=False)
        subscriptions = list(PushSubscription.objects.filter(employee_id=message.recipient_id))
        if not subscriptions:
            return Result(ok=False, error="no subscription", retry=False)
        vapid = client.vapid_from_pem(keys.private_key)
        payload = payload_of(message)
        outcomes: dict[client.Outcome, list[int]] = {o: [] for o in client.Outcome}
        for sub in subscriptions:
            outcome = client.push(endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth, payload=payload,
                                  vapid=vapid, subject=keys.subject, urgent=message.urgent, label=sub.pk)
            outcomes[outcome].append(sub.pk)
        delivered, failed = outcomes[client.Outcome.DELIVERED], outcomes[client.Outcome.FAILED]
        push_delivery_record(delivered=delivered, gone=outcomes[client.Outcome.GONE], failed=failed)
        if delivered:
            return Result(ok=True, external_id=",".join(str(pk) for pk in delivered))
        if failed:
            return Result(ok=False, error=f"push service failed for {len(failed)} device(s)", retry=True)
        return Result(ok=False, error="every subscription has expired", retry=False)


CHANNEL = WebPushChannel()
