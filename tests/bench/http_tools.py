"""Two small HTTP programs for the connector benchmarks, each run as a process of its own so that its
work is not counted in (nor slowed by) the process it measures:

* ``receiver``: a webhook receiver on asyncio (HTTP/1.1, kept-alive connections) that answers 204 at
  once, or after ``--slow-seconds`` on the paths given with ``--slow``; it counts what each path
  received and checks every Standard Webhooks signature it can (``--secrets``: path -> secret), and
  writes its counts to ``--out`` when stopped (SIGTERM).
* ``load``: an open-loop load of POST requests: request *i* is due at ``start + i / rate`` whatever the
  answers before it, sent on one of ``--connections`` kept-alive connections. Bodies are built from a
  template (``{n}``, ``{uuid}`` and the fields of a subject drawn in turn from ``subjects``), headers the
  same way; a header ``X-Gitlab-Token`` or a ``sign`` rule adds what the vendor checks. Each request's
  due time, start, answer time and status go to ``--out``, with the number of requests never sent because
  the server was more than ``grace_seconds`` (10) behind at the end.

    python -m tests.bench.http_tools receiver --port 8765 --slow /slow --slow-seconds 5 --out counts.json
    python -m tests.bench.http_tools load --conf load.json --out samples.json
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import signal
import time
import uuid
from collections import Counter
from pathlib import Path

# ---------------------------------------------------------------- receiver


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    return parts[1], headers, body


def _standard_webhooks_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(sig.split(",", 1)[-1] == expected for sig in headers.get("webhook-signature", "").split())


def receiver(port: int, slow: set[str], slow_seconds: float, secrets: dict[str, str], out: Path) -> None:
    counts: Counter[str] = Counter()
    bad_signatures: Counter[str] = Counter()
    ids: set[str] = set()
    repeated = 0
    first_at: dict[str, float] = {}
    last_at: dict[str, float] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal repeated
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                path, headers, body = request
                if path in slow:
                    await asyncio.sleep(slow_seconds)
                counts[path] += 1
                now = time.time()
                first_at.setdefault(path, now)
                last_at[path] = now
                webhook_id = headers.get("webhook-id", "")
                if webhook_id in ids:
                    repeated += 1
                ids.add(webhook_id)
                if path in secrets and not _standard_webhooks_ok(secrets[path], headers, body):
                    bad_signatures[path] += 1
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        print("receiving", flush=True)
        await stop.wait()
        server.close()
        out.write_text(json.dumps({"counts": counts, "bad_signatures": bad_signatures, "repeated_ids": repeated,
                                   "first_at": first_at, "last_at": last_at}))

    asyncio.run(main())


# ---------------------------------------------------------------- load


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


def load(conf: dict, out: Path) -> None:
    host, port, path = conf["host"], int(conf["port"]), conf["path"]
    rate, seconds = float(conf["rate"]), float(conf["seconds"])
    total = int(rate * seconds)
    subjects: list[dict[str, str]] = conf["subjects"]
    samples: list[tuple[float, float, float, int]] = []  # due, started, answered (seconds from start), status
    unsent: list[int] = []
    grace = float(conf.get("grace_seconds", 10))
    counter = iter(range(total))

    def build(n: int) -> bytes:
        values = {**subjects[n % len(subjects)], "n": str(n), "uuid": str(uuid.uuid4())}
        body = _fill(conf["body"], values).encode()
        headers = {k: _fill(v, values) for k, v in conf["headers"].items()}
        if conf.get("sign") == "github":
            headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(conf["secret"].encode(), body,
                                                                  hashlib.sha256).hexdigest()
        head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head += f"Content-Length: {len(body)}\r\n\r\n"
        return head.encode() + body

    async def connection(start: float) -> None:
        reader = writer = None
        for n in counter:
            if time.monotonic() > start + seconds + grace:
                unsent.append(n)  # the server fell that far behind: the rest is counted as not sent
                continue
            request = build(n)
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            began = time.monotonic()
            status = 0
            for _attempt in range(2):  # a kept-alive connection the server closed: once more on a new one
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port)
                    writer.write(request)
                    await writer.drain()
                    head = await reader.readuntil(b"\r\n\r\n")
                    lines = head.decode("latin-1").split("\r\n")
                    status = int(lines[0].split(" ")[1])
                    length = 0
                    closing = False
                    for line in lines[1:]:
                        low = line.lower()
                        if low.startswith("content-length:"):
                            length = int(line.split(":", 1)[1])
                        elif low.startswith("connection:") and "close" in low:
                            closing = True
                    await reader.readexactly(length)
                    if closing:
                        writer.close()
                        reader = writer = None
                    break
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    status = -1
            samples.append((round(due - start, 4), round(began - start, 4), round(time.monotonic() - start, 4),
                            status))
        if writer is not None:
            writer.close()

    async def main() -> None:
        start = time.monotonic() + 0.2
        await asyncio.gather(*(connection(start) for _ in range(int(conf.get("connections", 32)))))

    asyncio.run(main())
    out.write_text(json.dumps({"samples": samples, "unsent": len(unsent)}))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.http_tools")
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("receiver")
    rec.add_argument("--port", type=int, required=True)
    rec.add_argument("--slow", action="append", default=[])
    rec.add_argument("--slow-seconds", type=float, default=5.0)
    rec.add_argument("--secrets", type=Path, default=None, help="JSON: path -> Standard Webhooks secret")
    rec.add_argument("--out", type=Path, required=True)
    ld = sub.add_parser("load")
    ld.add_argument("--conf", type=Path, required=True)
    ld.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "receiver":
        secrets = json.loads(args.secrets.read_text()) if args.secrets else {}
        receiver(args.port, set(args.slow), args.slow_seconds, secrets, args.out)
    else:
        load(json.loads(args.conf.read_text()), args.out)


if __name__ == "__main__":
    main()
