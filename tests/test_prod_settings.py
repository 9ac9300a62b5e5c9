"""Production settings never fall back to SQLite by accident: without ``DATABASE_URL`` they refuse to
load unless ``TALENTLOOP_ALLOW_SQLITE=1`` says the SQLite file is wanted (the benchmarks)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = (
    "import json; import talentloop.config.settings.prod as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'debug': s.DEBUG}))"
)


def _load(tmp_path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith(("TALENTLOOP_", "DJANGO_")) and k != "DATABASE_URL"}
    environ.update(TALENTLOOP_VAR_DIR=str(tmp_path), TALENTLOOP_SECRET_KEY="x" * 50,
                   TALENTLOOP_ENCRYPTION_KEYS="k1:" + "A" * 43 + "=", **env)
    return subprocess.run([sys.executable, "-c", SCRIPT], env=environ, capture_output=True, text=True)


def test_prod_settings_refuse_to_start_without_a_database_url(tmp_path):
    result = _load(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL is not set" in result.stderr and "TALENTLOOP_ALLOW_SQLITE=1" in result.stderr
    assert not (tmp_path / "talentloop.sqlite3").exists()


def test_prod_settings_run_on_sqlite_when_told_to(tmp_path):
    result = _load(tmp_path, TALENTLOOP_ALLOW_SQLITE="1")
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout and '"debug": false' in result.stdout


def test_prod_settings_use_the_database_url(tmp_path):
    result = _load(tmp_path, DATABASE_URL="postgres://user@db.invalid:5432/talentloop")
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
