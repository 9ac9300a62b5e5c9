"""The daily mentoring job, as a list: ``talentloop run-reminders --date`` and the scheduler run
every entry in order, as of one date. Each job takes the date and returns a JSON-able summary,
and must be idempotent for a date (running twice sends nothing twice).

Append a job by its dotted path (e.g. the survey job of the effectiveness module)::

    JOBS.append("talentloop.mentoring.services.surveys.send_due_surveys")

(or add the string to the list below).
"""

from __future__ import annotations

from collections.abc import Callable

JOBS: list[str] = [
    "talentloop.mentoring.services.cadence.advance_plans",
    "talentloop.mentoring.services.cadence.send_reminders",
    "talentloop.mentoring.services.cadence.escalate_overdue",
]



def _notifications_hook(notice_ids: list[int]) -> None:
    """New notices become notifications (inbox, e-mail, push, IM by each person's choice)."""
    from talentloop.notifications.bridges import mentoring_notices_deliver

    mentoring_notices_deliver(notice_ids)


# Called after commit with the ids of new ``MentoringNotice`` rows.
DELIVERY_HOOKS: list[Callable[[list[int]], None]] = [_notifications_hook]

# Mentee surveys during and at the end of a plan (effectiveness).
JOBS.append("talentloop.mentoring.services.surveys.send_due_surveys")
