"""A web process loads what lives as long as it does, then freezes it out of full garbage collections
(the pauses of 150–190 ms on ``/people/``); ``TALENTLOOP_GC_FREEZE=0`` turns that off."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = (
    "import gc, json, sys\n"
    "import talentloop.config.wsgi\n"
    "loaded = 'talentloop.organisation.views' in sys.modules\n"
    "print(json.dumps({'frozen': gc.get_freeze_count(), 'tracked': len(gc.get_objects()), 'views': loaded}))\n"
)


def _probe(**env) -> dict:
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "talentloop.config.settings.test", **env}
    out = subprocess.run([sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_wsgi_application_freezes_what_start_up_loaded():
    got = _probe()
    assert got["views"]  # the URL configuration, and with it every view module, was imported first
    assert got["frozen"] > 100_000
    assert got["tracked"] < got["frozen"] / 10  # a full collection walks a small fraction of the objects


def test_freezing_can_be_turned_off():
    got = _probe(TALENTLOOP_GC_FREEZE="0")
    assert got["frozen"] == 0 and got["tracked"] > 100_000
