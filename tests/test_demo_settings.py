"""The demo runs with DEBUG off (the product's error pages, never a traceback) and still serves its
static files; development keeps DEBUG on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings

SCRIPT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'finders': s.WHITENOISE_USE_FINDERS, 'hosts': s.ALLOWED_HOSTS}))"
)


def _settings(tmp_path, **env) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TALENTLOOP_")}
    environ.update(DJANGO_SETTINGS_MODULE="talentloop.config.settings.dev", TALENTLOOP_VAR_DIR=str(tmp_path), **env)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=environ, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_demo_runs_with_debug_off(tmp_path):
    demo = _settings(tmp_path, TALENTLOOP_DEMO="1")
    assert demo["debug"] is False and demo["finders"] is True
    assert "127.0.0.1" in demo["hosts"] and "localhost" in demo["hosts"]
    assert _settings(tmp_path)["debug"] is True
    assert _settings(tmp_path, TALENTLOOP_DEMO="1", TALENTLOOP_DEBUG="1")["debug"] is True


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_static_files_are_served_with_debug_off():
    r = Client().get("/static/js/app.js")
    assert r.status_code == 200
    assert b"data-confirm" in b"".join(r.streaming_content)
