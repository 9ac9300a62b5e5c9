"""Production: secrets from the environment only, secure cookies, HSTS, CSP."""

import os

from talentloop.config.settings.base import *  # noqa: F403

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
