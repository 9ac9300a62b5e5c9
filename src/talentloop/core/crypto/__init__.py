"""Authenticated encryption (AES-256-GCM) for sensitive values, with key ids for rotation.

One envelope: ``enc2:<kid>:<base64(nonce || ciphertext+tag)>``. The associated data binds a value to
where it is stored (``aad_for``: table, column and the row's ``row_uid``), so a ciphertext copied into
another row or column does not open. Keys come from the ``TALENTLOOP_ENCRYPTION_KEYS`` setting (read
from the environment): ``kid:base64key`` entries separated by commas, the last one being the newest.

The first envelope, ``enc1``, bound a value to its field name only. ``open_legacy`` reads it for one
purpose: such values are rewritten as ``enc2`` after every ``migrate`` (``core.crypto.rewrap``) and by
``talentloop reencrypt``. Nothing else accepts it.
"""

from __future__ import annotations

import base64
import binascii
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc2"
LEGACY_PREFIX = "enc1"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value does not open here: altered, moved from another row or column, or in the old
    envelope. The message names the place, never the value."""


@lru_cache(maxsize=8)
def _parse_keys(spec: str) -> tuple[dict[str, bytes], str]:
    keys: dict[str, bytes] = {}
    newest = ""
    for entry in [e.strip() for e in spec.split(",") if e.strip()]:
        kid, _, b64 = entry.partition(":")
        raw = base64.b64decode(b64)
        if len(raw) != 32 or not kid:
            raise ImproperlyConfigured("Each encryption key must be 'kid:base64' of 32 bytes.")
        keys[kid] = raw
        newest = kid
    if not keys:
        raise ImproperlyConfigured("TALENTLOOP_ENCRYPTION_KEYS is not set.")
    return keys, newest


def keyring() -> tuple[dict[str, bytes], str]:
    return _parse_keys(settings.TALENTLOOP_ENCRYPTION_KEYS)


def newest_kid() -> str:
    return keyring()[1]


def aad_for(table: str, column: str, row_uid: object) -> str:
    """The associated data of a value stored in ``table.column`` of the row with this ``row_uid``."""
    return f"{table}:{column}:{row_uid}"


def encrypt(plaintext: str, aad: str) -> str:
    keys, kid = keyring()
    nonce = os.urandom(NONCE_BYTES)
    ct = AESGCM(keys[kid]).encrypt(nonce, plaintext.encode(), aad.encode())
    return f"{PREFIX}:{kid}:{base64.b64encode(nonce + ct).decode()}"


def envelope_of(token: str) -> tuple[str, str, str] | None:
    """(prefix, kid, base64 body) of a stored value, or None when it is not an envelope at all."""
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] not in (PREFIX, LEGACY_PREFIX) or not parts[1]:
        return None
    return parts[0], parts[1], parts[2]


def kid_of(token: str) -> str | None:
    parts = envelope_of(token)
    return parts[1] if parts else None


def is_current(token: str) -> bool:
    """In the one envelope, under the newest key: nothing for ``reencrypt`` to do."""
    parts = envelope_of(token)
    return parts is not None and parts[0] == PREFIX and parts[1] == newest_kid()


@lru_cache(maxsize=16)
def _cipher(key: bytes) -> AESGCM:
    """One cipher per key, not per value: making it is a third of the cost of opening a short value,
    which counts when a bank file opens 100,000 accounts."""
    return AESGCM(key)


def _open(kid: str, b64: str, aad: bytes | None, where: str) -> str:
    keys, _ = keyring()
    if kid not in keys:
        raise ImproperlyConfigured(f"Encryption key '{kid}' is not configured.")
    try:
        blob = base64.b64decode(b64, validate=True)
        return _cipher(keys[kid]).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise DecryptionError(f"The value stored in {where} does not open: it was altered, or it was "
                              f"written for another row or column.") from None


def decrypt(token: str, aad: str) -> str:
    parts = envelope_of(token)
    where = aad.rsplit(":", 1)[0] if aad.count(":") >= 2 else (aad or "this place")
    if parts is None:
        raise DecryptionError(f"The value stored in {where} is not an encrypted value.")
    prefix, kid, b64 = parts
    if prefix == LEGACY_PREFIX:
        raise DecryptionError(f"The value stored in {where} is in the old envelope ({LEGACY_PREFIX}); "
                              f"run `talentloop reencrypt`.")
    return _open(kid, b64, aad.encode(), where)


def open_legacy(token: str, field_name: str) -> str:
    """An ``enc1`` value, whose associated data was the field name alone (empty: none). For
    ``talentloop reencrypt`` only."""
    parts = envelope_of(token)
    if parts is None or parts[0] != LEGACY_PREFIX:
        raise DecryptionError(f"The value stored in {field_name} is not in the old envelope.")
    return _open(parts[1], parts[2], field_name.encode() or None, field_name)


def mask(value: str, visible: int = 4) -> str:
    """Only the last characters stay visible: '110101199001011234' -> '••••1234'."""
    if not value:
        return ""
    return "••••" + value[-visible:]
