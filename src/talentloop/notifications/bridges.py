"""Where the events of the performance and mentoring apps become notifications.

Those apps keep their own notice tables (shown on their pages); each new notice is also handed to
``notify`` with a dedupe key naming the notice, so handing the same notice over twice (the delivery
hook, then the every-minute sweep) creates one notification.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from talentloop.notifications import kinds as K
from talentloop.notifications.services import Item, notify_each

SWEEP_DAYS = 2


# ---------------------------------------------------------------- performance


def performance_notices_notify(notices: Iterable) -> int:
    """``PerformanceNotice`` rows (alerts, root-cause reviews, the digest of a root-cause run) as
    notifications."""
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for n in notices:
        kind = K.PERFORMANCE_KINDS.get(n.kind)
        if kind is None:
            continue
        # A digest names no one review: the notice itself is what is handed over once.
        ref = (f"alert:{n.alert_id}" if n.alert_id else f"root-cause:{n.review_id}" if n.review_id
               else f"performance-notice:{n.pk}" if n.pk else "")
        by_kind[kind].append(Item(n.recipient_id, n.data or {}, n.link or "", ref))
    return sum(notify_each(kind=kind, items=items) for kind, items in by_kind.items())


def score_changes_notify(period_key: str, before: dict[int, object], after: dict[int, object]) -> int:
    """Tell each person whose total changed; the dedupe key (period and total) keeps a repeated
    recomputation to the same total from telling them again. One ``notify_each`` for the set."""
    items = []
    link = reverse("performance:my-score") + f"?period={period_key}"
    for emp, total in sorted(after.items()):
        if total is None or before.get(emp) == total:
            continue
        shown = f"{total:.2f}" if not isinstance(total, str) else total
        items.append(Item(emp, {"period": period_key, "total": shown}, link, f"{period_key}:{shown}"))
    return notify_each(kind=K.SCORE_UPDATED.key, items=items) if items else 0


def scores_recompute_notifying(period_key: str, employee_ids: list[int]):
    """Recompute some people's scores of a month after new observations and tell those whose total
    changed. Two extra queries (the totals before and after) whatever the number of people; a
    quarter or year is recomputed without telling anyone (the month already did)."""
    from talentloop.performance import periods as P
    from talentloop.performance.models import Score
    from talentloop.performance.services.scores import recompute_period

    period = P.parse(period_key)
    if period.kind != P.MONTH or not employee_ids:
        return recompute_period(period, employee_ids)
    ids = sorted(set(employee_ids))

    def totals() -> dict[int, object]:
        out: dict[int, object] = {}
        for start in range(0, len(ids), 900):
            out.update(Score.objects.filter(period_key=period_key, employee_id__in=ids[start:start + 900])
                       .values_list("employee_id", "total"))
        return out

    before = totals()
    result = recompute_period(period, ids)
    score_changes_notify(period_key, before, totals())
    return result


# ---------------------------------------------------------------- mentoring


def mentoring_notices_deliver(notice_ids: list[int]) -> int:
    """The mentoring delivery hook: new ``MentoringNotice`` ids (after commit) → notifications."""
    from talentloop.mentoring.models import MentoringNotice

    return _bridge(MentoringNotice.objects.filter(pk__in=list(notice_ids), delivered_at__isnull=True))


def bridge_mentoring_notices(now: dt.datetime | None = None) -> int:
    """The sweep for notices no hook handed over (plan decisions and applications are written
    without one): every notice of the last two days not yet delivered."""
    from talentloop.mentoring.models import MentoringNotice

    now = now or timezone.now()
    return _bridge(MentoringNotice.objects.filter(delivered_at__isnull=True,
                                                  created_at__gte=now - dt.timedelta(days=SWEEP_DAYS)))


@transaction.atomic
def _bridge(queryset) -> int:
    from talentloop.mentoring.models import MentoringNotice

    rows = list(queryset.order_by("id").values("pk", "recipient_id", "kind", "data", "link")[:5000])
    if not rows:
        return 0
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for r in rows:
        kind = K.mentoring_kind(r["kind"], r["data"] or {})
        if kind is not None:
            by_kind[kind].append(Item(r["recipient_id"], r["data"] or {}, r["link"] or "",
                                      f"mentoring-notice:{r['pk']}"))
    created = sum(notify_each(kind=kind, items=items) for kind, items in by_kind.items())
    ids = [r["pk"] for r in rows]
    for start in range(0, len(ids), 900):
        MentoringNotice.objects.filter(pk__in=ids[start:start + 900]).update(delivered_at=timezone.now())
    return created
