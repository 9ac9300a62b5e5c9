"""Notifications: the inbox and preferences (``core``) and the delivery channels' own records
(``channels``: push subscriptions, IM identities and app credentials, group bots)."""

from talentloop.notifications.models.channels import *  # noqa: F401,F403
from talentloop.notifications.models.core import *  # noqa: F401,F403
