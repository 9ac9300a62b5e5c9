"""Translation catalogues: every entry translated in zh-Hans and en, and none missing."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "src" / "talentloop" / "locale"
LANGS = ["zh_Hans", "en"]
# The same file extensions as the Makefile's `messages` target (MESSAGE_EXTENSIONS).
EXTENSIONS = "html,txt,py,js,webmanifest"


def parse_po(path: Path) -> list[dict]:
    """A small PO reader: entries with msgid, msgid_plural, msgstr[n] and flags."""
    entries: list[dict] = []
    cur: dict = {}
    key = None

    def flush():
        if cur.get("msgid") is not None:
            entries.append(dict(cur))

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            cur, key = {}, None
            continue
        if line.startswith("#,"):
            cur["flags"] = line[2:].strip()
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?|msgctxt)\s+(".*")$', line)
        if m:
            key = m.group(1)
            cur[key] = ast.literal_eval(m.group(2))
        elif line.startswith('"') and key:
            cur[key] += ast.literal_eval(line)
    flush()
    return entries


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_complete(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"missing catalogue {po}"
    assert po.with_suffix(".mo").exists(), f"{po.with_suffix('.mo')} not compiled"
    untranslated = []
    for entry in parse_po(po):
        if entry["msgid"] == "":
            continue  # header
        if "fuzzy" in entry.get("flags", ""):
            untranslated.append(("fuzzy", entry["msgid"]))
            continue
        strs = [v for k, v in entry.items() if k.startswith("msgstr")]
        if not strs or any(s == "" for s in strs):
            untranslated.append(("empty", entry["msgid"]))
    assert not untranslated, f"{len(untranslated)} untranslated entries in {lang}: {untranslated[:20]}"


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_is_current(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    with mo.open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    stale = [e["msgid"] for e in parse_po(po)
             if e["msgid"] and "msgstr" in e and "msgctxt" not in e
             and translations.gettext(e["msgid"]) != e["msgstr"]]
    assert not stale, f"the compiled catalogue is out of date (run `make messages`): {stale[:10]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_no_source_string_missing_from_catalogue(tmp_path):
    """Extract the strings from the source again and compare with the committed catalogue."""
    src = Path(__file__).resolve().parent.parent / "src" / "talentloop"
    work = tmp_path / "talentloop"
    shutil.copytree(src, work, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # Without settings, makemessages writes only to ./locale of the copy, never to the real tree.
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete",
                    "-e", EXTENSIONS],
                   cwd=work, check=True, capture_output=True, env=env)
    fresh = {e["msgid"] for e in parse_po(work / "locale" / "en" / "LC_MESSAGES" / "django.po") if e["msgid"]}
    committed = {e["msgid"] for e in parse_po(src / "locale" / "en" / "LC_MESSAGES" / "django.po") if e["msgid"]}
    missing = sorted(fresh - committed)
    assert not missing, f"{len(missing)} strings missing from the catalogues (run `make messages`): {missing[:20]}"
