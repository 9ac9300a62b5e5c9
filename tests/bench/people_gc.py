"""The ``/people/`` list under a closed loop, with and without freezing the start-up objects (issue 10,
item 19: full garbage collections of 150–190 ms every few seconds per worker).

``python -m tests.bench.people_gc --var DIR --seconds 60 --users 8 --out docs/benchmarks/people-gc.json``
serves the database of ``talentloop seed`` in ``DIR`` (``TALENTLOOP_VAR_DIR``) with gunicorn (production
settings, 2 workers × 4 threads, as the mobile benchmark) twice — ``TALENTLOOP_GC_FREEZE=0`` and the default —
and lets ``users`` HR sessions request pages of ``/people/`` back to back. Each worker logs its
generation-2 collections after start-up (count, longest, total) through ``gc.callbacks`` at exit.
Reported: requests, p50/p95/p99 and the collections.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GC_HOOK = '''
import atexit, gc, json, os, time
_s = {"n": 0, "max_ms": 0.0, "total_ms": 0.0}
def _cb(phase, info, _t=[0.0]):
    if info["generation"] != 2:
        return
    if phase == "start":
        _t[0] = time.perf_counter()
    else:
        ms = (time.perf_counter() - _t[0]) * 1000
        _s["n"] += 1; _s["total_ms"] += ms; _s["max_ms"] = max(_s["max_ms"], ms)
gc.callbacks.append(_cb)
def post_worker_init(worker):  # the application is loaded: count from the first request on
    _s.update(n=0, max_ms=0.0, total_ms=0.0)
def worker_exit(server, worker):
    _s["tracked"] = len(gc.get_objects()); _s["frozen"] = gc.get_freeze_count()
    with open(os.environ["BENCH_GC_OUT"] + f".{os.getpid()}", "w") as f:
        json.dump(_s, f)
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session(env: dict) -> str:
    code = ("import django; django.setup()\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            "from talentloop.accounts.models import User\n"
            "u = User.objects.get(username='hr'); s = SessionStore()\n"
            "s['_auth_user_id'] = str(u.pk); s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
            "s['_auth_user_hash'] = u.get_session_auth_hash(); s.create(); print(s.session_key)")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip().splitlines()[-1]


def run(var: Path, *, freeze: bool, seconds: int, users: int, workdir: Path) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "talentloop.config.settings.prod",
           "TALENTLOOP_VAR_DIR": str(var), "TALENTLOOP_SECRET_KEY": (var / "secret_key").read_text().strip(),
           "TALENTLOOP_ENCRYPTION_KEYS": (var / "encryption_keys").read_text().strip(),
           "TALENTLOOP_SSL_REDIRECT": "0", "TALENTLOOP_GC_FREEZE": "1" if freeze else "0",
           "TALENTLOOP_LOG_LEVEL": "WARNING", "BENCH_GC_OUT": str(workdir / f"gc-{int(freeze)}"),
           "TALENTLOOP_ALLOW_SQLITE": "1"}  # production settings on the seeded SQLite file unless DATABASE_URL is set
    conf = workdir / "gc_hook.py"
    conf.write_text(GC_HOOK)
    for old in workdir.glob(f"gc-{int(freeze)}.*"):
        old.unlink()
    key = _session(env)
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "talentloop.config.wsgi", "-c",
                               str(conf), "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "4", "-k", "gthread",
                               "--log-level", "warning"], env=env, cwd=REPO, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    times: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def user(i: int) -> None:
        n = i
        while time.monotonic() < stop:
            req = urllib.request.Request(f"{base}/people/?page={1 + n % 20}",
                                         headers={"Cookie": f"sessionid={key}", "Host": "127.0.0.1"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    r.read()
                    ok = r.status == 200
            except OSError:
                ok = False
            if ok:
                times.append((time.perf_counter() - started) * 1000)
            else:
                errors[0] += 1
            n += users

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    workers = [json.loads(p.read_text()) for p in sorted(workdir.glob(f"gc-{int(freeze)}.*"))]
    times.sort()

    def pct(q: float) -> float | None:
        return round(times[min(len(times) - 1, int(len(times) * q))], 1) if times else None

    return {"gc_freeze": freeze, "requests": len(times), "errors": errors[0],
            "requests_per_second": round(len(times) / seconds, 1), "p50_ms": pct(0.5), "p95_ms": pct(0.95),
            "p99_ms": pct(0.99), "max_ms": round(times[-1], 1) if times else None,
            "workers": [{"full_collections": w["n"], "longest_ms": round(w["max_ms"], 1),
                         "total_ms": round(w["total_ms"], 1), "tracked_at_exit": w["tracked"],
                         "frozen": w["frozen"]} for w in workers]}


def _describe(var: Path) -> dict:
    """Engine, data size and commit of the run, read from the served database itself."""
    script = ("import json; from django.db import connection; from talentloop.organisation.models import Employee; "
              "print(json.dumps({'vendor': connection.vendor, 'employees': Employee.objects.count()}))")
    env = {**os.environ, "TALENTLOOP_VAR_DIR": str(var)}
    out = subprocess.run([str(REPO / ".venv" / "bin" / "talentloop"), "shell", "-c", script], env=env,
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    db = json.loads(out)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return {"engine": db["vendor"], "employees": db["employees"], "git_commit": commit}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.people_gc")
    parser.add_argument("--var", required=True, type=Path, help="TALENTLOOP_VAR_DIR of a seeded database")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    workdir = args.var / "bench-people-gc"
    workdir.mkdir(exist_ok=True)
    results = [run(args.var, freeze=f, seconds=args.seconds, users=args.users, workdir=workdir)
               for f in (False, True)]
    for r in results:
        print(json.dumps(r))
    args.out.write_text(json.dumps({**_describe(args.var), "page": "/people/ (HR, pages 1–20)", "seconds": args.seconds,
                                    "users": args.users, "server": "gunicorn -w 2 --threads 4 -k gthread, prod "
                                    "settings", "runs": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
