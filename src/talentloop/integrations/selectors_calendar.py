"""What a person's calendar feed lists, read through each app's own selectors with the person's own
access: mentoring items of their plans (1:1s as mentor or mentee, skill assessments, reports), the
reviews they have to write, the training sessions they signed up for, and their leave. Interviews will
join when recruiting exists.

The feed is rendered as iCalendar (RFC 5545) by the ``icalendar`` library; each entry has a stable UID,
so a calendar app updates an entry instead of duplicating it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from talentloop.core.access import Actor
from talentloop.integrations.models import CalendarFeed
from talentloop.learning import selectors as learning
from talentloop.leave.selectors import requests as leave
from talentloop.mentoring import selectors as mentoring
from talentloop.mentoring.models import ItemKind
from talentloop.performance import selectors_reviews as reviews

PAST_DAYS = 90
FUTURE_DAYS = 365
PRODID = "-//Talentloop//Calendar feed//EN"


@dataclass(frozen=True)
class Entry:
    uid: str
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime  # exclusive: the day after an all-day entry
    description: str = ""
    location: str = ""
    tentative: bool = False


def calendar_feed_for_token(token_hash: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("employee__user").filter(token_hash=token_hash).first()


def calendar_feed_of(actor: Actor) -> CalendarFeed | None:
    if actor.employee is None:
        return None
    return CalendarFeed.objects.filter(employee=actor.employee).first()


def _local(obj: object, field: str = "name") -> str:
    """The English name in English when there is one, else the name."""
    english = getattr(obj, f"{field}_en", "")
    return str(english if translation.get_language() == "en" and english else getattr(obj, field))


def _name(employee: object) -> str:
    return _local(employee)


def _mentoring(actor: Actor, start: dt.date, end: dt.date) -> list[Entry]:
    entries = []
    me = actor.employee.pk if actor.employee is not None else None
    for item in mentoring.calendar_items(actor, start=start, end=end):
        plan = item.plan
        other = plan.mentor.employee if plan.mentee_id == me else plan.mentee
        if item.kind == ItemKind.ONE_TO_ONE:
            summary = _("1:1 with %(name)s") % {"name": _name(other)}
        elif item.kind == ItemKind.SKILL_ASSESSMENT:
            summary = _("Skill assessment (mentoring with %(name)s)") % {"name": _name(other)}
        else:
            summary = _("Mentoring results report (with %(name)s)") % {"name": _name(other)}
        entries.append(Entry(f"mentoring-item-{item.pk}@talentloop", summary, item.due_on,
                             item.due_on + dt.timedelta(days=1)))
    return entries


def _reviews(actor: Actor, start: dt.date, end: dt.date) -> list[Entry]:
    entries = []
    for review in reviews.my_review_queryset(actor, reviews.MyReviewFilters(show="to_write")):
        due = review.due or review.cycle.due_for(review.kind)
        if due is None or not start <= due <= end:
            continue
        if review.reviewee_id == review.reviewer_id:
            summary = _("Self review due (%(cycle)s)") % {"cycle": review.cycle.name}
        else:
            summary = _("Review of %(name)s due (%(cycle)s)") % {"name": _name(review.reviewee),
                                                                "cycle": review.cycle.name}
        entries.append(Entry(f"review-{review.pk}@talentloop", summary, due, due + dt.timedelta(days=1)))
    return entries


def _trainings(actor: Actor, start: dt.date, end: dt.date) -> list[Entry]:
    zone = timezone.get_default_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    entries = []
    for signup in learning.calendar_signups(actor, start=since, end=until):
        session = signup.session
        entries.append(Entry(f"training-session-{session.pk}@talentloop",
                             _("Training: %(title)s") % {"title": _local(session.content, "title")},
                             session.starts_at, session.ends_at, description=session.online_url,
                             location=session.location or session.online_url))
    return entries


def _leave(actor: Actor, start: dt.date, end: dt.date) -> list[Entry]:
    entries = []
    for request in leave.leave_request_list(actor, mine=True, start=start, end=end):
        if request.status not in ("approved", "pending"):
            continue
        summary = _("Leave: %(type)s") % {"type": _local(request.leave_type)}
        if request.status == "pending":
            summary = _("%(summary)s (waiting for approval)") % {"summary": summary}
        entries.append(Entry(f"leave-request-{request.pk}@talentloop", summary, request.start,
                             request.end + dt.timedelta(days=1), tentative=request.status == "pending"))
    return entries


def calendar_entries(actor: Actor, today: dt.date | None = None) -> list[Entry]:
    """The person's entries from ``PAST_DAYS`` ago to ``FUTURE_DAYS`` ahead, in date order."""
    today = today or timezone.localdate()
    start, end = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
    entries = (_mentoring(actor, start, end) + _reviews(actor, start, end) + _trainings(actor, start, end)
               + _leave(actor, start, end))

    def key(entry: Entry) -> tuple[str, str]:
        return (entry.start.isoformat(), entry.uid)

    return sorted(entries, key=key)


def calendar_ics(actor: Actor, today: dt.date | None = None) -> bytes:
    """The feed as an iCalendar document, in the person's language."""
    user = actor.user
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        entries = calendar_entries(actor, today)
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Talentloop"))
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
        for entry in entries:
            event = Event()
            event.add("uid", entry.uid)
            event.add("dtstamp", stamp)
            event.add("summary", entry.summary)
            event.add("dtstart", entry.start)
            event.add("dtend", entry.end)
            if entry.location:
                event.add("location", entry.location)
            if entry.description:
                event.add("description", entry.description)
            event.add("status", "TENTATIVE" if entry.tentative else "CONFIRMED")
            event.add("transp", "OPAQUE" if entry.uid.startswith(("leave", "training")) else "TRANSPARENT")
            calendar.add_component(event)
    return calendar.to_ical()
