"""Data kept in each process between requests, checked against the database once per request.

What every home page shows changes far less often than it is read: configuration HR edits now and
then (career ladders, scorecards and their metrics, the mentor policy, the content catalogue), and
the data about people behind each section (scores, plans, checklists, feedback, alerts — and for a
manager, the aggregates of thousands of them), which changes only when one of those rows is written.
Building all of it on every request costs more than the rest of the page. So each process keeps
what it built together with the *generation* it was built under: a random token per name
(``config``, ``people``) in one row of :class:`~talentloop.core.models.Generation`, replaced after
every committed write to a model watched under that name. A request reads the tokens once (one
query) and reuses what was built under the same token; anything else is rebuilt.

Why this stays correct with several processes and threads:

* the token lives in the database, so a write in any process is seen by every other on its next
  request; a token is never reused;
* the token is replaced *after* the writer commits (``on_commit``; at once outside a transaction),
  so no transaction holds a lock on the row, and a value built between the commit and the new token
  is only newer than its token, never older;
* the writing thread forgets its own entries at once and, until its transaction commits, builds
  without keeping (nothing it saw inside a transaction that may still roll back is kept);
* values are built after the token is read.

The price is that one write invalidates every reader's entries under that name: the gain is for
pages read far more often than the data behind them is written, and a page after a write costs what
it cost without this module. Outside a request (jobs, commands, tests calling selectors directly)
the token is read on every use. What is kept must be plain data or model instances that callers only
read; anything that depends on the reader (their scope, the day, the language) belongs in the key.
Writes that bypass model signals (``QuerySet.update``, ``bulk_create``, raw SQL) on watched models
call :func:`bump` themselves.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

CONFIG = "config"
PEOPLE = "people"
MAX_ENTRIES = 4096  # kept values per process (per job family, org unit path, period, manager…)

_request_tokens: ContextVar[dict[str, str] | None] = ContextVar("talentloop_generations", default=None)
_store: dict[tuple, tuple[str, Any]] = {}
_lock = threading.Lock()
_local = threading.local()  # .pending: names written in the thread's open transaction


def _pending() -> set[str]:
    """Names written in this thread's open transaction. Outside a transaction the set is emptied: a
    transaction that ended with names still pending was rolled back (its commit callbacks, which
    clear them, were discarded), so nothing of it needs rebuilding."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = set()
    elif pending and not connection.in_atomic_block:
        pending.clear()
    return pending


def _read(name: str) -> str:
    from talentloop.core.models import Generation

    return Generation.objects.filter(name=name).values_list("token", flat=True).first() or _first(name)


def _first(name: str) -> str:
    """The first token of a name whose row is missing (the migration creates the known ones; a
    database emptied by a test's flush has none)."""
    from talentloop.core.models import Generation

    return Generation.objects.get_or_create(name=name, defaults={"token": uuid.uuid4().hex})[0].token


def current(name: str = CONFIG) -> str:
    """The generation token: every name's token read together once per request (one query), on every
    call outside one."""
    tokens = _request_tokens.get()
    if tokens is None:
        return _read(name)
    if name not in tokens:
        from talentloop.core.models import Generation

        tokens.update({n: t for n, t in Generation.objects.values_list("name", "token") if n not in tokens})
        if name not in tokens:
            tokens[name] = _first(name)
    return tokens[name]


def _write(name: str) -> None:
    from talentloop.core.models import Generation

    _pending().discard(name)
    token = uuid.uuid4().hex
    if not Generation.objects.filter(name=name).update(token=token):
        Generation.objects.update_or_create(name=name, defaults={"token": token})
    tokens = _request_tokens.get()
    if tokens is not None:
        tokens[name] = token
    forget(name)


def bump(name: str = CONFIG) -> None:
    """Data kept under ``name`` was written: forget it here now, and replace the token (every process
    rebuilds) when the transaction commits."""
    forget(name)
    if not connection.in_atomic_block:
        _write(name)
        return
    names = _pending()
    if name not in names:
        names.add(name)
        transaction.on_commit(partial(_write, name))


def forget(name: str | None = None) -> None:
    """Drop what this process keeps (under ``name``, or everything)."""
    with _lock:
        if name is None:
            _store.clear()
        else:
            for key in [k for k in _store if k[0] == name]:
                del _store[key]


def reset() -> None:
    """Forget everything, every pending write and the tokens of an unfinished request (tests call
    this between tests: a rolled-back test never commits, so its pending names would otherwise stay,
    and a test client request whose view raised never sends ``request_finished``, so its tokens
    would be read by the next test)."""
    forget()
    _pending().clear()
    _request_tokens.set(None)


def pending(name: str) -> bool:
    """Whether this thread wrote data kept under ``name`` in its open transaction."""
    return name in _pending()


def cached(key: Hashable, build: Callable[[], T], name: str = CONFIG) -> T:
    """``build()``, or what it returned before for ``key`` under the same generation of ``name``."""
    if name in _pending():
        return build()  # written in this transaction: what is read now may still roll back
    token = current(name)
    full = (name, key)
    hit = _store.get(full)
    if hit is not None and hit[0] == token:
        return hit[1]
    value = build()
    with _lock:
        while len(_store) >= MAX_ENTRIES:  # the oldest entries go first
            del _store[next(iter(_store))]
        _store.pop(full, None)
        _store[full] = (token, value)
    return value


def watch(*models, name: str = CONFIG) -> None:
    """Bump ``name`` on every save and delete of these models (and on changes of these M2M through
    models)."""
    for model in models:
        uid = f"generations-{name}-{model._meta.label}"
        if model._meta.auto_created:  # an M2M through model
            m2m_changed.connect(partial(_m2m, name), sender=model, weak=False, dispatch_uid=f"{uid}-m2m")
        else:
            post_save.connect(partial(_signal, name), sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(partial(_signal, name), sender=model, weak=False, dispatch_uid=f"{uid}-delete")


def _signal(name: str, **_kwargs) -> None:
    bump(name)


def _m2m(name: str, action: str = "", **_kwargs) -> None:
    if action.startswith("post_"):
        bump(name)


def _request_started(**_kwargs) -> None:
    _request_tokens.set({})


def _request_finished(**_kwargs) -> None:
    _request_tokens.set(None)


request_started.connect(_request_started, dispatch_uid="generations-request-started")
request_finished.connect(_request_finished, dispatch_uid="generations-request-finished")
