"""A local stand-in for a vendor's HTTP API: a real HTTP server on 127.0.0.1 (free port) in a thread.

Each test gives it a ``route(request) -> (status, json_body)`` function that CHECKS the request (path, query,
method, headers, JSON body) with plain asserts; a failed check is recorded and answered 599, and
``StandIn.raise_errors()`` re-raises it in the test, so a request of the wrong shape fails the test
instead of being answered as if it were right.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class StandIn:
    route: object
    requests: list[Seen] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def raise_errors(self) -> None:
        if self.errors:
            raise self.errors[0]

    def __enter__(self) -> StandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urllib.parse.urlsplit(self.path)
                seen = Seen(method=self.command, path=parts.path, raw_query=parts.query,
                            query={k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()},
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=self.rfile.read(length) if length else b"")
                standin.requests.append(seen)
                try:
                    status, body = standin.route(seen)
                except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                    standin.errors.append(exc)
                    status, body = 599, {"stand_in_error": str(exc)}
                payload = json.dumps(body).encode() if not isinstance(body, bytes) else body
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
