"""Configuration read on every page, kept in Django's shared cache under versioned keys.

What HR configures (scorecards and their metrics, career ladders, the mentor policy, the content
catalogue) is read by nearly every home page and changes a few times a month, so building it on every
request is wasted work. Each app registers the models of what it keeps under one *name* (its label,
e.g. ``"performance"``) from its ``apps.py``; every save or delete of such a model (and every change
of a registered many-to-many table) bumps that name's *version* in the cache after the transaction
commits. A value is kept under a key that carries the current versions of the names it depends on, so
a write makes every process — web workers and job workers alike, since the cache is shared (the
database cache by default, Redis when ``TALENTLOOP_REDIS_URL`` is set) — build it again; old entries
are never read again and expire.

Data about people (scores, plans, checklists, feedback) is not kept: it is written every second in
a real company, so a key versioned on it would be rebuilt on nearly every read. The home sections read
it within a fixed query budget instead.

Each process also remembers the values it read last (at most ``LOCAL_ENTRIES``) under the same
versioned keys, and a request reads the versions once: a page that finds everything costs one cache
read. A remembered value is only ever found under the versions it was built for, so this changes
nothing about freshness; it spares unpickling and a round trip per value.

Why this stays correct with several processes:

* the version is bumped *after* the writer commits (``on_commit``; at once outside a transaction), and
  a reader builds *after* reading the versions, so a value is only ever newer than its key, never older;
* a thread that wrote a registered model in its open transaction neither reads nor keeps values of
  that name until it commits (what it sees may still roll back, and the cache does not see it yet);
* a version that is missing (a flushed or culled cache) starts at a random number, so a key is never
  reused for a different value.

Writes that bypass model signals (``QuerySet.update``, ``bulk_create``, raw SQL) on registered models
call :func:`cache_bump` themselves.

**What is kept per person.** A few pages show a person's own data read through many queries (the home
page's score, mentor, feedback, recommendations, promotion path). Each app registers the models of such
data with :func:`register_personal` and a function naming the people (employee ids) a row concerns; a
save or delete renews each such person's *version* (``person:<id>``) after the commit, exactly as above.
A value kept for a person carries that version and the version of everyone (``person:*``, renewed by a
job that rewrites many people at once) in its key; writers that bypass model signals call
:func:`bump_people`. Other people's names shown beside one's own data (a mentor's name on the mentee's
page) renew nothing: whoever keeps such values keeps them for a bounded window, which says how late a
renamed colleague can show. What is kept is pickled: plain data or model instances that callers
only read; anything that depends on the reader (their scope, the day, the language) belongs in the key.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

PREFIX = "tl"
TIMEOUT = 24 * 3600  # seconds a kept value lives; an outdated one is never read again before that
LOCAL_ENTRIES = 1024  # values each process remembers (per scorecard, job family, month…)
_MISSING = object()
_registry: dict[str, set[str]] = {}  # name -> labels of the models registered under it
_thread = threading.local()  # .pending: names written in the thread's open transaction
_values: OrderedDict[str, Any] = OrderedDict()  # this process's last values, by versioned key, oldest first
_values_lock = threading.Lock()
_request_versions: ContextVar[dict[str, int] | None] = ContextVar("talentloop_cache_versions", default=None)


def register(name: str, *models: type[Model]) -> None:
    """Bump ``name`` on every save and delete of these models (on changes of these M2M through models)."""
    labels = _registry.setdefault(name, set())
    for model in models:
        labels.add(model._meta.label_lower)
        uid = f"cache-{name}-{model._meta.label_lower}"
        if model._meta.auto_created:  # an M2M through model
            m2m_changed.connect(partial(_m2m, name), sender=model, weak=False, dispatch_uid=f"{uid}-m2m")
        else:
            post_save.connect(partial(_signal, name), sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(partial(_signal, name), sender=model, weak=False, dispatch_uid=f"{uid}-delete")


def registered() -> list[str]:
    """Every registered configuration name."""
    return sorted(_registry)


def registered_names(model: type[Model]) -> set[str]:
    """The names a model is registered under (empty: its writes invalidate nothing)."""
    label = model._meta.label_lower
    return {name for name, labels in _registry.items() if label in labels}


def _version_key(name: str) -> str:
    return f"{PREFIX}:v:{name}"


def _pending() -> set[str]:
    """Names written in this thread's open transaction. Outside a transaction the set is emptied: a
    transaction that ended with names still pending was rolled back (its commit callbacks, which clear
    them, were discarded), so nothing of it needs rebuilding."""
    pending = getattr(_thread, "pending", None)
    if pending is None:
        pending = _thread.pending = set()
    elif pending and not connection.in_atomic_block:
        pending.clear()
    return pending


def pending(name: str) -> bool:
    """Whether this thread wrote data registered under ``name`` in its open transaction."""
    return name in _pending()


def _incr(name: str) -> None:
    _pending().discard(name)
    key = _version_key(name)
    try:
        cache.incr(key)
    except ValueError:  # no version yet (or culled): any fresh start differs from the versions before
        if not cache.add(key, _fresh(), timeout=None):
            cache.incr(key)
    memo = _request_versions.get()
    if memo is not None:  # this request reads the new version from now on
        memo.pop(name, None)


def _fresh() -> int:
    return secrets.randbits(62)


def cache_bump(name: str) -> None:
    """Values kept under ``name`` are outdated: bump its version when the transaction commits (at once
    outside one). Only for writes that send no model signal; registered models bump by themselves."""
    if name not in _registry:
        raise KeyError(f"no model is registered under the cache name {name!r}")
    if not connection.in_atomic_block:
        _incr(name)
        return
    names = _pending()
    if name not in names:
        names.add(name)
        transaction.on_commit(partial(_incr, name))


def _read_versions(names: list[str]) -> dict[str, int]:
    keys = {_version_key(n): n for n in names}
    found = cache.get_many(list(keys))
    missing = [k for k in keys if k not in found]
    if missing:
        for key in missing:
            cache.add(key, _fresh(), timeout=None)
        found.update(cache.get_many(missing))
    return {keys[k]: v for k, v in found.items()}


def versions(names: Iterable[str]) -> tuple[int, ...]:
    """The current version of each name: one cache read, once per request for every registered name
    together (on every call outside a request: jobs, commands)."""
    names = list(names)
    memo = _request_versions.get()
    if memo is None:
        found = _read_versions(names)
    else:
        if any(n not in memo for n in names):
            memo.update(_read_versions(sorted(set(_registry) | set(names))))
        found = memo
    return tuple(found[n] for n in names)


def _full_key(key: Hashable, names: tuple[str, ...], current: tuple[int, ...]) -> str:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
    stamp = ".".join(f"{n}{v}" for n, v in zip(names, current, strict=True))
    return f"{PREFIX}:{digest}:{stamp}"


def _build(build: Callable[[], T], names: tuple[str, ...]) -> T:
    """Where a value is built (a seam for the test that checks what builds read is registered)."""
    return build()


def cached(key: Hashable, build: Callable[[], T], *, depends: tuple[str, ...]) -> T:
    """``build()``, or what it returned before for ``key`` while nothing registered under the names in
    ``depends`` was written."""
    for name in depends:
        if name not in _registry:
            raise KeyError(f"no model is registered under the cache name {name!r}")
    if any(name in _pending() for name in depends):
        return _build(build, depends)  # written in this transaction: what is read now may still roll back
    full = _full_key(key, depends, versions(depends))
    with _values_lock:
        value: Any = _values.get(full, _MISSING)
        if value is not _MISSING:
            _values.move_to_end(full)
            return value
    value = cache.get(full, _MISSING)
    if value is _MISSING:
        value = _build(build, depends)
        cache.set(full, value, TIMEOUT)
    with _values_lock:
        _values[full] = value
        while len(_values) > LOCAL_ENTRIES:
            _values.popitem(last=False)
    return value


# ---------------------------------------------------------------- per person

PERSON = "person"
EVERYONE = f"{PERSON}:*"
# A write concerning more people than this renews everyone's version at once (one cache write) instead
# of each person's (a recomputation of the whole company).
MANY_PEOPLE = 500
_personal: dict[str, Callable[[Any], Iterable[int | None]]] = {}  # model label -> the people a row concerns


def person_name(employee_id: int) -> str:
    return f"{PERSON}:{employee_id}"


def register_personal(model: type[Model], people: Callable[[Any], Iterable[int | None]], *,
                      deletes: bool = True) -> None:
    """Renew the version of every person ``people(row)`` names (employee ids) on each save and delete
    of ``model``. ``people`` may query (a plan item names its plan's mentee and mentor).

    ``deletes=False`` for a model whose rows are deleted only in bulk by writers that renew the people
    themselves: a delete receiver makes Django fetch every row before a ``QuerySet.delete()`` (to send
    the signal for each) instead of deleting them in one statement."""
    label = model._meta.label_lower
    _personal[label] = people
    signals = ((post_save, "save"), (post_delete, "delete")) if deletes else ((post_save, "save"),)
    for signal, kind in signals:
        signal.connect(partial(_personal_signal, people), sender=model, weak=False,
                       dispatch_uid=f"cache-person-{label}-{kind}")


def is_personal(model: type[Model]) -> bool:
    """Whether writes of ``model`` renew the versions of the people they concern."""
    return model._meta.label_lower in _personal


def _personal_signal(people: Callable[[Any], Iterable[int | None]], instance: Any = None, raw: bool = False,
                     **_kwargs: Any) -> None:
    if raw:  # fixtures being loaded
        return
    bump_people(people(instance))


def bump_people(employee_ids: Iterable[int | None], *, everyone: bool = False) -> None:
    """What is kept for these people (for everyone when ``everyone``, or when they are many) is
    outdated: renew their versions when the transaction commits (at once outside one)."""
    names = set() if everyone else {person_name(i) for i in employee_ids if i is not None}
    if everyone or len(names) > MANY_PEOPLE:
        names = {EVERYONE}
    if not names:
        return
    if not connection.in_atomic_block:
        _renew(frozenset(names))
        return
    pending = _pending()
    new = names - pending
    if new:
        pending |= new
        transaction.on_commit(partial(_renew, frozenset(new)))


def _renew(names: frozenset[str]) -> None:
    _pending().difference_update(names)
    cache.set_many({_version_key(n): _fresh() for n in names}, timeout=None)
    memo = _request_versions.get()
    if memo is not None:
        for name in names:
            memo.pop(name, None)


def person_pending(employee_ids: Iterable[int]) -> bool:
    """Whether this thread wrote data concerning one of these people (or everyone) in its open
    transaction: what it would keep for them may still roll back."""
    pending = _pending()
    return bool(pending) and (EVERYONE in pending or any(person_name(i) in pending for i in employee_ids))


def personal_stamp(employee_ids: Iterable[int]) -> str:
    """The versions a value kept for these people depends on: theirs, everyone's and every registered
    configuration name's (one cache read per request, with the configuration's)."""
    names = sorted(_registry) + [EVERYONE] + [person_name(i) for i in employee_ids]
    return ".".join(str(v) for v in versions(names))


def bump_all() -> None:
    """Every kept value is outdated (bulk loads of demo data, tests between each other)."""
    for name in _registry:
        cache_bump(name)
    bump_people((), everyone=True)


def reset() -> None:
    """Forget this thread's pending names and everything kept (tests call this between tests: a
    rolled-back test never commits, so its pending names would otherwise stay, and what it kept was
    built from rows that are gone; a test client request whose view raised never sends
    ``request_finished``, so its versions would reach the next test). Bumping instead of clearing
    leaves the rest of a shared cache alone."""
    _pending().clear()
    _request_versions.set(None)
    with _values_lock:
        _values.clear()
    for name in _registry:
        _incr(name)  # at once, even inside the test's transaction (which never commits)
    _renew(frozenset({EVERYONE}))


def _signal(name: str, **_kwargs: Any) -> None:
    cache_bump(name)


def _m2m(name: str, action: str = "", **_kwargs: Any) -> None:
    if action.startswith("post_"):
        cache_bump(name)


def _request_started(**_kwargs: Any) -> None:
    _request_versions.set({})


def _request_finished(**_kwargs: Any) -> None:
    _request_versions.set(None)


request_started.connect(_request_started, dispatch_uid="core-cache-request-started")
request_finished.connect(_request_finished, dispatch_uid="core-cache-request-finished")
