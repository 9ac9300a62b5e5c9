"""Where a page's server CPU goes: the hot pages profiled request by request, on a benchmark database
kept by ``python -m tests.bench.run --only mobile --keep`` (production settings, the 10,000-person
company with its history).

    python -m tests.bench.request_profile --env <workdir>/bench-env.json --out docs/benchmarks

Each page is requested through Django's full handler (every middleware, the session, the locale,
the view, the template or the API's serialiser) by the person it belongs to, warmed first, then
``--requests`` times under ``pyinstrument`` (a sampling profiler, 0.2 ms interval). Every sample's
time goes to one part of the request path, chosen by the innermost frame that belongs to one:

* ``sql``: the database driver and the round trip (psycopg, sqlite3, Django's cursor wrappers);
* ``orm``: building queries and turning rows into model instances (django.db.models);
* ``templates``: rendering (django.template, template_partials, jinja2);
* ``serialisation``: the API's schemas and JSON (ninja, pydantic, json);
* ``session_auth``: the session, the signed-in user and the actor (django.contrib.sessions/auth,
  core.access);
* ``locale``: translation look-ups and formats (django.utils.translation, formats, the locale
  middleware);
* ``middleware``: the rest of the middleware stack and the handler (django.core.handlers, the
  middleware modules);
* ``app``: the product's own code (talentloop.*) outside the parts above;
* ``other``: the rest (the standard library, the test client).

The per-request CPU is measured alongside from ``time.thread_time`` around each request (the same
accounting as ``core.middleware.ServerTimingMiddleware``), without the profiler; so is the CPU of the
page right after a write concerning its reader (what is kept for them built again), the number of
queries and the number of Python calls of one request (cProfile: deterministic, unlike the times). Results go to
``request-profile-<engine>.json`` with a readable table per page printed as it goes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# (part, path fragments of a frame's file): the first part whose fragment a frame's file contains.
PARTS = [
    ("sql", ("/psycopg/", "/psycopg_binary/", "/sqlite3/", "django/db/backends/", "django/db/utils.py")),
    ("orm", ("django/db/models/",)),
    ("templates", ("django/template/", "/template_partials/", "/jinja2/", "django/templatetags/")),
    ("serialisation", ("/ninja/", "/pydantic/", "/pydantic_core/", "/json/", "/orjson")),
    ("session_auth", ("django/contrib/sessions/", "django/contrib/auth/", "talentloop/core/access.py",
                      "/axes/", "django/core/signing.py")),
    ("locale", ("django/utils/translation/", "django/utils/formats.py", "django/middleware/locale.py",
                "/gettext.py", "django/utils/numberformat.py", "django/utils/dateformat.py")),
    ("middleware", ("django/core/handlers/", "django/middleware/", "talentloop/core/middleware.py",
                    "talentloop/config/errors.py", "/whitenoise/", "/django_htmx/", "django/contrib/messages/",
                    "django/urls/")),
    ("app", ("/talentloop/",)),
]


def _part(file_path: str) -> str | None:
    for part, fragments in PARTS:
        if any(f in file_path for f in fragments):
            return part
    return None


def split(root) -> dict[str, float]:
    """Seconds per part: each frame's own time goes to the innermost frame (itself or a caller) that
    belongs to a part."""
    out: dict[str, float] = {}

    def walk(frame, inherited: str) -> None:
        part = _part(frame.file_path or "") or inherited
        out[part] = out.get(part, 0.0) + frame.total_self_time
        for child in frame.children:
            if not child.is_synthetic:  # a synthetic child's time is already in total_self_time
                walk(child, part)

    if root is not None:
        walk(root, "other")
    return out


def pages() -> list[tuple[str, str, str]]:
    """(name, username, path) of the hot pages."""
    from talentloop.organisation.models import Employee

    employee = Employee.objects.get(user__username="employee")
    return [
        ("home (newgrad)", "newgrad", "/"),
        ("home (employee)", "employee", "/"),
        ("home (mentor)", "mentor", "/"),
        ("home (manager)", "manager", "/"),
        ("home (hr)", "hr", "/"),
        ("people list (hr)", "hr", "/people/"),
        ("people list (manager)", "manager", "/people/"),
        ("profile (hr reads a person)", "hr", f"/people/{employee.pk}/"),
        ("my score (employee)", "employee", "/performance/"),
        ("API employee list (hr, limit 50)", "hr", "/api/v1/employees?limit=50"),
    ]


def _count(queries: list[str], execute, sql, params, many, context):
    queries.append(sql)
    return execute(sql, params, many, context)


def measure(requests: int, text_dir: Path | None = None, only: str = "") -> list[dict]:
    from django.test import Client
    from pyinstrument import Profiler

    from talentloop.accounts.models import User

    clients: dict[str, Client] = {}

    from django.db import connection

    from talentloop.core import cache
    from talentloop.organisation.models import Employee

    def client_for(username: str) -> Client:
        if username not in clients:
            client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        return clients[username]

    out = []
    for name, username, path in pages():
        if only and only not in name:
            continue
        client = client_for(username)
        for _ in range(5):
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name} {path} answered {response.status_code}")
        cpu, wall = [], []
        for _ in range(requests):
            c, w = time.thread_time(), time.perf_counter()
            client.get(path)
            cpu.append((time.thread_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        # The same page right after a write concerning its reader (their version renewed): what is kept
        # for them is built again, as on the first visit after a change.
        person = Employee.objects.filter(user__username=username).values_list("pk", flat=True).first()
        after_write = []
        for _ in range(max(5, requests // 4)):
            if person is not None and hasattr(cache, "bump_people"):  # (absent before per-person versions)
                cache.bump_people([person])
            c = time.thread_time()
            client.get(path)
            after_write.append((time.thread_time() - c) * 1000)
        client.get(path)
        queries: list[str] = []
        with connection.execute_wrapper(partial(_count, queries)):  # (the query log is reset per request)
            client.get(path)
        calls = cProfile.Profile()
        calls.runcall(client.get, path)
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(requests):
            client.get(path)
        profiler.stop()
        session = profiler.last_session
        if text_dir is not None:
            text_dir.mkdir(parents=True, exist_ok=True)
            slug = "".join(ch if ch.isalnum() else "-" for ch in name).strip("-")
            (text_dir / f"{slug}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        parts = split(session.root_frame())
        total = sum(parts.values()) or 1.0
        cpu_median = statistics.median(cpu)
        # The profiler slows what it watches; its shares are applied to the CPU measured without it.
        per_request = {k: round(cpu_median * v / total, 2) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])}
        row = {"page": name, "user": username, "path": path, "requests": requests,
               "cpu_median_ms": round(statistics.median(cpu), 2), "cpu_min_ms": round(min(cpu), 2),
               "wall_median_ms": round(statistics.median(wall), 2),
               "cpu_after_write_median_ms": round(statistics.median(after_write), 2),
               "queries": len(queries), "python_calls": pstats.Stats(calls).total_calls,
               "cpu_ms_by_part": per_request,
               "profiled_seconds": round(session.duration, 3),
               "share": {k: round(v / total, 3) for k, v in parts.items()},
               "profiler_sample_count": session.sample_count}
        out.append(row)
        print(f"{name:<36} cpu {row['cpu_median_ms']:>7.2f} ms (min {row['cpu_min_ms']:.2f}, after a write "
              f"{row['cpu_after_write_median_ms']:.2f})  {row['queries']} queries  {row['python_calls']:,} calls  "
              f"wall {row['wall_median_ms']:>7.2f} ms  | "
              + "  ".join(f"{k} {v:.1f}" for k, v in per_request.items()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.request_profile",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", required=True, type=Path, help="bench-env.json written by run.py --keep")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--tag", default="", help="suffix of the JSON file (e.g. before, after)")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument("--text", type=Path, default=None, help="also write each page's call tree (text) here")
    args = parser.parse_args(argv)
    env = json.loads(args.env.read_text())
    if not env.get("DATABASE_URL"):
        env["TALENTLOOP_ALLOW_SQLITE"] = "1"
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.db import connection

    from tests.bench import run as bench_run

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    rows = measure(args.requests, args.text, args.only)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"request-profile-{connection.vendor}{'-' + args.tag if args.tag else ''}.json"
    path.write_text(json.dumps({"benchmark": "request profile", **bench_run._common(connection.vendor, version),
                                "load_average": os.getloadavg(), "parts": [p for p, _f in PARTS] + ["other"],
                                "pages": rows}, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
