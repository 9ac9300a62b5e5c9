from __future__ import annotations

from django.db import connection
from huey.contrib.djhuey import HUEY


def health() -> dict[str, dict]:
    out: dict[str, dict] = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        out["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down
        out["database"] = {"ok": False, "error": exc.__class__.__name__}
    try:
        pending = HUEY.pending_count()
        out["queue"] = {"ok": True, "backend": HUEY.__class__.__name__, "pending": pending}
    except Exception as exc:  # noqa: BLE001
        out["queue"] = {"ok": False, "error": exc.__class__.__name__}
    return out
