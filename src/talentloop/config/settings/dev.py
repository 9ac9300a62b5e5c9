"""Development and demo: secrets generated into the var directory on first run. DEBUG is on for
development and off for the demo (``TALENTLOOP_DEMO=1``), so the demo shows the product's error
pages, never a traceback; ``TALENTLOOP_DEBUG=1`` or ``0`` decides either way. Static files are served
by WhiteNoise from the finders (base settings) with DEBUG off as well."""

import os
import secrets

from talentloop.config.settings.base import *  # noqa: F403
from talentloop.config.settings.base import DEMO_MODE, VAR_DIR

DEBUG = os.environ.get("TALENTLOOP_DEBUG", "0" if DEMO_MODE else "1") == "1"


def _local_secret(name: str, make) -> str:
    """A per-install secret kept in var/ (outside the repository), created on first use."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("TALENTLOOP_SECRET_KEY") or _local_secret(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
TALENTLOOP_ENCRYPTION_KEYS = os.environ.get("TALENTLOOP_ENCRYPTION_KEYS") or _local_secret(
    "encryption_keys", lambda: "k1:" + __import__("base64").b64encode(secrets.token_bytes(32)).decode()
)
