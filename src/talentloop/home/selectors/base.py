"""What every home section shares: the request context, the section base class, the urgency scale,
and the inline sparkline."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.cache import cache as django_cache
from django.db.models import Count, QuerySet, Window
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.performance import periods as P
from talentloop.performance.selectors_dashboards import num

if TYPE_CHECKING:
    from talentloop.organisation.models import Employee

# Most urgent first: things already late or waiting on the reader, then what is due soon, then the
# live picture, then what is there to read or explore.
URGENT = 90
DUE = 70
LIVE = 50
INFO = 30


@dataclass
class Ctx:
    """One request's facts that several sections need (computed once, no query)."""

    actor: Actor
    today: dt.date
    cache: dict[str, Any] = field(default_factory=dict)
    # The whole page is being built: sections whose cost grows with the team or company (today's
    # attendance judged person by person) are sent as placeholders that load themselves right after.
    whole_page: bool = False

    @property
    def employee(self) -> Employee | None:
        return self.actor.employee

    @property
    def period(self) -> P.Period:
        return P.containing(self.today)

    def built(self, key: str) -> Any:
        """A section already built for this page (None when it was not, or is not shown)."""
        return self.cache.get("built", {}).get(key)

    @property
    def is_mentor(self) -> bool:
        return self.actor.employee is not None and "mentor" in self.actor.roles


@dataclass
class Section:
    """A home section: ``key`` names its template partial and its refresh URL."""

    key: ClassVar[str] = ""
    urgency: int = INFO

    @property
    def partial_name(self) -> str:
        return f"home/index.html#{self.key}"


T = TypeVar("T")
_NOTHING = ("kept", None)  # what a build that found nothing to show is kept as (None means "not kept")


def kept_a_while(ctx: Ctx, name: str, seconds: int, depends: tuple[str, ...], build: Callable[[], T]) -> T:
    """``build()``, kept for the reader in the shared cache and built again in each new ``seconds``
    window of the clock — for figures over a whole team or company, which cost tens of milliseconds
    and are read far more often than they could change in a way the reader acts on. The key holds
    the reader, the organisation's date and the versions of the configuration ``depends`` names (a
    new scorecard or shift counts at once). The window is in the key rather than left to the expiry
    alone: a cache server's clock decides expiry, the application's clock decides the window, so both
    agree on when the figure is built again. Lists and pages behind such a figure are always live."""
    stamp = ".".join(str(v) for v in cache.versions(depends))
    window = int(timezone.now().timestamp()) // seconds
    key = f"home:{name}:{ctx.actor.user_id}:{ctx.today.isoformat()}:{stamp}:{window}"
    found = django_cache.get(key)
    if found is not None:
        return None if found == _NOTHING else found  # type: ignore[return-value]  # what build returned
    value = build()
    django_cache.set(key, _NOTHING if value is None else value, seconds * 2)
    return value


PERSON_KEPT = 120  # seconds the reader's own sections are kept at most (``KeptForReader``)


class KeptForReader:
    """The reader's own sections, kept together in one entry of the shared cache: onboarding, the
    score, the mentor, feedback, recommendations, the promotion path — a dozen queries and most of a page's CPU,
    read on every visit while they change a few times a day.

    The entry's key holds the reader (account and employee record), the organisation's date, the
    language, the reader's roles, every configuration version and the reader's own version
    (``core.cache.register_personal``: each write concerning them renews it after the commit, and a
    job rewriting many people renews everyone's), and a window of ``PERSON_KEPT`` seconds of the
    clock, which bounds how late what renews nothing can show: other people's names beside one's own
    data (a mentor renamed), writes through raw SQL that a writer forgot to announce. A reader whose
    own data was written in the open transaction reads and keeps nothing (it may still roll back).
    Sections are built on a miss and the entry is written back once, at the end of the page."""

    def __init__(self, ctx: Ctx, roles: frozenset[str]) -> None:
        employee = ctx.employee
        self.values: dict[str, Any] = {}
        self.changed = False
        self.key = ""
        if employee is None or cache.person_pending([employee.pk]) or any(
                cache.pending(name) for name in cache.registered()):
            return
        actor = ctx.actor
        stamp = cache.personal_stamp([employee.pk])
        window = int(timezone.now().timestamp()) // PERSON_KEPT
        who = ".".join(sorted(roles | {f"r-{r}" for r in actor.roles})) + f".{int(actor.has_reports)}"
        whole = f"{employee.pk}:{ctx.today.isoformat()}:{get_language()}:{who}:{stamp}:{window}"
        # Hashed: the versions alone run to 150 characters, and the database cache's keys stop at 255.
        self.key = f"home:reader:{actor.user_id}:{hashlib.blake2b(whole.encode(), digest_size=16).hexdigest()}"
        self.values = django_cache.get(self.key) or {}

    def section(self, key: str, build: Callable[[], T]) -> T:
        if not self.key:
            return build()
        found = self.values.get(key)
        if found is not None:
            return None if found == _NOTHING else found  # type: ignore[return-value]  # what build returned
        value = build_for_reader(key, build)
        self.values[key] = _NOTHING if value is None else value
        self.changed = True
        return value

    def close(self) -> None:
        if self.key and self.changed:
            django_cache.set(self.key, self.values, PERSON_KEPT * 2)


def build_for_reader(key: str, build: Callable[[], T]) -> T:
    """Where a reader's own section is built on a miss (a seam for the test that checks what it reads
    renews the reader's version)."""
    return build()


def head_and_count(qs: QuerySet, limit: int) -> tuple[list, int]:
    """The first ``limit`` rows of an ordered queryset and how many rows it has in all, in ONE query:
    the total rides along on every row as ``COUNT(*) OVER ()`` (computed before the LIMIT; SQLite and
    PostgreSQL both have window functions). No row means a total of 0."""
    rows = list(qs.annotate(_home_total=Window(expression=Count("pk")))[:limit])
    return rows, (rows[0]._home_total if rows else 0)


def figure(value: Any) -> str:
    """A figure for a sentence, trailing zeros dropped, in the active locale."""
    return num(value)


@dataclass(frozen=True)
class Sparkline:
    """A tiny line chart drawn as inline SVG on the server (no chart library on the home page)."""

    points: list[str]  # one "x,y x,y" polyline per run of months with a value
    last: tuple[float, float] | None
    label: str
    width: int = 120
    height: int = 32


def sparkline(values: list[tuple[str, Decimal | None]], width: int = 120, height: int = 32, pad: int = 3
              ) -> Sparkline:
    """Months without a value break the line; the y scale spans the values shown (a flat line sits in
    the middle), so small changes stay visible."""
    present = [v for _k, v in values if v is not None]
    label = _("Trend of the last %(n)s months: %(values)s") % {
        "n": len(values), "values": ", ".join(figure(v) if v is not None else "—" for _k, v in values)}
    if not present:
        return Sparkline([], None, label, width, height)
    low, high = min(present), max(present)
    span = high - low
    step = (width - 2 * pad) / max(1, len(values) - 1)
    runs: list[list[str]] = []
    current: list[str] = []
    last = None
    for i, (_key, value) in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
            continue
        x = pad + i * step
        ratio = 0.5 if span == 0 else float((value - low) / span)
        y = height - pad - ratio * (height - 2 * pad)
        current.append(f"{x:.1f},{y:.1f}")
        last = (round(x, 1), round(y, 1))
    if current:
        runs.append(current)
    return Sparkline([" ".join(r) for r in runs], last, label, width, height)
