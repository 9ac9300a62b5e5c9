from django.apps import AppConfig

from talentloop.core import cache


class IntegrationsConfig(AppConfig):
    name = "talentloop.integrations"
    label = "integrations"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        # event_types registers the outbound events and connects them to the lower apps' signals;
        # notification_kinds the notice to an endpoint's owner; tasks the delivery job.
        from talentloop.integrations import event_types, notification_kinds, tasks  # noqa: F401
        from talentloop.integrations.models import Subscription

        # Which event types any active subscription listens to (events.listened_types), so an event
        # nobody subscribed to costs no query.
        cache.register("integrations", Subscription)
