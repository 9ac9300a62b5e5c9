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


def _keys(path: Path) -> set[tuple[str, str]]:
    """(context, msgid) of every entry: the same words with two contexts are two entries."""
    return {(e.get("msgctxt", ""), e["msgid"]) for e in parse_po(path) if e["msgid"]}


def test_no_source_string_missing_from_catalogue(tmp_path):
    """Extract the strings from the source again and compare with both committed catalogues.

    Every marker counts: a string marked with a helper xgettext does not know (an alias such as
    ``_l``) would be missing from the fresh extraction, so the source is also searched for such
    aliases, and a context (``pgettext``, ``{% translate ... context ... %}``) is part of the key.
    """
    assert shutil.which("xgettext"), "gettext tools are needed (make test installs them)"
    src = Path(__file__).resolve().parent.parent / "src" / "talentloop"
    work = tmp_path / "talentloop"
    shutil.copytree(src, work, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # Without settings, makemessages writes only to ./locale of the copy, never to the real tree.
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete",
                    "-e", EXTENSIONS],
                   cwd=work, check=True, capture_output=True, env=env)
    fresh = _keys(work / "locale" / "en" / "LC_MESSAGES" / "django.po")
    for lang in LANGS:
        committed = _keys(src / "locale" / lang / "LC_MESSAGES" / "django.po")
        missing = sorted(fresh - committed)
        assert not missing, (f"{len(missing)} strings missing from the {lang} catalogue (run `make messages`): "
                             f"{missing[:20]}")


# Names xgettext extracts from Python (Django's makemessages keywords plus xgettext's defaults).
_KNOWN_MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext",
                  "pgettext_lazy", "npgettext", "npgettext_lazy"}


def test_translation_functions_are_imported_under_names_xgettext_knows():
    """``from django.utils.translation import gettext_lazy as _l`` hides every ``_l("...")`` from
    makemessages: the strings are never extracted and stay English in Chinese. Only known names."""
    src = Path(__file__).resolve().parent.parent / "src" / "talentloop"
    offenders = []
    for path in src.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    if "gettext" in alias.name and (alias.asname or alias.name) not in _KNOWN_MARKERS:
                        offenders.append(f"{path.relative_to(src)}: {alias.name} as {alias.asname}")
    assert not offenders, offenders


def test_contexts_are_translated_in_chinese():
    """A word with several meanings gets one entry per context, each with its own translation."""
    po = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    verb = translations.pgettext("verb: record a mentoring session", "Record")
    column = translations.pgettext("audit log: the record that changed", "Record")
    assert verb != column and verb != "Record" and column != "Record"
    assert translations.pgettext("employee status", "Active") != translations.pgettext("plan status", "Active")
