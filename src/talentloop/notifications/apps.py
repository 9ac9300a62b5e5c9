from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "talentloop.notifications"
    label = "notifications"

    def ready(self):
        # The kinds are registered by the apps that raise them, each from its own ready().
        from talentloop.notifications import channel_access
        from talentloop.organisation import search

        # Whose chat identity the picker of the identities page offers.
        search.register_scope("im-identities", channel_access.im_identity_employees)
