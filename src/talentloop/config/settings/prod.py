"""Production: secrets from the environment only, secure cookies, HSTS, CSP.

A production process without ``DATABASE_URL`` would otherwise fall back to a SQLite file under the
var directory and quietly write the company's data there; it refuses to start instead. The SQLite
benchmarks, which run production settings on purpose, say so with ``TALENTLOOP_ALLOW_SQLITE=1``."""

import os

from django.core.exceptions import ImproperlyConfigured

from talentloop.config.settings.base import *  # noqa: F403

if not os.environ.get("DATABASE_URL") and os.environ.get("TALENTLOOP_ALLOW_SQLITE") != "1":
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Production settings need a database URL "
        "(e.g. postgres://user@host:5432/talentloop); set TALENTLOOP_ALLOW_SQLITE=1 to run on SQLite on purpose."
    )

DEBUG = False
SECRET_KEY = os.environ["TALENTLOOP_SECRET_KEY"]
TALENTLOOP_ENCRYPTION_KEYS = os.environ["TALENTLOOP_ENCRYPTION_KEYS"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = os.environ.get("TALENTLOOP_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("TALENTLOOP_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
