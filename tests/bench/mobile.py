"""The mobile-app benchmarks of issue 5, run by ``tests/bench/run.py`` (``--only mobile`` runs them
alone) on the benchmark database (a SQLite file, or PostgreSQL when ``DATABASE_URL`` is set):

* **home**: each role's home page (new hire, employee, mentor, manager — the well-known accounts of
  the generated company, which have the data each section needs) rendered through Django's test
  client with a signed-in session: median and p95 over ``requests`` requests, and the SQL queries
  of one request (target: median < 50 ms); every section is built on every request (only the
  configuration is kept, in the shared cache: core.cache); then the same page right after a
  configuration change, when that is built again too ("cold");
* **weight**: the first load of the home page — the HTML and every stylesheet and script it
  references — compressed with gzip (target < 150 KB), and the same for a chart page (the own
  performance dashboard, which loads ECharts; target < 400 KB). What the service worker fetches
  afterwards for the offline copy is reported on its own, not counted in the first load;
* **load**: ``gunicorn`` (production settings, DEBUG off, whitenoise) and Locust (``FastHttpUser``,
  the lighter client, since it shares the machine with the server) as separate processes: ``users``
  people of the four roles, drawn at random with a fixed seed, who sign in first, then open their
  home page and one other page each
  with ``between(1, 3)`` seconds of pause for ``seconds`` (target: no failure, p95 < 300 ms) while a
  ``talentloop worker`` process scores what arrives and five clients post observations through the bulk
  API (``POST /api/v1/observations``, batches of 10; 100 a second at full scale) — as a real company's
  systems do all day — and a sixth posts one observation for one person every few seconds and polls that
  person's score through the API until it counts it (the time from accepted to visible in the score,
  under that load); then the same users with no pause (a closed loop, no observations): requests per
  second and p95.

The company is ``talentloop seed`` with three years of performance history (10,000 employees at
full scale, 500 at small scale), mentoring written in bulk relative to today (mentors with active
plans and due items), and the demo data of the apps that have a ``load_*`` demo loader (onboarding,
learning, careers, notifications) when they exist. Results go to ``mobile-<engine>.json``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from tests.bench.cpu import children_cpu_seconds, group_cpu_seconds, machine_ticks, postgres_cpu_seconds

SCALES = {
    "full": {"employees": 10_000, "requests": 50, "users": 50, "seconds": 60, "mentors": 600, "plans": 1_200,
             "observations_per_second": 100},
    "small": {"employees": 500, "requests": 20, "users": 10, "seconds": 10, "mentors": 30, "plans": 60,
              "observations_per_second": 20},
}
SEED = 1
HOME_TARGET_MS = 50.0  # median server render
HOME_WEIGHT_TARGET = 150 * 1024  # bytes, gzip
CHART_WEIGHT_TARGET = 400 * 1024
LOAD_P95_TARGET_MS = 300.0
FEEDERS = 5  # clients posting observations during the paced run
FEED_BATCH = 10  # observations per request
SCORE_VISIBLE_TARGET_S = 5.0  # from an observation accepted to its count in the person's score, under load
BENCH_PASSWORD = "bench-mobile-Passw0rd!"  # noqa: S105 - a throwaway account password on a throwaway database
ROLES = ("newgrad", "employee", "mentor", "manager")
DEMO_MODULES = ("talentloop.learning.demo", "talentloop.onboarding.demo", "talentloop.careers.demo",
                "talentloop.notifications.demo", "talentloop.demo.story")
REPO = Path(__file__).resolve().parents[2]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# ---------------------------------------------------------------- data


def _mentoring(cfg: dict, today: dt.date) -> dict:
    """Mentors with active plans (topics, monthly/quarterly items, some overdue) relative to today,
    written in bulk; the well-known ``mentor`` gets three mentees."""
    from django.db import transaction

    from talentloop.accounts.models import User
    from talentloop.mentoring.demo import wipe_mentoring
    from talentloop.mentoring.growth import add_months
    from talentloop.mentoring.models import (
        CadenceRule,
        Mentor,
        MentoringPlan,
        PlanItem,
        ProgrammeTemplate,
        TemplateTopic,
    )
    from talentloop.organisation.models import Employee
    from tests.bench.mentoring import write_active_plan_schedules

    wipe_mentoring()
    rng = random.Random(SEED)
    named = {u.username: u.employee.pk for u in User.objects.filter(username__in=ROLES).select_related("employee")
             if hasattr(u, "employee")}
    ids = list(Employee.objects.filter(status="active").order_by("pk").values_list("pk", flat=True))
    rng.shuffle(ids)
    others = [i for i in ids if i not in named.values()]
    mentor_emp = [named["mentor"]] + others[:cfg["mentors"] - 1]
    mentees = [named["newgrad"], named["employee"]] + others[cfg["mentors"]:cfg["mentors"] + cfg["plans"] - 2]
    with transaction.atomic():
        tpl = ProgrammeTemplate.objects.create(name="基准新员工",
                                               mentee_type="new_graduate", duration_months=6, goals=["融入"])
        TemplateTopic.objects.bulk_create([TemplateTopic(template=tpl, title=f"主题{i}", core=i < 2, order=i)
                                           for i in range(5)])
        CadenceRule.objects.bulk_create([CadenceRule(template=tpl, kind=k, every_months=m) for k, m in
                                         (("one_to_one", 1), ("skill_assessment", 3), ("results_report", 6))])
        Mentor.objects.bulk_create([Mentor(employee_id=e, capacity=3, since=today - dt.timedelta(days=700))
                                    for e in mentor_emp], batch_size=2000)
        by_emp = dict(Mentor.objects.values_list("employee_id", "pk"))
        plans = []
        for i, mentee in enumerate(mentees):
            # The named mentor takes the first three mentees (the named new hire and employee among them).
            mentor = by_emp[mentor_emp[0]] if i < 3 else by_emp[mentor_emp[1 + (i - 3) % (len(mentor_emp) - 1)]]
            start = today - dt.timedelta(days=rng.randint(5, 150))
            plans.append(MentoringPlan(mentor_id=mentor, mentee_id=mentee, template=tpl, status="active",
                                       starts_on=start, ends_on=add_months(start, 6), goals=["融入"]))
        MentoringPlan.objects.bulk_create(plans, batch_size=2000)
        active = write_active_plan_schedules(rng, today)
    return {"mentors": len(mentor_emp), "active_plans": len(active),
            "plan_items": PlanItem.objects.filter(plan__status="active").count()}


def _app_demo_data(today: dt.date) -> dict:
    """Whatever the other apps of issue 5 load as demo data (their ``load_*`` functions), timed."""
    loaded = {}
    for name in DEMO_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for attr in sorted(dir(module)):
            fn = getattr(module, attr)
            if not attr.startswith("load_") or not callable(fn) or getattr(fn, "__module__", "") != name:
                continue
            started = time.perf_counter()
            try:
                out = fn(seed=SEED, reference_date=today)
                loaded[f"{name}.{attr}"] = {"seconds": round(time.perf_counter() - started, 2),
                                            "summary": str(out)[:300]}
            except Exception as exc:  # noqa: BLE001 - a loader that fails is recorded, the pages are still measured
                loaded[f"{name}.{attr}"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return loaded


def build(cfg: dict, *, env: dict, talentloop: Callable, seed_company: bool = True) -> dict:
    from django.db import connection
    from django.utils import timezone

    from talentloop.organisation.models import Employee
    from talentloop.performance.models import Observation, Score

    today = timezone.localdate()
    seconds = None
    if seed_company:
        print(f"seeding {cfg['employees']:,} employees with three years of performance history…")
        seconds, _out = talentloop(env, "seed", "--employees", str(cfg["employees"]), "--seed", str(SEED), "--reset",
                                   "--history")
        connection.close()
        print(f"  seeded in {seconds:.1f} s")
    started = time.perf_counter()
    mentoring = _mentoring(cfg, today)
    apps = _app_demo_data(today)
    with connection.cursor() as cursor:
        # Planner statistics after the bulk writes, as a maintained database has; on PostgreSQL also the
        # visibility map autovacuum keeps, which lets a team's month be counted from an index alone.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  mentoring {mentoring}, app demo data {list(apps)} in {time.perf_counter() - started:.1f} s")
    return {"today": today.isoformat(), "seed_seconds": round(seconds, 1) if seconds else None,
            "role_data_seconds": round(time.perf_counter() - started, 1),
            "employees": Employee.objects.count(), "observations": Observation.objects.count(),
            "scores": Score.objects.count(), "mentoring": mentoring, "app_demo_data": apps}


# ---------------------------------------------------------------- server render


def bench_home(requests: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from talentloop.accounts.models import User
    from talentloop.core import cache

    out = []
    for role in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(User.objects.get(username=role))
        for _ in range(3):
            response = client.get("/")
        times, cpu = [], []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get("/")
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/")
        # Cold: the first page after a configuration change (every name in core.cache bumped), when the
        # configuration the sections read is built again as well.
        cold = []
        for _ in range(max(5, requests // 5)):
            cache.bump_all()
            started = time.perf_counter()
            client.get("/")
            cold.append((time.perf_counter() - started) * 1000)
        cache.bump_all()
        with CaptureQueriesContext(connection) as cold_ctx:
            client.get("/")
        median = statistics.median(times)
        out.append({"role": role, "username": role, "path": "/", "status": response.status_code,
                    "load_average": [round(x, 2) for x in os.getloadavg()],  # how busy the machine was
                    "cold_median_ms": round(statistics.median(cold), 2), "cold_p95_ms": round(_percentile(cold, 95), 2),
                    "cold_queries": len(cold_ctx.captured_queries),
                    "requests": len(times), "bytes": len(response.content), "queries": len(ctx.captured_queries),
                    "median_ms": round(median, 2), "p95_ms": round(_percentile(times, 95), 2),
                    "cpu_median_ms": round(statistics.median(cpu), 2),
                    "min_ms": round(min(times), 2), "max_ms": round(max(times), 2),
                    "target_ms": HOME_TARGET_MS,
                    "meets_target": response.status_code == 200 and median < HOME_TARGET_MS})
        print(f"  home as {role:<9} {out[-1]['status']} {out[-1]['queries']:>3} queries, median "
              f"{out[-1]['median_ms']:.1f} ms (CPU {out[-1]['cpu_median_ms']:.1f} ms), p95 {out[-1]['p95_ms']:.1f} ms; "
              f"after a configuration change: "
              f"{out[-1]['cold_queries']} queries, median {out[-1]['cold_median_ms']:.1f} ms")
    return out


# ---------------------------------------------------------------- page weight


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.css.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.js.append(a["src"])
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _fetch(client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _weight(client, path: str, target: int) -> dict:
    html = _fetch(client, path)
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    files = [{"url": path, "kind": "html", "bytes": len(html), "gzip_bytes": _gz(html)}]
    for kind, urls in (("css", parser.css), ("js", parser.js)):
        for url in dict.fromkeys(urls):
            body = _fetch(client, url)
            files.append({"url": url, "kind": kind, "bytes": len(body), "gzip_bytes": _gz(body)})
    total = sum(f["gzip_bytes"] for f in files)
    images = [{"url": u, "bytes": len(b), "gzip_bytes": _gz(b)} for u in dict.fromkeys(parser.images)
              for b in [_fetch(client, u)]]
    return {"path": path, "files": files, "total_bytes": sum(f["bytes"] for f in files), "total_gzip_bytes": total,
            "images": images, "target_gzip_bytes": target, "meets_target": total < target}


def _service_worker_extra(client, first_load: dict) -> dict:
    """What the worker fetches after the first load for the offline copy (not in the first load)."""
    sw = _fetch(client, "/sw.js").decode()
    loaded = {f["url"] for f in first_load["files"]}
    shell = re.findall(r'^\s*"(/[^"]+)",\s*$', sw, flags=re.M)
    extra = [{"url": "/sw.js", "bytes": len(sw.encode()), "gzip_bytes": _gz(sw.encode())}]
    for url in shell:
        if url in loaded:
            continue
        try:
            body = _fetch(client, url)
        except RuntimeError:
            continue
        extra.append({"url": url, "bytes": len(body), "gzip_bytes": _gz(body)})
    return {"files": extra, "total_gzip_bytes": sum(f["gzip_bytes"] for f in extra)}


def bench_weight() -> dict:
    from django.test import Client

    from talentloop.accounts.models import User

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username="employee"))
    homes = {}
    for role in ROLES:
        role_client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        role_client.force_login(User.objects.get(username=role))
        homes[role] = _weight(role_client, "/", HOME_WEIGHT_TARGET)
    chart = _weight(client, "/performance/", CHART_WEIGHT_TARGET)
    chart["loads_echarts"] = any("echarts" in f["url"] for f in chart["files"])
    worker = _service_worker_extra(client, homes["employee"])
    for role, w in homes.items():
        print(f"  home ({role}) first load {w['total_gzip_bytes'] / 1024:.1f} KB gzip "
              f"({w['total_bytes'] / 1024:.1f} KB raw), target < 150 KB")
    print(f"  chart page {chart['total_gzip_bytes'] / 1024:.1f} KB gzip (ECharts: {chart['loads_echarts']}), "
          f"target < 400 KB; service worker afterwards {worker['total_gzip_bytes'] / 1024:.1f} KB")
    heaviest = max(homes.values(), key=lambda w: w["total_gzip_bytes"])
    return {"home": homes, "home_heaviest_gzip_bytes": heaviest["total_gzip_bytes"], "chart_page": chart,
            "service_worker_after_load": worker, "compression": "gzip level 9 (what whitenoise serves)",
            "meets_target": all(w["meets_target"] for w in homes.values()) and chart["meets_target"]}


# ---------------------------------------------------------------- gunicorn + Locust

LOCUSTFILE = '''
"""Written by tests/bench/mobile.py: people who sign in, then open their home page and one other page."""
import itertools
import json
import os
import re
import time
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, events, task

ACCOUNTS = json.loads(open(os.environ["BENCH_ACCOUNTS"]).read())
PASSWORD = os.environ["BENCH_PASSWORD"]
NEXT = itertools.count()
SAMPLES = []


def _server_cpu(response):
    """The CPU the server says the answer cost (its Server-Timing header, milliseconds), or None."""
    header = (getattr(response, "headers", None) or {}).get("Server-Timing") or ""
    match = re.search(r"cpu;dur=([0-9.]+)", header)
    return float(match.group(1)) if match else None


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    SAMPLES.append((time.time(), name, response_time, exception is not None, _server_cpu(kwargs.get("response"))))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["BENCH_SAMPLES"], "w") as fh:
        json.dump(SAMPLES, fh)


class Person(FastHttpUser):
    wait_time = between(1, 3) if os.environ.get("BENCH_PACED") == "1" else constant(0)

    def _plain(self):
        # The server sets Secure cookies (production settings behind a TLS proxy); this client talks
        # plain HTTP to it, so the flag is dropped for the cookies to be sent back. After every answer:
        # the session cookie is set again whenever the session is saved (the idle timeout's activity
        # stamp, once a minute), and a Secure copy would silently sign the user out of this run.
        for cookie in self.client.cookiejar:
            cookie.secure = False

    def on_start(self):
        self.account = ACCOUNTS[next(NEXT) % len(ACCOUNTS)]
        page = self.client.get("/accounts/login/", name="sign in (form)")
        self._plain()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        form = urlencode({"username": self.account["username"], "password": PASSWORD, "csrfmiddlewaretoken": token})
        with self.client.post("/accounts/login/", name="sign in", data=form,
                              headers={"Referer": self.host + "/accounts/login/",
                                       "Content-Type": "application/x-www-form-urlencoded"},
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
        self._plain()

    @task(2)
    def home(self):
        with self.client.get("/", name="home", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"home answered {response.status_code}")
        self._plain()

    @task(1)
    def other(self):
        with self.client.get(self.account["other"], name="other page", allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{self.account['other']} answered {response.status_code}")
        self._plain()
'''


FEEDER = """
\"\"\"Written by tests/bench/mobile.py: clients that post observations through the bulk API at a steady
rate, and a probe that measures how long one new observation takes to count in a person's score.\"\"\"
import datetime as dt
import itertools
import json
import os
import random
import statistics
import threading
import time

import httpx

CONF = json.loads(open(os.environ["FEED_CONF"]).read())
HEADERS = {"Authorization": "Bearer " + CONF["token"]}
STOP = time.monotonic() + CONF["seconds"]
SERIAL = itertools.count()
LOCK = threading.Lock()
POSTS = []  # (ms, status)
PROBES = []  # seconds from accepted to counted in the score, None when not within the timeout
UNREAD = []  # probes skipped because the count before could not be read
PROBE_LOG = []  # per probe: when it was posted (seconds into the run), the answer, seconds to seen


def _item(employee_id, metric, value):
    at = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=30)).isoformat()
    return {"employee_id": employee_id, "metric": metric, "value": value, "source": "bench-mobile-feed",
            "external_id": f"feed-{os.getpid()}-{next(SERIAL)}", "occurred_at": at}


def feeder(n):
    rng = random.Random(n)
    interval = CONF["batch"] * CONF["clients"] / CONF["per_second"]
    next_at = time.monotonic() + rng.random() * interval
    with httpx.Client(base_url=CONF["host"], headers=HEADERS, timeout=30) as client:
        while time.monotonic() < STOP:
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
            items = [_item(*rng.choice(CONF["pairs"]), round(rng.uniform(1, 5), 2)) for _ in range(CONF["batch"])]
            started = time.perf_counter()
            try:
                status = client.post("/api/v1/observations", json={"items": items}).status_code
            except httpx.HTTPError:
                status = 0
            with LOCK:
                POSTS.append(((time.perf_counter() - started) * 1000, status))


def _again(call):
    # A request, sent again once when the connection fails under it: gunicorn closes a kept-alive
    # connection idle for its keep-alive time (2 s), and a request sent on it at that moment is lost, as
    # a browser's would be before it retries. Resending an observation is safe: the same external id is
    # a duplicate, not a second fact.
    try:
        return call()
    except httpx.TransportError:
        return call()


def _count(client, pk, metric, period):
    response = _again(lambda: client.get(f"/api/v1/employees/{pk}/scores", params={"period": period}))
    if response.status_code != 200:
        return None
    for dim in response.json().get("dimensions", []):
        for part in dim.get("metrics", []):
            if part["key"] == metric:
                return part["observation_count"]
    return None


def probe():
    pk, metric, period = CONF["probe"]["employee_id"], CONF["probe"]["metric"], CONF["probe"]["period"]
    with httpx.Client(base_url=CONF["host"], headers=HEADERS, timeout=30) as client:
        time.sleep(CONF["probe_start"])
        while time.monotonic() < STOP - 2:
            seen = None
            try:
                before = _count(client, pk, metric, period)
                if before is None:
                    # The count before could not be read (an error answer): nothing to compare with, so
                    # this is no sample; counted apart so a run that could not measure says so.
                    UNREAD.append(1)
                    time.sleep(0.5)
                    continue
                item = _item(pk, metric, 3)
                response = _again(lambda: client.post("/api/v1/observations", json={"items": [item]}))
                accepted = time.perf_counter()
                PROBE_LOG.append({"at": round(time.monotonic() - STOP + CONF["seconds"], 1),
                                  "status": response.status_code, "before": before})
                if response.status_code == 200 and response.json().get("accepted") == 1:
                    while time.perf_counter() - accepted < CONF["probe_timeout"]:
                        now = _count(client, pk, metric, period)
                        if now is not None and before is not None and now > before:
                            seen = round(time.perf_counter() - accepted, 3)
                            break
                        time.sleep(0.05)
            except httpx.HTTPError as exc:  # a refused or dropped connection counts as a probe not seen
                PROBE_LOG.append({"error": type(exc).__name__})
            if PROBE_LOG:
                PROBE_LOG[-1]["seen"] = seen
            PROBES.append(seen)
            time.sleep(CONF["probe_every"])


threads = [threading.Thread(target=feeder, args=(n,)) for n in range(CONF["clients"])]
threads.append(threading.Thread(target=probe))
for t in threads:
    t.start()
for t in threads:
    t.join()
ms = [m for m, _s in POSTS]
json.dump({"posts": len(POSTS), "failed_posts": sum(1 for _m, st in POSTS if st != 200),
           "observations_sent": len(POSTS) * CONF["batch"], "post_ms": ms, "probes": PROBES,
           "probes_unread": len(UNREAD), "probe_log": PROBE_LOG},
          open(os.environ["FEED_OUT"], "w"))
"""


def _feed_setup(cfg: dict, host: str, seconds: int) -> dict:
    """What the observation clients send: an HR user's token, (person, metric) pairs drawn from this
    month's observations (metrics their scorecards count), and the probe's person and metric."""
    from django.utils import timezone

    from talentloop.accounts.models import User
    from talentloop.accounts.services import api_token_create
    from talentloop.core.access import actor_for
    from talentloop.organisation.models import Employee
    from talentloop.performance import periods as P
    from talentloop.performance.models import Observation
    from talentloop.performance.selectors import scorecard_in_force

    hr = User.objects.get(username="hr")
    _token, secret = api_token_create(actor=actor_for(hr), user=hr, name="bench-mobile-feed", scope="write")
    month = P.containing(timezone.localdate())
    rng = random.Random(SEED)
    pairs = list(Observation.objects.filter(occurred_at__date__gte=month.start, employee__status="active")
                 .values_list("employee_id", "metric__key").distinct()[:5000])
    rng.shuffle(pairs)
    probe = None
    for pk in (Employee.objects.filter(user__username="employee").values_list("pk", flat=True)[:1] or
               [p for p, _m in pairs[:50]]):
        person = Employee.objects.select_related("org_unit").get(pk=pk)
        found = scorecard_in_force(person.org_unit.path, person.job_family_id, month.start)
        keys = [part.metric.key for dim in (found[2] if found else []) for part in dim.metrics.all()
                if part.metric.aggregation != "ratio" and part.metric.subject_kind == "employee"]
        if keys:
            probe = {"employee_id": pk, "metric": keys[0], "period": month.key}
            break
    return {"host": host, "token": secret, "pairs": [list(p) for p in pairs[:2000]], "seconds": seconds,
            "clients": FEEDERS, "batch": FEED_BATCH, "per_second": cfg["observations_per_second"],
            "probe": probe, "probe_start": 3.0, "probe_every": 2.0, "probe_timeout": 30.0}


def _feed_report(out: dict, conf: dict, seconds: float) -> dict:
    probes = [p for p in out["probes"] if p is not None]
    ms = out["post_ms"]
    return {
        "clients": conf["clients"], "batch_size": conf["batch"], "target_per_second": conf["per_second"],
        "posts": out["posts"], "failed_posts": out["failed_posts"], "observations_sent": out["observations_sent"],
        "achieved_per_second": round(out["observations_sent"] / seconds, 1) if seconds else None,
        "post_median_ms": round(statistics.median(ms), 1) if ms else None,
        "post_p95_ms": round(_percentile(ms, 95), 1) if ms else None,
        "score_visible": {"probe": {k: conf["probe"][k] for k in ("metric", "period")} if conf["probe"] else None,
                          "samples": len(out["probes"]), "timeouts": len(out["probes"]) - len(probes),
                          "skipped_count_unreadable": out.get("probes_unread", 0),
                          "log": out.get("probe_log", []),
                          "seconds": probes,
                          "median_seconds": round(statistics.median(probes), 3) if probes else None,
                          "max_seconds": max(probes) if probes else None,
                          "target_seconds": SCORE_VISIBLE_TARGET_S},
    }


def _accounts(users: int) -> list[dict]:
    """``users`` real people of each role (round robin, drawn at random with a fixed seed from everyone
    who has that role — not the top of the hierarchy, whose pages aggregate the whole company), each
    with the other page they open, and a known password (the generated accounts share the demo
    password, refused outside demo mode). Managers carry the size of their reporting tree."""
    from django.contrib.auth.hashers import make_password
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from talentloop.accounts.models import User
    from talentloop.mentoring.models import MentoringPlan
    from talentloop.organisation.models import Employee

    today = timezone.localdate()
    active = Employee.objects.filter(status="active", user__isnull=False).order_by("pk")
    managers = active.filter(Exists(Employee.objects.filter(manager=OuterRef("pk"))))
    mentors = active.filter(Exists(MentoringPlan.objects.filter(mentor__employee=OuterRef("pk"), status="active")))
    newhires = active.filter(hire_date__gt=today - dt.timedelta(days=90))
    rng = random.Random(SEED)

    def drawn(qs) -> list[str]:
        names = list(qs.values_list("user__username", flat=True))
        rng.shuffle(names)
        return names

    groups = {
        "manager": (drawn(managers), "/performance/team/"),
        "mentor": (drawn(mentors), "/mentoring/mentees/"),
        "newgrad": (drawn(newhires), "/me/"),
        "employee": (drawn(active.exclude(Exists(Employee.objects.filter(manager=OuterRef("pk"))))), "/performance/"),
    }
    chosen: list[dict] = []
    taken: set[str] = set()
    pools = {role: iter(names) for role, (names, _other) in groups.items()}
    while len(chosen) < users and pools:
        for role in list(pools):
            name = next((n for n in pools[role] if n not in taken), None)
            if name is None:
                pools.pop(role)
                continue
            taken.add(name)
            chosen.append({"username": name, "role": role, "other": groups[role][1]})
            if len(chosen) == users:
                break
    User.objects.filter(username__in=taken).update(password=make_password(BENCH_PASSWORD))
    for account in chosen:
        if account["role"] == "manager":
            me = Employee.objects.get(user__username=account["username"])
            account["reports"] = Employee.objects.filter(manager_path__startswith=me.reports_prefix,
                                                         status="active").count()
    return chosen


def _check_accounts(accounts: list[dict]) -> list[str]:
    """Every page a simulated person opens answers 200 before the load starts (a failure would be ours)."""
    from django.test import Client

    from talentloop.accounts.models import User

    problems = []
    for account in accounts:
        client = Client()
        client.force_login(User.objects.get(username=account["username"]))
        for path in ("/", account["other"]):
            status = client.get(path).status_code
            if status != 200:
                problems.append(f"{account['username']} ({account['role']}) {path}: {status}")
    return problems


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _locust(host: str, *, users: int, seconds: int, paced: bool, workdir: Path, accounts_file: Path,
            tag: str) -> dict:
    locustfile = workdir / "locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    samples_file = workdir / f"samples-{tag}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TALENTLOOP_", "DATABASE_URL"))}
    env.update(BENCH_ACCOUNTS=str(accounts_file), BENCH_PASSWORD=BENCH_PASSWORD, BENCH_SAMPLES=str(samples_file),
               BENCH_PACED="1" if paced else "0")
    # Everyone signs in first (Argon2 makes that the costliest request); the measured window starts
    # when the last person is signed in and lasts about ``seconds``.
    sign_in_allowance = max(15, int(users * 0.6))
    command = [str(Path(sys.executable).with_name("locust")), "-f", str(locustfile), "--headless", "-u", str(users),
               "-r", str(users), "-t", f"{seconds + sign_in_allowance}s", "-H", host,
               "--csv", str(workdir / f"locust-{tag}"), "--only-summary", "--stop-timeout", "10",
               "--loglevel", "WARNING"]
    children_before = children_cpu_seconds()
    proc = subprocess.run(command, env=env, cwd=workdir, capture_output=True, text=True,
                          timeout=seconds + sign_in_allowance + 120)
    locust_cpu = children_cpu_seconds() - children_before
    samples = json.loads(samples_file.read_text()) if samples_file.exists() else []
    signins = [s for s in samples if s[1].startswith("sign in")]
    all_signed_in = max((s[0] for s in signins), default=0)
    warmup = [s for s in samples if not s[1].startswith("sign in") and s[0] - s[2] / 1000 < all_signed_in]
    # (completion time, name, ms, failed): page requests started once everyone had signed in.
    pages = [s for s in samples if not s[1].startswith("sign in") and s[0] - s[2] / 1000 >= all_signed_in]
    times = [s[2] for s in pages]
    window = (max(s[0] for s in pages) - all_signed_in) if pages else 0
    by_name = {}
    for name in sorted({s[1] for s in signins + pages}):
        t = [s[2] for s in signins + pages if s[1] == name]
        cpu = [s[4] for s in signins + pages if s[1] == name and len(s) > 4 and s[4] is not None]
        by_name[name] = {"requests": len(t), "failures": sum(1 for s in signins + pages if s[1] == name and s[3]),
                         "median_ms": round(statistics.median(t), 1), "p95_ms": round(_percentile(t, 95), 1),
                         "server_cpu_median_ms": round(statistics.median(cpu), 2) if cpu else None,
                         "server_cpu_p95_ms": round(_percentile(cpu, 95), 2) if cpu else None}
    page_cpu = [s[4] for s in pages if len(s) > 4 and s[4] is not None]
    return {
        "users": users, "seconds": seconds, "wait_time": "between(1, 3)" if paced else "constant(0) (closed loop)",
        "command": " ".join(command[1:]).replace(str(workdir), "<workdir>"),
        "locust_exit_code": proc.returncode,
        "sign_in_phase_seconds": round(all_signed_in - min((s[0] - s[2] / 1000 for s in signins), default=0), 1)
        if signins else None,
        "measured_seconds": round(window, 1),
        "requests_during_sign_in": len(warmup), "failures_during_sign_in": sum(1 for s in warmup if s[3]),
        "requests": len(pages), "failures": sum(1 for s in pages if s[3]),
        "sign_ins": len([s for s in signins if s[1] == "sign in"]),
        "sign_in_failures": sum(1 for s in signins if s[3]),
        "median_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(_percentile(times, 95), 1) if times else None,
        "max_ms": round(max(times), 1) if times else None,
        "requests_per_second": round(len(pages) / window, 1) if window else None,
        # The server's own accounting of each page (core.middleware.ServerTimingMiddleware): CPU of the
        # request's thread, from the first middleware to the last byte of the answer.
        "server_cpu_median_ms": round(statistics.median(page_cpu), 2) if page_cpu else None,
        "server_cpu_p95_ms": round(_percentile(page_cpu, 95), 2) if page_cpu else None,
        "load_generator_cpu_seconds": round(locust_cpu, 1),
        "by_name": by_name,
        "stderr_tail": proc.stderr[-600:] if proc.returncode else "",
    }


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _cpu_snapshot(server_pid: int) -> dict:
    busy, total = machine_ticks()
    return {"server": group_cpu_seconds(server_pid), "database": postgres_cpu_seconds(), "busy": busy,
            "total": total, "at": time.monotonic()}


def _cpu_report(before: dict, after: dict, requests: int, **others: float) -> dict:
    """CPU seconds per part of the machine over a phase, and the server's CPU per request."""
    server = after["server"] - before["server"]
    cores = os.cpu_count() or 1
    total = after["total"] - before["total"]
    return {"seconds": round(after["at"] - before["at"], 1),
            "server_cpu_seconds": round(server, 1),
            "server_cpu_ms_per_request": round(server * 1000 / requests, 2) if requests else None,
            # Backends that ended during the phase took their share with them: None when that hides it.
            "database_cpu_seconds": (round(after["database"] - before["database"], 1)
                                     if after["database"] >= before["database"] else None),
            **{f"{k}_cpu_seconds": round(v, 1) for k, v in others.items()},
            "machine_busy_share": round((after["busy"] - before["busy"]) / total, 3) if total else None,
            "cores": cores}


def _paced_with_observations(cfg: dict, *, host: str, env: dict, workdir: Path, accounts_file: Path,
                             server_pid: int) -> tuple[dict, dict]:
    """The paced Locust run while a job worker scores what the observation clients post (both start
    with Locust and stop with it: the sign-in phase is under the same load)."""
    sign_in_allowance = max(15, int(cfg["users"] * 0.6))
    seconds = cfg["seconds"] + sign_in_allowance
    conf = _feed_setup(cfg, host, seconds)
    conf_file, out_file = workdir / "feed-conf.json", workdir / "feed-out.json"
    conf_file.write_text(json.dumps(conf))
    out_file.unlink(missing_ok=True)
    (workdir / "feeder.py").write_text(FEEDER)
    # The run starts from an empty job queue: what an earlier run on a kept database left queued is not
    # part of this load.
    from django.core.cache import cache
    from huey.contrib.djhuey import HUEY

    from talentloop.performance.services.recompute import DRAIN_QUEUED_KEY

    HUEY.flush()
    cache.delete(DRAIN_QUEUED_KEY)  # the drain flushed with the queue is no longer queued
    worker_log = open(workdir / "mobile-worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen([sys.executable, "-m", "talentloop.cli", "worker"], env=env, cwd=REPO,
                              stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True)
    feeder = None
    worker_cpu = 0.0
    children_before = children_cpu_seconds()
    try:
        deadline = time.monotonic() + 30
        while "Talentloop worker" not in (workdir / "mobile-worker.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        feeder = subprocess.Popen([sys.executable, str(workdir / "feeder.py")], cwd=workdir, start_new_session=True,
                                  env={**os.environ, "FEED_CONF": str(conf_file), "FEED_OUT": str(out_file)})
        started = time.monotonic()
        snapshot = _cpu_snapshot(server_pid)
        paced = _locust(host, users=cfg["users"], seconds=cfg["seconds"], paced=True, workdir=workdir,
                        accounts_file=accounts_file, tag="paced")
        after = _cpu_snapshot(server_pid)
        feeder.wait(timeout=max(5, seconds - (time.monotonic() - started)) + 60)
    finally:
        if feeder is not None and feeder.poll() is None:
            _stop(feeder)
        worker_cpu = group_cpu_seconds(worker.pid)
        _stop(worker, signal.SIGINT)
        worker_log.close()
    others = children_cpu_seconds() - children_before - paced["load_generator_cpu_seconds"]
    paced["cpu"] = _cpu_report(snapshot, after, paced["requests"] + paced["requests_during_sign_in"],
                               job_worker=worker_cpu, load_generator=paced["load_generator_cpu_seconds"],
                               observation_clients=max(0.0, others - worker_cpu))
    out = json.loads(out_file.read_text()) if out_file.exists() else {
        "posts": 0, "failed_posts": 0, "observations_sent": 0, "post_ms": [], "probes": []}
    feed = _feed_report(out, conf, seconds)
    # What the worker reported as going wrong (a failed recomputation waits for the every-minute sweep).
    lines = (workdir / "mobile-worker.log").read_text(errors="replace").splitlines()
    feed["worker_problems"] = [line[:300] for line in lines if "ERROR" in line or "WARNING" in line][:30]
    return paced, feed


def bench_load(cfg: dict, *, env: dict, workdir: Path) -> dict:
    accounts = _accounts(cfg["users"])
    problems = _check_accounts(accounts)
    accounts_file = workdir / "bench-accounts.json"
    accounts_file.write_text(json.dumps(accounts))
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    workers, threads = 2, 4
    gunicorn = [str(Path(sys.executable).with_name("gunicorn")), "talentloop.config.wsgi", "-b", f"127.0.0.1:{port}",
                "-w", str(workers), "--threads", str(threads), "-k", "gthread", "--log-level", "warning"]
    # The server reports each answer's CPU in a Server-Timing header, which Locust records per request.
    server_env = {**env, "TALENTLOOP_LOG_LEVEL": "WARNING", "TALENTLOOP_SERVER_TIMING": "1"}
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(gunicorn, env=server_env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        _wait_http(f"{host}/healthz")
        roles = {}
        for a in accounts:
            roles[a["role"]] = roles.get(a["role"], 0) + 1
        print(f"  gunicorn ({workers} workers × {threads} threads) on {host}; {len(accounts)} people {roles}")
        paced, feed = _paced_with_observations(cfg, host=host, env=env, workdir=workdir, accounts_file=accounts_file,
                                               server_pid=server.pid)
        print(f"  paced: {paced['requests']} requests, {paced['failures']} failures, median {paced['median_ms']} ms, "
              f"p95 {paced['p95_ms']} ms (target < {LOAD_P95_TARGET_MS:.0f} ms) while {feed['achieved_per_second']} "
              f"observations/s arrived ({feed['failed_posts']} failed posts); a new observation counted in the "
              f"score after {feed['score_visible']['seconds']} s ({feed['score_visible']['timeouts']} timeouts)")
        snapshot = _cpu_snapshot(server.pid)
        closed = _locust(host, users=cfg["users"], seconds=cfg["seconds"], paced=False, workdir=workdir,
                         accounts_file=accounts_file, tag="closed")
        closed["cpu"] = _cpu_report(snapshot, _cpu_snapshot(server.pid),
                                    closed["requests"] + closed["requests_during_sign_in"],
                                    load_generator=closed["load_generator_cpu_seconds"])
        print(f"  closed loop: {closed['requests']} requests, {closed['failures']} failures, "
              f"{closed['requests_per_second']} requests/s, p95 {closed['p95_ms']} ms")
        for tag, phase in (("paced", paced), ("closed loop", closed)):
            print(f"  {tag}: server CPU per page (its own accounting) median {phase['server_cpu_median_ms']} ms; "
                  f"CPU seconds {phase['cpu']}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    visible = feed["score_visible"]
    feed["meets_target"] = (feed["failed_posts"] == 0 and visible["samples"] > 0 and visible["timeouts"] == 0
                            and visible["max_seconds"] is not None and visible["max_seconds"] < SCORE_VISIBLE_TARGET_S)
    paced["observations"] = feed
    paced["meets_target"] = (paced["failures"] == 0 and paced["sign_in_failures"] == 0 and paced["requests"] > 0
                             and paced["failures_during_sign_in"] == 0
                             and paced["p95_ms"] is not None and paced["p95_ms"] < LOAD_P95_TARGET_MS
                             and feed["meets_target"])
    return {"server": " ".join(gunicorn[1:]).replace(str(port), "<port>"),
            "settings": "talentloop.config.settings.prod (DEBUG off, whitenoise), plain HTTP to gunicorn",
            "accounts": {"count": len(accounts), "roles": roles, "pre_check_problems": problems,
                         "manager_reporting_tree_sizes": sorted((a["reports"] for a in accounts if "reports" in a),
                                                                reverse=True)},
            "paced": paced, "closed_loop": closed, "target_p95_ms": LOAD_P95_TARGET_MS,
            "meets_target": paced["meets_target"] and not problems}


# ---------------------------------------------------------------- the whole run


def run(*, env: dict[str, str], scale: str, workdir: Path, talentloop: Callable[..., tuple[float, str]],
        common: dict, seed_company: bool = True) -> tuple[dict, bool]:
    """Every mobile benchmark on a fresh company; the report and whether every target was met."""
    cfg = SCALES[scale]
    sizes = build(cfg, env=env, talentloop=talentloop, seed_company=seed_company)
    print(f"home pages, {cfg['requests']} requests each…")
    home = bench_home(cfg["requests"])
    print("page weight…")
    weight = bench_weight()
    print(f"gunicorn + Locust, {cfg['users']} users × {cfg['seconds']} s, paced then closed loop…")
    load = bench_load(cfg, env=env, workdir=workdir)
    ok = all(r["meets_target"] for r in home) and weight["meets_target"] and load["meets_target"]
    report = {"benchmark": "mobile", "scale": scale, **common, "load_average": os.getloadavg(), "sizes": sizes,
              "home": home, "weight": weight, "load": load,
              "targets": {"home_median_ms": HOME_TARGET_MS, "home_first_load_gzip_bytes": HOME_WEIGHT_TARGET,
                          "chart_page_gzip_bytes": CHART_WEIGHT_TARGET, "load_p95_ms": LOAD_P95_TARGET_MS,
                          "note": "home figures are Django's test client in one process (no network); the load "
                                  "figures go through gunicorn and Locust on the same 2-core machine, so the "
                                  "load generator competes with the server for the CPU"}}
    return report, ok


def main(argv: list[str] | None = None) -> int:
    """Measure again on a benchmark database kept by ``python -m tests.bench.run --only mobile --keep``
    (the 10,000-person company with its history takes long to generate): migrate, reload the role
    data, measure, write ``mobile-<engine>.json``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tests.bench.mobile", description=main.__doc__.split("\n")[0])
    parser.add_argument("--env", required=True, type=Path, help="bench-env.json written by run.py --keep")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--home-only", action="store_true",
                        help="only the home pages' server render (no data reload, page weight or load run): "
                             "prints each role's figures and writes mobile-<engine>-home.json")
    args = parser.parse_args(argv)
    env = {**os.environ, **json.loads(args.env.read_text())}
    if not env.get("DATABASE_URL"):  # a company kept before production settings refused SQLite unasked
        env["TALENTLOOP_ALLOW_SQLITE"] = "1"
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    from tests.bench import run as bench_run

    bench_run._talentloop(env, "migrate", "--no-input", "-v", "0")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    if args.home_only:
        home = bench_home(SCALES[args.scale]["requests"])
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"mobile-{connection.vendor}-home.json"
        path.write_text(json.dumps({"benchmark": "mobile home pages", "scale": args.scale,
                                    **bench_run._common(connection.vendor, version),
                                    "load_average": os.getloadavg(), "home": home}, indent=2, default=str) + "\n")
        print(f"Home figures written to {path}")
        return 0
    load_before = [round(x, 2) for x in os.getloadavg()]
    report, ok = run(env=env, scale=args.scale, workdir=args.env.parent, talentloop=bench_run._talentloop,
                     common=bench_run._common(connection.vendor, version), seed_company=False)
    report["load_average_before"] = load_before
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"mobile-{connection.vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
    report["reused_database"] = True
    seed_file = args.env.parent / "seed.json"  # how the kept company was generated, when recorded
    if seed_file.exists():
        report["sizes"]["seed"] = json.loads(seed_file.read_text())
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"Mobile results written to {path}; all targets met: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
