from django.apps import AppConfig

from talentloop.organisation import search


class NotificationsConfig(AppConfig):
    name = "talentloop.notifications"
    label = "notifications"

    def ready(self):
        # The kinds are registered by the apps that raise them, each from its own ready().
        from talentloop.notifications import channel_access  # it imports models: only once the app registry is ready

        # Whose chat identity the picker of the identities page offers.
        search.register_scope("im-identities", channel_access.im_identity_employees)
