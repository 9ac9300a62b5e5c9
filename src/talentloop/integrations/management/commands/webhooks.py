"""``talentloop webhooks deliver``: send the outbound webhook deliveries that are due (what the worker's
every-minute job runs; safe to run beside it, as deliveries are claimed). ``talentloop webhooks list``
shows every subscription's state (never a secret)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from talentloop.integrations.models import Subscription
from talentloop.integrations.services.webhooks import deliveries_send


class Command(BaseCommand):
    help = "Outbound webhooks: 'deliver' sends the due deliveries; 'list' shows the subscriptions."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="send the due deliveries, a batch at a time")
        deliver.add_argument("--batch", type=int, default=100, help="deliveries claimed at a time")
        sub.add_parser("list", help="list the subscriptions (never their secrets)")

    def handle(self, *args, action: str, **options):
        if action == "deliver":
            result = deliveries_send(batch=max(1, options["batch"]))
            self.stdout.write(f"Sent {result.sent}, failed {result.failed}, "
                              f"endpoints disabled {len(result.disabled)}.")
            return
        for s in Subscription.objects.select_related("owner").order_by("id"):
            state = "active" if s.is_active else f"disabled ({s.disabled_reason})"
            self.stdout.write(f"{s.pk}\t{s.name}\t{s.url}\t{state}\t{s.owner.get_username()}\t"
                              f"{','.join(s.event_types)}")
