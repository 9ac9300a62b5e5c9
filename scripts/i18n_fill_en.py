#!/usr/bin/env python3
"""Fill the English catalogue: the source strings are English, so each translation is its msgid.

Usage: python scripts/i18n_fill_en.py [path/to/en/LC_MESSAGES/django.po ...]

For every entry of the catalogue (after `makemessages`):

* an empty msgstr becomes the msgid; for a plural entry msgstr[0] becomes the msgid and
  every other msgstr[n] the msgid_plural;
* a fuzzy entry (msgmerge's guess from a similar string) gets the same treatment, its
  translation replaced, and loses the fuzzy flag and its ``#|`` previous-msgid comments;
* a translation that is already there and not fuzzy is kept, so a deliberate English
  wording that differs from the source string survives;
* the header loses its fuzzy flag and gets ``Language: en`` when that is empty.

Pure Python, no dependencies; the entries are rewritten by copying the msgid's own quoted
lines, so the wrapping stays what xgettext wrote and re-runs change nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "src" / "talentloop" / "locale" / "en" / "LC_MESSAGES" / "django.po"
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def split_blocks(text: str) -> list[list[str]]:
    """The catalogue as blocks of lines, one block per entry (blank lines separate them)."""
    blocks: list[list[str]] = []
    cur: list[str] = []
    for line in text.splitlines():
        if line.strip():
            cur.append(line)
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def parse_block(block: list[str]):
    """Comments, and the fields in order as (keyword, plural index, quoted lines)."""
    comments: list[str] = []
    fields: list[tuple[str, int | None, list[str]]] = []
    for line in block:
        m = KEYWORD.match(line)
        if m:
            kw, idx, quoted = m.group(1), m.group(2), m.group(3)
            base = "msgstr" if kw.startswith("msgstr") else kw
            fields.append((base, int(idx) if idx is not None else None, [quoted]))
        elif line.startswith('"') and fields:
            fields[-1][2].append(line)
        else:
            comments.append(line)
    return comments, fields


def value(quoted_lines: list[str]) -> str:
    """The joined string content of a field (still escaped, which is enough to test emptiness)."""
    return "".join(q.strip()[1:-1] for q in quoted_lines)


def render(keyword: str, quoted_lines: list[str]) -> list[str]:
    return [f"{keyword} {quoted_lines[0]}", *quoted_lines[1:]]


def drop_fuzzy(comments: list[str]) -> tuple[list[str], bool]:
    """Remove the fuzzy flag (keeping other flags) and the #| previous-string comments."""
    out: list[str] = []
    was_fuzzy = False
    for line in comments:
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip()]
            if "fuzzy" in flags:
                was_fuzzy = True
                flags = [f for f in flags if f != "fuzzy"]
            if flags:
                out.append("#, " + ", ".join(flags))
            continue
        out.append(line)
    if was_fuzzy:
        out = [line for line in out if not line.startswith("#|")]
    return out, was_fuzzy


def fill_header(comments, fields) -> list[str]:
    comments, _ = drop_fuzzy(comments)
    lines = list(comments)
    for kw, idx, quoted in fields:
        if kw == "msgstr":
            quoted = [re.sub(r'^"Language: \\n"$', r'"Language: en\\n"', q) for q in quoted]
        lines += render(kw if idx is None else f"{kw}[{idx}]", quoted)
    return lines


def fill_entry(comments, fields) -> tuple[list[str], bool]:
    comments, was_fuzzy = drop_fuzzy(comments)
    msgid = next(q for kw, _, q in fields if kw == "msgid")
    plural = next((q for kw, _, q in fields if kw == "msgid_plural"), None)
    changed = was_fuzzy
    lines = list(comments)
    for kw, idx, quoted in fields:
        if kw == "msgstr":
            if was_fuzzy or value(quoted) == "":
                source = msgid if (idx in (None, 0) or plural is None) else plural
                if quoted != source:
                    changed = True
                quoted = source
            lines += render("msgstr" if idx is None else f"msgstr[{idx}]", quoted)
        else:
            lines += render(kw, quoted)
    return lines, changed


def fill(path: Path) -> int:
    """Fill one catalogue in place; the number of entries changed."""
    text = path.read_text(encoding="utf-8")
    out_blocks: list[list[str]] = []
    changed = 0
    for block in split_blocks(text):
        comments, fields = parse_block(block)
        ids = [q for kw, _, q in fields if kw == "msgid"]
        if not ids:
            out_blocks.append(block)  # a comment block, or an obsolete (#~) entry: leave it alone
            continue
        if value(ids[0]) == "" and not any(kw == "msgctxt" for kw, _, _ in fields):
            out_blocks.append(fill_header(comments, fields))
            continue
        lines, did = fill_entry(comments, fields)
        changed += did
        out_blocks.append(lines)
    new = "\n\n".join("\n".join(b) for b in out_blocks) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("po", nargs="*", type=Path, default=[DEFAULT], help="English .po files to fill")
    args = parser.parse_args(argv)
    for path in args.po:
        if not path.exists():
            print(f"{path}: not found", file=sys.stderr)
            return 1
        n = fill(path)
        print(f"{path}: {n} entr{'y' if n == 1 else 'ies'} filled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
