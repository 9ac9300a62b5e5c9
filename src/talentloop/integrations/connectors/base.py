"""What every connector kind provides, and the facts they hand to the services.

A connector kind (one folder each: ``gitlab/``, ``github/``, ``jira/``, ``pull/``) knows its vendor:
how a delivery is signed or token-checked and what its payloads look like (``webhook.py``, a
``WebhookKind`` with typed payload models), and how to read the last days back through the vendor's
REST API or a file at an address (``client.py``, an ``ApiClient``). It never writes: it turns what the
vendor sends into ``ToolFact`` values, and ``integrations.services.connector_events`` stores and
records them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # only for the signatures: kinds are loaded by the models' module, not the reverse
    import httpx

    from talentloop.integrations.models import Connector


@dataclass(frozen=True, slots=True)
class AccountRef:
    """A tool's account as an event names it: ``handle`` is the tool's stable identifier (GitLab
    username, GitHub login, Jira accountId); e-mail and name help matching it to an employee."""

    handle: str
    email: str = ""
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class ToolFact:
    """One fact from a tool: ``external_id`` is stable across re-deliveries and edits of the same fact
    (an edit keeps it and changes ``value`` or ``occurred_at``)."""

    event_kind: str
    external_id: str
    account: AccountRef
    occurred_at: dt.datetime
    value: Decimal = Decimal(1)
    # Set by a reading side that cannot know the fact's exact moment (GitLab's approvals): such a fact
    # is stored only when unknown, never overwriting the moment a webhook gave.
    approximate: bool = False


@dataclass(frozen=True, slots=True)
class RowProblem:
    """An item a client could not read into a fact (a bad row of a pulled file, say): reported with the
    run that read it (``row`` counts from 1 as the vendor's file or list does), the other items taken."""

    row: int
    field: str
    reason: str


class Unverified(Exception):
    """The delivery is unsigned, mis-signed, too old or lacks its delivery id: answered 401."""


class UnknownShape(Exception):
    """The payload is not one the connector knows: answered 422 with this reason, the body kept."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one delivery holds: the vendor's event name (for the log) and its facts (none when the
    event is one the connector does not count, e.g. a merge request opened)."""

    event_name: str
    facts: list[ToolFact]


class WebhookKind(Protocol):
    """The receiving side of a vendor (``<vendor>/webhook.py``)."""

    kind: str

    def verify(self, connector: Connector, headers: Mapping[str, str], body: bytes, now: float) -> str:
        """Check the signature or token; return the delivery's id (for refusing a replay). Raise
        ``Unverified`` with the reason."""
        ...

    def parse(self, headers: Mapping[str, str], body: bytes, config: Mapping[str, Any] | None = None) -> Parsed:
        """Read a delivery's payload into facts; raise ``UnknownShape`` with the reason. ``headers``
        are keyed in lower case; ``config`` is the connector's settings (Jira's done statuses, say)."""
        ...


class ApiClient(Protocol):
    """The reading side of a vendor (``<vendor>/client.py``): backfills and scheduled pulls."""

    kind: str

    def config_problems(self, config: dict) -> dict[str, list[str]]:
        """Field errors of a connector's settings (empty when they are good)."""
        ...

    def check_connection(self, connector: Connector, client: httpx.Client) -> str:
        """Reach the vendor with the connector's address and token; return what it said (e.g. the
        account's name) or raise ``ConnectionProblem`` with a reason a person can act on."""
        ...

    def backfill(self, connector: Connector, since: dt.date,
                 client: httpx.Client) -> Iterator[ToolFact | RowProblem]:
        """The facts since ``since``, read page after page (and a ``RowProblem`` for each item that
        cannot be read; a problem that stops the reading raises ``ConnectionProblem``)."""
        ...


class ConnectionProblem(Exception):
    """The vendor could not be reached or refused the connector's credentials."""
