"""What every delivery channel is: the ``Channel`` protocol, the ``Message`` it is given and the ``Result`` it
answers. The delivery job (``talentloop.notifications.services``) only talks to this interface, so a channel
never needs to know about preferences, quiet hours or digests.

``inapp`` is not a channel object: the inbox row itself is the in-app delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    recipient_id: int          # Employee id
    address: str               # what ``addresses`` returned for the recipient
    kind: str                  # notification kind key
    subject: str               # one line, in the recipient's language
    text: str                  # plain text body, in the recipient's language
    url: str = ""              # absolute link into the product ("" when none)
    urgent: bool = False
    count: int = 1             # > 1 for a digest


@dataclass(frozen=True)
class Result:
    ok: bool
    error: str = ""            # short reason, never containing secrets
    external_id: str = ""      # the vendor's message id, when it returns one
    retry: bool = True         # False when retrying cannot help (e.g. unknown user)


class Channel(Protocol):
    key: str                   # "email", "webpush", "wecom", "dingtalk", "feishu"
    label: str                 # translatable

    def available(self) -> bool:
        """Configured for the organisation (credentials, SMTP, VAPID keys)."""
        ...

    def addresses(self, employee_ids: list[int]) -> dict[int, str]:
        """Who can be reached at all (one query for the set)."""
        ...

    def send(self, message: Message) -> Result: ...
