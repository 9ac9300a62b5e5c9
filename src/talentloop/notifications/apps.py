from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "talentloop.notifications"
    label = "notifications"

    def ready(self):
        # The kinds of the performance and mentoring events, and the mentoring delivery hook.
        from talentloop.notifications import channel_access, kinds  # noqa: F401
        from talentloop.organisation import search

        # Whose chat identity the picker of the identities page offers.
        search.register_scope("im-identities", channel_access.im_identity_employees)
