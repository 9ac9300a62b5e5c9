"""Telling people that new facts changed their score.

It reads scores before and after a recomputation, so it lives beside them; it tells people through
the notifications app's one service (``notify_each``) with the ``score_updated`` kind.
"""

from __future__ import annotations

from django.urls import reverse

from talentloop.notifications.services import Item, notify_each
from talentloop.performance import periods as P
from talentloop.performance.models import Score
from talentloop.performance.notification_kinds import SCORE_UPDATED
from talentloop.performance.services.scores import RecomputeResult, recompute_period

CHUNK = 900  # ids per IN (...) list: below every database's parameter limit


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
    return notify_each(kind=SCORE_UPDATED.key, items=items) if items else 0


def scores_recompute_notifying(period_key: str, employee_ids: list[int]) -> RecomputeResult:
    """Recompute some people's scores of a month after new observations and tell those whose total
    changed. Two extra queries (the totals before and after) whatever the number of people; a
    quarter or year is recomputed without telling anyone (the month already did)."""
    period = P.parse(period_key)
    if period.kind != P.MONTH or not employee_ids:
        return recompute_period(period, employee_ids)
    ids = sorted(set(employee_ids))

    def totals() -> dict[int, object]:
        out: dict[int, object] = {}
        for start in range(0, len(ids), CHUNK):
            out.update(Score.objects.filter(period_key=period_key, employee_id__in=ids[start:start + CHUNK])
                       .values_list("employee_id", "total"))
        return out

    before = totals()
    result = recompute_period(period, ids)
    score_changes_notify(period_key, before, totals())
    return result
