"""Authenticated encryption (AES-256-GCM) for sensitive values, with key ids for rotation.

A stored value looks like ``enc1:<kid>:<base64(nonce || ciphertext+tag)>``. Keys come from the
``TALENTLOOP_ENCRYPTION_KEYS`` setting (read from the environment): ``kid:base64key`` entries
separated by commas, the last one being the newest.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"


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


def encrypt(plaintext: str, aad: str = "") -> str:
    keys, kid = keyring()
    nonce = os.urandom(12)
    ct = AESGCM(keys[kid]).encrypt(nonce, plaintext.encode(), aad.encode() or None)
    return f"{PREFIX}:{kid}:{base64.b64encode(nonce + ct).decode()}"


def kid_of(token: str) -> str | None:
    parts = token.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def decrypt(token: str, aad: str = "") -> str:
    prefix, kid, b64 = token.split(":", 2)
    if prefix != PREFIX:
        raise ValueError("not an encrypted value")
    keys, _ = keyring()
    if kid not in keys:
        raise ImproperlyConfigured(f"Encryption key '{kid}' is not configured.")
    blob = base64.b64decode(b64)
    return AESGCM(keys[kid]).decrypt(blob[:12], blob[12:], aad.encode() or None).decode()


def mask(value: str, visible: int = 4) -> str:
    """Only the last characters stay visible: '110101199001011234' -> '••••1234'."""
    if not value:
        return ""
    return "••••" + value[-visible:]
