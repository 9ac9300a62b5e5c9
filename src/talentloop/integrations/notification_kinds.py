"""Integrations: notification kinds, registered from IntegrationsConfig.ready(). Not personal (they name
an endpoint, nobody's results), but for the endpoint's owner only."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentloop.notifications.kinds import Kind, register


def _disabled(data: dict) -> str:
    return gettext("The webhook endpoint “%(name)s” failed for a day and was disabled. Check it, then "
                   "enable it again and replay what it missed.") % {"name": data.get("name", "")}


ENDPOINT_DISABLED = register(Kind(key="webhook_endpoint_disabled", label=_("Webhook endpoint disabled"),
                                  render=_disabled, urgent=True, personal=False))
