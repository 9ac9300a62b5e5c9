"""The performance benchmarks of issue 3, run by ``tests/bench/run.py`` after the foundation part,
on the same database (a SQLite file, or PostgreSQL when ``DATABASE_URL`` is set):

* **recompute** one month for a whole company — 10,000 and 100,000 employees at full scale
  (targets 1.5 s and 15 s), 2,000 at small scale — from about 11 observations per person present
  (10 metrics: sums, averages, a count of 1 to 3 tasks, a last value, the two parts of a ratio, a
  target of 0 with a tolerance), 2 % of them corrected, manager and peer ratings of a teamwork
  dimension, and the partial periods of people hired, leaving or on leave that month. Each size
  is a fresh ``talentloop seed --no-performance`` company; the data is written with COPY /
  executemany in the order it happened (the API path is measured separately), then the database
  is settled (see :func:`settle`); the JSON records the shape of the data.
* **ingest** through ``POST /api/v1/observations`` with an HR user's Bearer token through Django's
  test client, in batches of 5,000 new observations (target ≥ 20,000 observations per second),
  plus one batch re-sent (duplicates) and one of corrections, for the record.
* **latency**: a real ``talentloop worker`` process against the same database (Huey not in
  immediate mode); one observation is posted and the person's score polled through the API until
  it changes (target < 2 s after the observation is accepted). The people sampled are people the
  month has a score for (not away on leave for all of it).

Results go to ``performance-<engine>.json`` (``-small`` at small scale) next to the foundation's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

SCALES = {
    "full": {"recompute": (10_000, 100_000), "ingest_batches": 40, "latency_samples": 10, "runs": 3},
    "small": {"recompute": (2_000,), "ingest_batches": 4, "latency_samples": 3, "runs": 2},
}
BATCH = 5000
INGEST_TARGET = 20_000  # observations per second
RECOMPUTE_TARGETS = {10_000: 1.5, 100_000: 15.0}  # seconds for one month
LATENCY_TARGET = 2.0  # seconds from accepted to visible in the score
CORRECTIONS = 0.02
PEER_RATED = 0.5
SEED = 1

# key, Chinese name, English name, unit, direction, aggregation, target in the scorecard
METRICS = [
    ("bench-output", "产出", "Output", "件", "higher", "sum", 100),
    ("bench-training", "培训时长", "Training hours", "小时", "higher", "sum", 8),
    ("bench-defects", "缺陷", "Defects", "个", "lower", "sum", None),
    ("bench-volume", "工作量", "Volume", "行", "higher", "sum", None),
    ("bench-quality", "质量得分", "Quality", "%", "higher", "avg", 95),
    ("bench-incidents", "事故", "Incidents", "次", "lower", "sum", 0),
    ("bench-csat", "满意度", "Satisfaction", "分", "higher", "avg", 4.2),
    ("bench-response", "响应时长", "Response time", "分钟", "lower", "avg", 60),
    ("bench-tasks", "完成任务", "Tasks done", "个", "higher", "count", 2),
    ("bench-backlog", "积压", "Backlog", "个", "lower", "last", 10),
]


def _value(rng: random.Random, key: str) -> Decimal:
    v = {"bench-output": lambda: rng.gauss(100, 15), "bench-training": lambda: rng.uniform(2, 14),
         "bench-defects": lambda: rng.randint(0, 12), "bench-volume": lambda: rng.randint(800, 3000),
         "bench-quality": lambda: min(100, rng.gauss(95, 3)), "bench-incidents": lambda: rng.choice((0, 0, 0, 1, 2)),
         "bench-csat": lambda: min(5, max(1, rng.gauss(4.2, 0.4))), "bench-response": lambda: rng.uniform(20, 120),
         "bench-tasks": lambda: 1, "bench-backlog": lambda: rng.randint(0, 25)}[key]()
    return Decimal(str(round(max(0, v), 2)))


# ---------------------------------------------------------------- set-up


def _configure() -> int:
    """The bench metrics and one organisation-wide scorecard, through the configuration services."""
    from talentloop.accounts.models import User
    from talentloop.core.access import actor_for
    from talentloop.performance.models import Metric
    from talentloop.performance.services.config import metric_save, scorecard_save

    hr = actor_for(User.objects.get(username="hr"))
    m: dict[str, Metric] = {}
    for key, name, name_en, unit, direction, aggregation, _target in METRICS:
        m[key] = metric_save(actor=hr, data={"key": key, "name": name, "name_en": name_en, "unit": unit,
                                             "direction": direction, "aggregation": aggregation})
    m["bench-defect-rate"] = metric_save(actor=hr, data={
        "key": "bench-defect-rate", "name": "千行缺陷率", "name_en": "Defects per 1,000", "direction": "lower",
        "aggregation": "ratio", "numerator": m["bench-defects"], "denominator": m["bench-volume"],
        "ratio_scale": Decimal(1000)})
    version = scorecard_save(actor=hr, name="基准绩效卡", name_en="Benchmark scorecard", valid_from=dt.date(2000, 1, 1),
                             dimensions=[
        {"key": "output", "name": "产出", "weight": 25, "metrics": [
            {"metric": m["bench-output"], "weight": 60, "target": 100},
            {"metric": m["bench-training"], "weight": 40, "target": 8}]},
        {"key": "quality", "name": "质量", "weight": 25, "metrics": [
            {"metric": m["bench-defect-rate"], "weight": 50, "target": 5},
            {"metric": m["bench-quality"], "weight": 30, "target": 95},
            {"metric": m["bench-incidents"], "weight": 20, "target": 0, "tolerance": 3}]},
        {"key": "customer", "name": "客户", "weight": 20, "metrics": [
            {"metric": m["bench-csat"], "weight": 60, "target": 4.2},
            {"metric": m["bench-response"], "weight": 40, "target": 60}]},
        {"key": "delivery", "name": "交付", "weight": 15, "metrics": [
            {"metric": m["bench-tasks"], "weight": 50, "target": 2},
            {"metric": m["bench-backlog"], "weight": 50, "target": 10}]},
        {"key": "teamwork", "name": "协作", "weight": 15, "ratings_weight": 100, "manager_weight": 60,
         "peer_weight": 40},
    ])
    return version.pk


def _people(month):
    """(id, manager id, first day, last day) of everyone present some day of the month."""
    from django.db.models import Q

    from talentloop.organisation.models import Employee

    out = []
    last_day = month.end - dt.timedelta(days=1)
    for pk, manager, hire, end in (Employee.objects.filter(hire_date__lt=month.end)
                                   .filter(Q(termination_date__isnull=True) | Q(termination_date__gte=month.start))
                                   .order_by("id").values_list("id", "manager_id", "hire_date", "termination_date")):
        out.append((pk, manager, max(hire, month.start), min(end or last_day, last_day)))
    return out


def _load_month(month, seed: int = SEED) -> dict:
    """One month of facts for everyone present: 10 observations each, 2 % corrected, ratings."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from talentloop.accounts.models import User
    from talentloop.performance import periods as P
    from talentloop.performance.demo import OBS_COLUMNS, insert_rows
    from talentloop.performance.models import IngestBatch, Metric, Observation, QualitativeRating

    rng = random.Random(seed)
    tz = ZoneInfo(settings.TIME_ZONE)
    metric_ids = dict(Metric.objects.filter(key__in=[k for k, *_r in METRICS]).values_list("key", "id"))
    keys = [k for k, *_r in METRICS]
    people = _people(month)
    hr = User.objects.get(username="hr")
    shape = {"employees_present": len(people), "metrics_observed": len(keys)}
    started = time.perf_counter()
    with transaction.atomic():
        batch = IngestBatch.objects.create(received_by=hr, channel="bench")
        first = IngestBatch.objects.create(received_by=hr, channel="bench")
        corrected: list[tuple] = []

        def rows():
            n = 0
            for pk, _manager, lo, hi in people:
                span = (hi - lo).days
                for key in keys + ["bench-tasks"] * rng.randint(0, 2):  # 1 to 3 tasks done
                    day = lo + dt.timedelta(days=rng.randint(0, span))
                    at = dt.datetime.combine(day, dt.time(10, rng.randint(0, 59)), tzinfo=tz).astimezone(dt.UTC)
                    n += 1
                    row = [metric_ids[key], pk, None, _value(rng, key), at, day, "bench", f"{month.key}-{pk}-{n}",
                           batch.pk, None, True, False]
                    if rng.random() < CORRECTIONS:
                        wrong = list(row)
                        wrong[3], wrong[8], wrong[10] = row[3] + 7, first.pk, False
                        corrected.append((wrong, row))
                        continue
                    yield tuple(row)

        # Written in the order they happened, as they arrive from integrations day by day.
        current = insert_rows(Observation, OBS_COLUMNS, sorted(rows(), key=lambda r: r[4]))
        insert_rows(Observation, OBS_COLUMNS, (tuple(w) for w, _r in corrected))
        ids = dict(Observation.objects.filter(batch=first).values_list("external_id", "id"))
        insert_rows(Observation, OBS_COLUMNS, (tuple(r[:9] + [ids[r[7]]] + r[10:]) for _w, r in corrected))
        quarter = P.containing(month.start, P.QUARTER)
        by_manager: dict[int, list[int]] = {}
        for pk, manager, _lo, _hi in people:
            by_manager.setdefault(manager, []).append(pk)
        now = timezone.now()

        def ratings():
            for pk, manager, _lo, _hi in people:
                if manager is not None:
                    yield (pk, manager, "manager", "teamwork", Decimal(rng.choice(("3.0", "3.5", "4.0", "4.5", "5.0"))),
                           quarter.start, quarter.end, None, now)
                team = by_manager.get(manager) or []
                if len(team) > 1 and rng.random() < PEER_RATED:
                    peer = rng.choice(team)
                    if peer != pk:
                        yield (pk, peer, "peer", "teamwork", Decimal(rng.choice(("3.0", "4.0", "4.5"))),
                               quarter.start, quarter.end, None, now)

        rating_rows = insert_rows(QualitativeRating, ["employee_id", "rater_id", "rater_kind", "dimension_key",
                                                      "rating", "covers_start", "covers_end", "review_id",
                                                      "created_at"], ratings())
    settle()
    shape.update(observations_current=current + len(corrected), observations_total=current + 2 * len(corrected),
                 corrections=len(corrected), ratings=rating_rows,
                 partial_people=sum(1 for _pk, _m, lo, hi in people
                                    if lo > month.start or hi < month.end - dt.timedelta(days=1)),
                 load_seconds=round(time.perf_counter() - started, 2))
    return shape


def settle() -> None:
    """After a bulk load, what the database would have done by itself before the next day's work
    (VACUUM ANALYZE, a checkpoint), so that the figures do not include autovacuum and checkpoint
    work on the freshly loaded million rows running alongside."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---------------------------------------------------------------- (b) recompute


def bench_recompute(month, runs: int) -> dict:
    from talentloop.performance.models import Score
    from talentloop.performance.services.scores import recompute_period

    times, scored = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        result = recompute_period(month)
        times.append(round(time.perf_counter() - started, 3))
        scored = result.scored
    partial = Score.objects.filter(period_key=month.key, partial=True).count()
    return {"runs_seconds": times, "first_seconds": times[0], "median_seconds": round(statistics.median(times), 3),
            "scored": scored, "scored_partial": partial}


# ---------------------------------------------------------------- (a) ingest through the API


def _client_and_token():
    from django.test import Client

    from talentloop.accounts.models import User
    from talentloop.accounts.services import api_token_create
    from talentloop.core.access import actor_for

    hr = User.objects.get(username="hr")
    _token, secret = api_token_create(actor=actor_for(hr), user=hr, name="bench", scope="write")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def bench_ingest(batches: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from talentloop.performance import periods as P
    from talentloop.performance.models import Observation

    client, auth = _client_and_token()
    today = timezone.localdate()
    month = P.containing(today)
    people = [pk for pk, _m, lo, hi in _people(month) if lo <= today]
    rng = random.Random(SEED + 1)
    keys = [k for k, *_r in METRICS]
    now = timezone.now()
    earliest = max(month.bounds_utc()[0], now - dt.timedelta(days=25))
    span = int((now - earliest).total_seconds()) - 60

    def body(n: int, start: int, tag: str = "", value_shift: int = 0) -> tuple[bytes, list[dict]]:
        items = []
        for i in range(start, start + n):
            key = keys[i % len(keys)]
            at = earliest + dt.timedelta(seconds=rng.randint(0, max(1, span)))
            items.append({"employee_id": people[(i // len(keys)) % len(people)], "metric": key,
                          "value": float(_value(rng, key)) + value_shift, "occurred_at": at.isoformat(),
                          "source": "bench-api", "external_id": f"api-{tag}{i}"})
        return json.dumps({"items": items, "partial": False}).encode(), items

    def post(payload: bytes) -> tuple[float, dict, int]:
        started = time.perf_counter()
        response = client.post("/api/v1/observations", data=payload, content_type="application/json", **auth)
        elapsed = time.perf_counter() - started
        return elapsed, (response.json() if response.status_code < 500 else {}), response.status_code

    warm_payload, _ = body(BATCH, 10**8, "warm-")
    warm_s, _res, warm_status = post(warm_payload)
    # The planner's statistics as autovacuum keeps them for a source that has been sending a while
    # (a brand-new source looks empty to PostgreSQL until its next ANALYZE).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Observation._meta.db_table)}")
    payloads = [body(BATCH, b * BATCH)[0] for b in range(batches)]
    times, accepted, statuses = [], 0, set()
    for payload in payloads:
        elapsed, res, status = post(payload)
        times.append(elapsed)
        statuses.add(status)
        accepted += res.get("accepted", 0)
    total = sum(times)
    dup_s, dup, _st = post(payloads[0])
    corr_payload, _ = body(BATCH, 0, value_shift=1)
    corr_s, corr, _st = post(corr_payload)
    rate = accepted / total if total else 0.0
    return {
        "endpoint": "POST /api/v1/observations (Bearer token of an HR user, Django test client)",
        "batch_size": BATCH, "batches": batches, "observations": batches * BATCH, "accepted": accepted,
        "statuses": sorted(statuses), "warm_up_batch_seconds": round(warm_s, 3), "warm_up_status": warm_status,
        "seconds": round(total, 3), "rate_per_second": round(rate),
        "batch_ms_median": round(statistics.median(times) * 1000, 1),
        "batch_ms_p95": round(sorted(times)[int(0.95 * (len(times) - 1))] * 1000, 1),
        "resent_batch": {"seconds": round(dup_s, 3), "duplicates": dup.get("duplicates"),
                         "rate_per_second": round(BATCH / dup_s)},
        "corrections_batch": {"seconds": round(corr_s, 3), "corrections": corr.get("corrections"),
                              "rate_per_second": round(BATCH / corr_s)},
        "target_per_second": INGEST_TARGET, "meets_target": rate >= INGEST_TARGET and statuses == {200},
    }


# ---------------------------------------------------------------- (c) latency with the worker


def bench_latency(env: dict[str, str], samples: int, workdir: Path) -> dict:
    from django.core.cache import cache
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from talentloop.performance import periods as P
    from talentloop.performance.models import Score
    from talentloop.performance.services.recompute import (
        DRAIN_QUEUED_KEY,
        recompute_marks_drain,
        recompute_marks_pending,
    )
    from talentloop.performance.services.scores import recompute_period

    HUEY.flush()  # the ingest benchmark's recomputations are not this benchmark's business
    cache.delete(DRAIN_QUEUED_KEY)  # nor is the drain its batches queued (flushed with the queue)
    # Nor the durable marks its batches left (the worker's every-minute sweep would take them first):
    # they are recomputed here, before the worker starts, so each sample measures one observation.
    while recompute_marks_pending():
        recompute_marks_drain()
    client, auth = _client_and_token()
    today = timezone.localdate()
    month = P.containing(today)
    rng = random.Random(SEED + 2)
    people = [pk for pk, _m, lo, hi in _people(month) if lo <= today and hi >= today]
    # Only people the month has a score for: someone away on leave for the whole month so far has
    # none (nobody is measured over 0 days), so a new observation of theirs never shows in a score
    # and a sample on them could only time out. The candidates are drawn in the same order as before.
    candidates = rng.sample(people, min(len(people), samples * 3))
    recompute_period(month, candidates)
    scored = set(Score.objects.filter(period_key=month.key, employee_id__in=candidates, total__isnull=False)
                 .values_list("employee_id", flat=True))
    chosen = [pk for pk in candidates if pk in scored][:samples]
    assert len(chosen) == samples, f"only {len(chosen)} of {len(candidates)} people drawn have a score"

    def total(pk: int):
        response = client.get(f"/api/v1/employees/{pk}/scores?period={month.key}", **auth)
        return response.json().get("total") if response.status_code == 200 else None

    log = open(workdir / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen([sys.executable, "-m", "talentloop.cli", "worker"], env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    latencies, timeouts = [], 0
    try:
        deadline = time.monotonic() + 30
        while "Talentloop worker" not in (workdir / "worker.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2.0)  # let the consumer start polling
        for i, pk in enumerate(chosen):
            before = total(pk)
            at = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
            item = {"employee_id": pk, "metric": "bench-csat", "value": 1, "source": "bench-latency",
                    "external_id": f"latency-{i}", "occurred_at": at}
            response = client.post("/api/v1/observations", data=json.dumps({"items": [item]}),
                                   content_type="application/json", **auth)
            accepted = time.perf_counter()
            assert response.status_code == 200 and response.json()["accepted"] == 1, response.content
            seen = None
            while time.perf_counter() - accepted < 15:
                if total(pk) != before:
                    seen = time.perf_counter() - accepted
                    break
                time.sleep(0.02)
            if seen is None:
                timeouts += 1
            else:
                latencies.append(round(seen, 3))
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()
    worst = max(latencies) if latencies else None
    return {
        "worker": "talentloop worker (separate process, Huey consumer, not immediate mode)",
        "queue": str(env.get("TALENTLOOP_REDIS_URL") and "redis" or "SqliteHuey"),
        "samples": samples, "latencies_seconds": latencies, "timeouts": timeouts,
        "median_seconds": statistics.median(latencies) if latencies else None, "max_seconds": worst,
        "target_seconds": LATENCY_TARGET,
        "meets_target": bool(latencies) and not timeouts and worst < LATENCY_TARGET,
    }


# ---------------------------------------------------------------- ingest alone


def run_ingest(*, env: dict[str, str], scale: str, workdir: Path, talentloop: Callable[..., tuple[float, str]],
               common: dict, employees: int | None = None) -> tuple[dict, bool]:
    """The ingest benchmark alone (``--only ingest``), on the database the whole run ingests into:
    the largest company of the scale (or ``employees``) with last month's facts loaded and settled,
    without timing the recomputations or the worker's latency."""
    from django.utils import timezone

    from talentloop.performance import periods as P

    conf = SCALES[scale]
    size = employees or conf["recompute"][-1]
    month = P.containing(timezone.localdate()).previous()
    _seed(env, talentloop, size)
    _configure()
    shape = _load_month(month)
    print(f"loaded {month.key}: {shape['observations_total']:,} observations in {shape['load_seconds']} s")
    settle()
    print(f"ingesting {conf['ingest_batches']} batches of {BATCH:,} through the API…")
    ingest = bench_ingest(conf["ingest_batches"])
    print(f"  {ingest['rate_per_second']:,} observations/s (median batch {ingest['batch_ms_median']} ms, "
          f"re-sent {ingest['resent_batch']['rate_per_second']:,}/s, corrections "
          f"{ingest['corrections_batch']['rate_per_second']:,}/s), target ≥ {INGEST_TARGET:,}/s: "
          f"{'ok' if ingest['meets_target'] else 'MISSED'}")
    report = {"benchmark": "performance-ingest", "scale": scale, **common, "load_average": os.getloadavg(),
              "employees": size, "loaded_month": {"period": month.key, **shape}, "ingest": ingest,
              "targets": {"ingest_per_second": INGEST_TARGET}}
    return report, bool(ingest["meets_target"])


# ---------------------------------------------------------------- the whole run


def _seed(env: dict[str, str], talentloop: Callable[..., tuple[float, str]], size: int) -> None:
    """A fresh company of ``size`` people (organisation only), in its own process."""
    from django.db import connection

    print(f"seeding {size:,} employees (organisation only)…")
    seconds, _out = talentloop(env, "seed", "--employees", str(size), "--seed", str(SEED), "--reset",
                               "--no-performance")
    print(f"  seeded in {seconds:.1f} s")
    connection.close()


def run(*, env: dict[str, str], scale: str, workdir: Path, talentloop: Callable[..., tuple[float, str]],
        common: dict) -> tuple[dict, bool]:
    """Every performance benchmark; returns the report and whether every target was met."""
    from django.utils import timezone

    from talentloop.organisation.models import Employee
    from talentloop.performance import periods as P

    conf = SCALES[scale]
    month = P.containing(timezone.localdate()).previous()
    recompute = []
    for size in conf["recompute"]:
        if Employee.objects.count() != size:
            _seed(env, talentloop, size)
        _configure()
        shape = _load_month(month)
        print(f"recompute {month.key} for {size:,} employees: {shape['observations_current']:,} observations "
              f"({shape['corrections']:,} corrected), {shape['ratings']:,} ratings, {shape['partial_people']:,} "
              f"partial, loaded in {shape['load_seconds']} s…")
        figures = bench_recompute(month, conf["runs"])
        target = RECOMPUTE_TARGETS.get(size)
        entry = {"employees": size, "period": month.key, "shape": shape, **figures, "target_seconds": target,
                 "meets_target": None if target is None else figures["median_seconds"] < target}
        recompute.append(entry)
        print(f"  runs {figures['runs_seconds']} s (median {figures['median_seconds']} s"
              + (f", target < {target} s: {'ok' if entry['meets_target'] else 'MISSED'})" if target else ")"))
    settle()
    print(f"ingesting {conf['ingest_batches']} batches of {BATCH:,} through the API…")
    ingest = bench_ingest(conf["ingest_batches"])
    print(f"  {ingest['rate_per_second']:,} observations/s (median batch {ingest['batch_ms_median']} ms), target "
          f"≥ {INGEST_TARGET:,}/s: {'ok' if ingest['meets_target'] else 'MISSED'}")
    print(f"latency with a worker, {conf['latency_samples']} samples…")
    latency = bench_latency(env, conf["latency_samples"], workdir)
    print(f"  {latency['latencies_seconds']} s (timeouts {latency['timeouts']}), target < {LATENCY_TARGET} s: "
          f"{'ok' if latency['meets_target'] else 'MISSED'}")
    if len(recompute) > 1:
        a, b = recompute[0], recompute[-1]
        linearity = round((b["median_seconds"] / a["median_seconds"]) / (b["employees"] / a["employees"]), 2)
    else:
        linearity = None
    report = {
        "benchmark": "performance", "scale": scale, **common, "load_average": os.getloadavg(),
        "recompute": recompute,
        "recompute_cost_ratio_per_employee": linearity,
        "ingest": ingest, "latency": latency,
        "targets": {"ingest_per_second": INGEST_TARGET, "recompute_seconds": RECOMPUTE_TARGETS,
                    "latency_seconds": LATENCY_TARGET,
                    "note": "recompute figures are the median of the runs (the first run inserts the scores, "
                            "later runs replace them); the database is settled (VACUUM ANALYZE and a checkpoint "
                            "on PostgreSQL, ANALYZE and a WAL checkpoint on SQLite) after each bulk load and "
                            "before the ingest; load_average is the machine's at the end (other work running on "
                            "the 2 cores makes figures noisy)"},
    }
    ok = (ingest["meets_target"] and latency["meets_target"]
          and all(r["meets_target"] is not False for r in recompute))
    return report, ok
