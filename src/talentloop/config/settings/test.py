"""Tests: jobs run immediately, fast hashing, random secrets per run."""

import base64
import os
import secrets

from talentloop.config.settings.base import *  # noqa: F403
from talentloop.config.settings.base import DATABASES, HUEY

SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
TALENTLOOP_ENCRYPTION_KEYS = "t1:" + base64.b64encode(secrets.token_bytes(32)).decode()
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = os.environ.get("TALENTLOOP_SQLITE_PATH", ":memory:")
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TALENTLOOP_TEST_SQLITE_PATH") or None}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
