"""Tests: jobs run immediately, fast hashing, random secrets per run."""

import base64
import os
import re
import secrets
from urllib.parse import urlsplit, urlunsplit

from talentloop.config.settings.base import *  # noqa: F403
from talentloop.config.settings.base import CACHES, DATABASES, FRAGMENT_CACHE, HUEY, REDIS_URL

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
# Outbound webhooks go to the tests' local receivers, and are sent when a test asks.
TALENTLOOP_WEBHOOKS_ALLOW_PRIVATE = True
TALENTLOOP_WEBHOOKS_SEND_AT_ONCE = False
# Jobs run at once in the tests: the recording job ends as soon as nothing is queued.
TALENTLOOP_CONNECTORS_RECORD_LINGER = 0

# Each test process has a cache (and a job queue) of its own. With Redis (the PostgreSQL leg of CI),
# the pytest-xdist workers share one server: each gets its own database number (the URL's plus one
# plus the worker's number), so a test that clears the cache (FLUSHDB) clears only its own worker's
# keys, and its own key prefix. Without Redis, memory per process.
if REDIS_URL:
    _worker = int(re.sub(r"\D", "", os.environ.get("PYTEST_XDIST_WORKER", "")) or 0)
    _url = urlsplit(REDIS_URL)
    _db = (int(_url.path.strip("/") or 0) + 1 + _worker) % 16
    _location = urlunsplit(_url._replace(path=f"/{_db}"))
    CACHES = {"default": {**CACHES["default"], "LOCATION": _location, "KEY_PREFIX": f"talentloop-test-{_worker}"},
              "fragments": FRAGMENT_CACHE}
    # Jobs still run at once, but through Redis (their results, locks and schedule), as in production.
    HUEY = {**HUEY, "url": _location, "name": f"talentloop-test-{_worker}", "immediate_use_memory": False}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "talentloop-test"},
              "fragments": FRAGMENT_CACHE}
