from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

from talentloop.core.middleware import mark_activity


def _start_idle_clock(sender, request, user, **kwargs):
    """A new session starts its idle clock at sign-in (see core.middleware.SessionIdleTimeoutMiddleware)."""
    session = getattr(request, "session", None)
    if session is not None:
        mark_activity(session)


class AccountsConfig(AppConfig):
    name = "talentloop.accounts"
    label = "accounts"

    def ready(self):
        user_logged_in.connect(_start_idle_clock, dispatch_uid="talentloop-idle-clock")
