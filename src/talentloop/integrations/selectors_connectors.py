"""Reads of connectors for HR's pages and the API: each connector's health, its detail, and the tool
accounts waiting to be matched with the people they may be.

Health is read for a whole page of connectors at once: one query for the connectors with their counts
(correlated subqueries, so no join multiplies rows) and one for the facts per day of the page's
connectors — whatever the number of connectors, accounts and facts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Min, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from talentloop.core.access import Actor
from talentloop.integrations import access
from talentloop.integrations.models import (
    Connector,
    ConnectorMapping,
    InboundDelivery,
    ToolAccount,
    ToolEvent,
    ToolEventStatus,
)
from talentloop.organisation import selectors as organisation_selectors

DAYS = 7
# A connector whose oldest queued fact has waited this long is behind (the worker records every minute).
LAG_WARNING = dt.timedelta(minutes=15)
WAITING = (ToolEventStatus.UNMATCHED, ToolEventStatus.QUEUED)


@dataclass
class Health:
    last_event_at: dt.datetime | None = None
    last_error: str = ""
    last_error_at: dt.datetime | None = None
    lag: dt.timedelta | None = None
    oldest_queued_at: dt.datetime | None = None
    per_day: list[int] = field(default_factory=lambda: [0] * DAYS)
    unmatched_accounts: int = 0
    rejected_7d: int = 0

    @property
    def events_7d(self) -> int:
        return sum(self.per_day)

    @property
    def lag_seconds(self) -> int | None:
        return None if self.lag is None else int(self.lag.total_seconds())

    @property
    def recent_error(self) -> bool:
        """An error newer than the last event (an event since means it works again)."""
        if not self.last_error or self.last_error_at is None:
            return False
        return self.last_event_at is None or self.last_error_at >= self.last_event_at

    @property
    def state(self) -> str:
        """ok, attention (an error, a lag, unmatched accounts or rejected deliveries) or idle (nothing
        received yet)."""
        if self.recent_error or (self.lag is not None and self.lag > LAG_WARNING) or self.rejected_7d:
            return "attention"
        if self.unmatched_accounts:
            return "attention"
        if self.last_event_at is None:
            return "idle"
        return "ok"

    @property
    def bars(self) -> list[tuple[int, int, int, int]]:
        """(x, y, height, count) of a 56×20 bar chart of the facts per day, oldest first."""
        top = max(self.per_day) or 1
        out = []
        for n, count in enumerate(self.per_day):
            height = max(1, round(18 * count / top)) if count else 1
            out.append((n * 8, 20 - height, height, count))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "last_event_at": self.last_event_at, "last_error": self.last_error,
                "last_error_at": self.last_error_at, "lag_seconds": self.lag_seconds, "per_day": self.per_day,
                "events_7d": self.events_7d, "unmatched_accounts": self.unmatched_accounts,
                "rejected_7d": self.rejected_7d}


def _count(qs: QuerySet) -> Coalesce:
    return Coalesce(Subquery(qs.order_by().values("connector").annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


def connector_queryset(actor: Actor, *, now: dt.datetime | None = None) -> QuerySet[Connector]:
    """The connectors the actor manages, each with its unmatched accounts, rejected deliveries of the
    last 7 days and the moment its oldest queued fact arrived: one query."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=DAYS)
    unmatched = ToolAccount.objects.filter(connector=OuterRef("pk"), employee__isnull=True)
    rejected = InboundDelivery.objects.filter(connector=OuterRef("pk"), status=InboundDelivery.Status.REJECTED,
                                              received_at__gte=since)
    oldest = (ToolEvent.objects.filter(connector=OuterRef("pk"), status=ToolEventStatus.QUEUED).order_by()
              .values("connector").annotate(at=Min("received_at")).values("at")[:1])
    return (access.visible_connectors(actor).select_related("act_as")
            .annotate(unmatched_accounts=_count(unmatched), rejected_7d=_count(rejected),
                      oldest_queued_at=Subquery(oldest))
            .order_by("-is_active", "name", "id"))


def with_health(connectors: Iterable[Connector], *, now: dt.datetime | None = None) -> list[Connector]:
    """Set ``health`` on each connector of a page read by ``connector_queryset``: one more query (the
    facts received per day over the last 7 days, in the organisation's time zone)."""
    rows = list(connectors)
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - dt.timedelta(days=DAYS - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=timezone.get_current_timezone())
    counts: dict[tuple[int, dt.date], int] = {}
    if rows:
        for connector_id, day, n in (ToolEvent.objects.filter(connector__in=[c.pk for c in rows],
                                                               received_at__gte=start)
                                     .annotate(day=TruncDate("received_at")).order_by()
                                     .values_list("connector_id", "day").annotate(n=Count("pk"))):
            counts[(connector_id, day)] = n
    for c in rows:
        oldest = getattr(c, "oldest_queued_at", None)
        c.health = Health(  # type: ignore[attr-defined]  # a page's decoration, not a field
            last_event_at=c.last_event_at, last_error=c.last_error, last_error_at=c.last_error_at,
            lag=(now - oldest) if oldest is not None else None, oldest_queued_at=oldest,
            per_day=[counts.get((c.pk, first + dt.timedelta(days=d)), 0) for d in range(DAYS)],
            unmatched_accounts=getattr(c, "unmatched_accounts", 0), rejected_7d=getattr(c, "rejected_7d", 0))
    return rows


def connector_list(actor: Actor, *, now: dt.datetime | None = None) -> list[Connector]:
    return with_health(connector_queryset(actor, now=now), now=now)


def connector_get(actor: Actor, pk: int, *, now: dt.datetime | None = None) -> Connector | None:
    """One connector with its health (two queries)."""
    connector = connector_queryset(actor, now=now).filter(pk=pk).first()
    if connector is None:
        return None
    return with_health([connector], now=now)[0]


def mapping_list(connector: Connector) -> list[ConnectorMapping]:
    return list(ConnectorMapping.objects.filter(connector=connector).order_by("event_kind"))


def rejected_deliveries(connector: Connector, *, limit: int = 20) -> list[InboundDelivery]:
    """The latest deliveries refused for their shape, with the reason (the payload is kept for
    inspection, not shown on the page)."""
    return list(InboundDelivery.objects.filter(connector=connector, status=InboundDelivery.Status.REJECTED)
                .defer("payload").order_by("-received_at", "-id")[:limit])


def account_queryset(actor: Actor, connector: Connector, *, unmatched_only: bool = False) -> QuerySet[ToolAccount]:
    """A connector's accounts, unmatched first and those with the most waiting facts first, each with
    ``waiting`` (facts waiting for the account to be matched or queued) and its person."""
    qs = access.visible_tool_accounts(actor).filter(connector=connector)
    if unmatched_only:
        qs = qs.filter(employee__isnull=True)
    waiting = (ToolEvent.objects.filter(account=OuterRef("pk"), status__in=WAITING).order_by()
               .values("account").annotate(n=Count("pk")).values("n")[:1])
    return (qs.select_related("employee", "matched_by_user")
            .annotate(waiting=Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0)),
                      unmatched=Case(When(employee__isnull=True, then=Value(1)), default=Value(0),
                                     output_field=IntegerField()))
            .order_by("-unmatched", "-waiting", "display_name", "handle", "pk"))


def account_get(actor: Actor, connector: Connector, pk: int) -> ToolAccount | None:
    return access.visible_tool_accounts(actor).filter(connector=connector, pk=pk).select_related("employee").first()


_SEPARATORS = re.compile(r"[._\-+\s]+")


def _terms(account: ToolAccount) -> list[str]:
    """What to look people up by: the name in the tool, the e-mail's local part and the handle, also
    without separators (``wang.xiaoming`` -> ``wangxiaoming``, which the pinyin of 王小明 holds)."""
    out: list[str] = []
    local = account.email.split("@", 1)[0] if account.email else ""
    for raw in (account.display_name, local, account.handle):
        raw = (raw or "").strip()
        if len(raw) < 2:
            continue
        for term in (raw, _SEPARATORS.sub(" ", raw), _SEPARATORS.sub("", raw)):
            term = term.strip()
            if len(term) >= 2 and term.lower() not in {t.lower() for t in out}:
                out.append(term)
    return out[:4]


def account_suggestions(actor: Actor, account: ToolAccount, *, limit: int = 3) -> list[Any]:
    """People whose name, pinyin or English name resembles the account's name, e-mail or handle (the
    people picker's search, in the actor's scope): a few queries per account, for a page of them."""
    found: dict[int, Any] = {}
    for term in _terms(account):
        for person in organisation_selectors.employee_search(actor, term, limit=limit) or []:
            found.setdefault(person.pk, person)
        if len(found) >= limit:
            break
    return list(found.values())[:limit]


def unmatched_accounts(actor: Actor, connector: Connector, *, limit: int = 50,
                       suggest: bool = True) -> list[ToolAccount]:
    """The connector's unmatched accounts with their waiting facts, the most waiting first, each with
    ``suggestions``."""
    rows = list(account_queryset(actor, connector, unmatched_only=True)[:limit])
    for account in rows:
        account.suggestions = (  # type: ignore[attr-defined]  # a page's decoration
            account_suggestions(actor, account) if suggest else [])
    return rows


def seen_event_kinds(connector: Connector, *, limit: int = 30) -> list[str]:
    """The event kinds a connector has received (a pull's are named by its files), for its mappings."""
    return list(ToolEvent.objects.filter(connector=connector).order_by("event_kind")
                .values_list("event_kind", flat=True).distinct()[:limit])
