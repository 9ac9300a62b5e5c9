"""Connector kinds, one folder each; ``KINDS`` maps a ``Connector.kind`` to what knows that vendor."""

from __future__ import annotations

from talentloop.integrations.connectors.base import ConnectorType

# Each kind's folder exposes ``KIND`` (a ConnectorType); listed here as they are added.
KINDS: dict[str, ConnectorType] = {}


def kind_of(key: str) -> ConnectorType:
    return KINDS[key]
