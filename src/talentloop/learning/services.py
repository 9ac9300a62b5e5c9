"""Every write of the learning app: content, sessions, sign-ups, completions, dismissals and the
behaviour events recommendations learn from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.learning import access, tasks  # tasks imports this module back: use tasks.<name>, never import names
from talentloop.learning.models import (
    MAX_TAG_LENGTH,
    MAX_TAGS,
    TAKING_PLACE,
    Audience,
    BehaviourEvent,
    CompletionVia,
    ContentCompletion,
    ContentItem,
    ContentKind,
    ContentStatus,
    Dismissal,
    SessionStatus,
    SignupStatus,
    TrainingSession,
    TrainingSignup,
    Verb,
)
from talentloop.notifications.services import items_for, notify_each
from talentloop.organisation.models import Employee, JobFamily, OrgUnit

VERBS = frozenset(Verb.values)


def normalise_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Lower-case slugs (Chinese kept), without duplicates, at most MAX_TAGS of MAX_TAG_LENGTH each."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.replace("，", ",").replace("\n", ",").split(",")
    out: list[str] = []
    for raw in tags:
        tag = slugify(str(raw).strip(), allow_unicode=True).lower()[:MAX_TAG_LENGTH].strip("-")
        if tag and tag not in out:
            out.append(tag)
    return out


def _validate(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors."), errors_from_validation(exc)) from exc


# ---------------------------------------------------------------- behaviour events


def _event_rows(events: Iterable[dict]) -> list[BehaviourEvent]:
    rows = []
    now = timezone.now()
    for e in events:
        verb = e.get("verb")
        if verb not in VERBS:
            raise InvalidInput(_("Unknown behaviour."), {"verb": [_("Choose one of: %(verbs)s.")
                                                                   % {"verbs": ", ".join(sorted(VERBS))}]})
        rows.append(BehaviourEvent(employee_id=e["employee_id"], verb=verb, content_id=e.get("content_id"),
                                   tags=normalise_tags(e.get("tags") or ())[:MAX_TAGS],
                                   source=str(e.get("source") or "")[:60], occurred_at=e.get("occurred_at") or now))
    return rows


def behaviour_record(*, employee_id: int, verb: str, content_id: int | None = None, tags: Iterable[str] = (),
                     source: str = "", occurred_at: dt.datetime | None = None) -> None:
    """Record one fact. Called by other apps (work results: verb="submit", tags=["complaint-handling"])
    and by this one; when a content item is named and no tags are given, its tags are copied."""
    behaviour_record_many([{"employee_id": employee_id, "verb": verb, "content_id": content_id, "tags": list(tags),
                            "source": source, "occurred_at": occurred_at}])


def behaviour_from_complaint(sender: object, *, employee_id: int, tags: list[str], source: str,
                             **kwargs: object) -> None:
    """performance.signals.work_result_complaint: a low customer score is a "submit" of complaint handling."""
    behaviour_record(employee_id=employee_id, verb="submit", tags=tags, source=source)


def behaviour_record_many(events: Iterable[dict]) -> int:
    """The set-based form: validates every event, reads the tags of the named content in one query and
    inserts all of them in one statement."""
    events = list(events)
    rows = _event_rows(events)
    missing = {r.content_id for r in rows if r.content_id and not r.tags}
    if missing:
        tags_of = dict(ContentItem.objects.filter(pk__in=missing).values_list("pk", "tags"))
        for r in rows:
            if r.content_id and not r.tags:
                r.tags = list(tags_of.get(r.content_id) or [])[:MAX_TAGS]
    BehaviourEvent.objects.bulk_create(rows)
    cache.bump_people(r.employee_id for r in rows)  # bulk_create sends no post_save
    return len(rows)


def _self(actor: Actor) -> Employee:
    if not access.can_learn(actor):
        raise PermissionDenied(_("Only a person with an employee record can do this."))
    return actor.employee  # type: ignore[return-value]


def content_open(*, actor: Actor, content: ContentItem) -> None:
    """Opening an item is a behaviour event of the reader (not recorded for technical accounts)."""
    if actor.employee is None or content.status != ContentStatus.PUBLISHED:
        return
    behaviour_record(employee_id=actor.employee.pk, verb=Verb.OPEN, content_id=content.pk, tags=content.tags,
                     source="library")


def behaviour_record_for_self(*, actor: Actor, verb: str, content: ContentItem, source: str = "app") -> None:
    """What the app reports (POST /events): only the person's own events, on content they may see."""
    employee = _self(actor)
    if verb not in (Verb.OPEN, Verb.SUBMIT):
        raise InvalidInput(_("This behaviour is recorded by its own action."),
                           {"verb": [_("Only “open” and “submit” are accepted here.")]})
    behaviour_record(employee_id=employee.pk, verb=verb, content_id=content.pk, tags=content.tags,
                     source=source or "app")


# ---------------------------------------------------------------- content


def _set_audience(item: ContentItem, org_units: list[OrgUnit] | None, job_families: list[JobFamily] | None) -> None:
    if item.audience == Audience.ORG_UNITS:
        item.org_units.set(org_units or [])
    else:
        item.org_units.clear()
    if item.audience == Audience.JOB_FAMILIES:
        item.job_families.set(job_families or [])
    else:
        item.job_families.clear()


def _check_audience(audience: str, org_units: Iterable[OrgUnit] | None,
                    job_families: Iterable[JobFamily] | None) -> None:
    if audience == Audience.ORG_UNITS and not org_units:
        raise InvalidInput(_("Choose at least one org unit."), {"org_units": [_("Choose at least one org unit.")]})
    if audience == Audience.JOB_FAMILIES and not job_families:
        raise InvalidInput(_("Choose at least one job family."),
                           {"job_families": [_("Choose at least one job family.")]})


FIELDS = ("kind", "title", "title_en", "summary", "summary_en", "url", "body", "audience", "duration_minutes")


@transaction.atomic
def content_create(*, actor: Actor, kind: str, title: str, title_en: str = "", summary: str = "",
                   summary_en: str = "", url: str = "", body: str = "", tags: Iterable[str] | str = (),
                   audience: str = Audience.EVERYONE, org_units: list[OrgUnit] | None = None,
                   job_families: list[JobFamily] | None = None, duration_minutes: int | None = None,
                   publish: bool = False) -> ContentItem:
    if not access.can_create_content(actor, kind):
        raise PermissionDenied(_("You may not publish this kind of content."))
    _check_audience(audience, org_units, job_families)
    item = ContentItem(kind=kind, title=title.strip(), title_en=title_en.strip(), summary=summary.strip(),
                       summary_en=summary_en.strip(), url=url.strip(), body=body.strip(), tags=normalise_tags(tags),
                       audience=audience, duration_minutes=duration_minutes, author=actor.user)
    if publish:
        item.status = ContentStatus.PUBLISHED
        item.published_at = timezone.now()
    _validate(item)
    item.save()
    _set_audience(item, org_units, job_families)
    audit_record(actor=actor, action="create", obj=item, summary="content",
                 changes={"title": item.title, "kind": item.kind, "status": item.status})
    if publish:
        _announce_published(item)
    return item


@transaction.atomic
def content_update(*, actor: Actor, content: ContentItem, org_units: list[OrgUnit] | None = None,
                   job_families: list[JobFamily] | None = None, tags: Iterable[str] | str | None = None,
                   **changes: Any) -> ContentItem:
    if not access.can_edit_content(actor, content):
        raise PermissionDenied(_("You may not change this item."))
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields."), {f: [_("Unknown field.")] for f in sorted(unknown)})
    if "kind" in changes and not access.can_create_content(actor, changes["kind"]):
        raise PermissionDenied(_("You may not publish this kind of content."))
    content = ContentItem.objects.select_for_update().get(pk=content.pk)
    before = {"title": content.title, "status": content.status}
    for field, value in changes.items():
        if value is None and field != "duration_minutes":
            continue
        setattr(content, field, value.strip() if isinstance(value, str) else value)
    if tags is not None:
        content.tags = normalise_tags(tags)
    units = org_units if org_units is not None else list(content.org_units.all())
    families = job_families if job_families is not None else list(content.job_families.all())
    _check_audience(content.audience, units, families)
    _validate(content)
    content.save()
    _set_audience(content, units, families)
    after = {"title": content.title, "status": content.status}
    audit_record(actor=actor, action="update", obj=content, changes={"before": before, "after": after})
    return content


@transaction.atomic
def content_publish(*, actor: Actor, content: ContentItem) -> ContentItem:
    if not access.can_edit_content(actor, content):
        raise PermissionDenied(_("You may not change this item."))
    if content.status == ContentStatus.PUBLISHED:
        raise Conflict(_("This item is already published."))
    content.status = ContentStatus.PUBLISHED
    content.published_at = content.published_at or timezone.now()
    _validate(content)
    content.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="update", obj=content, summary="published", changes={"status": content.status})
    _announce_published(content)
    return content


@transaction.atomic
def content_archive(*, actor: Actor, content: ContentItem) -> ContentItem:
    """Archived items leave the library and recommendations; completions and history stay."""
    if not access.can_edit_content(actor, content):
        raise PermissionDenied(_("You may not change this item."))
    content.status = ContentStatus.ARCHIVED
    content.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="update", obj=content, summary="archived", changes={"status": content.status})
    return content


def _announce_published(item: ContentItem) -> None:
    """Team-level news (group-safe, names nobody) to the group bots of the units it is meant for."""
    if item.audience != Audience.ORG_UNITS:
        return
    unit_ids = list(item.org_units.values_list("pk", flat=True))
    data = {"content_id": item.pk, "title": item.title, "title_en": item.title_en, "kind": item.kind}

    transaction.on_commit(lambda: tasks.post_content_published(unit_ids, data))


@transaction.atomic
def content_complete(*, actor: Actor, content: ContentItem, via: str = CompletionVia.SELF) -> ContentCompletion:
    """Self-paced "I finished this" (idempotent: a second call returns the first completion)."""
    employee = _self(actor)
    if content.status != ContentStatus.PUBLISHED:
        raise Conflict(_("Only published items can be completed."))
    completion, created = ContentCompletion.objects.get_or_create(
        employee=employee, content=content, defaults={"completed_at": timezone.now(), "via": via})
    if created:
        behaviour_record(employee_id=employee.pk, verb=Verb.COMPLETE, content_id=content.pk, tags=content.tags,
                         source=via)
    return completion


@transaction.atomic
def recommendation_dismiss(*, actor: Actor, content: ContentItem) -> Dismissal:
    """The item never comes back, and its tags weigh less for a while (a "dismiss" event)."""
    employee = _self(actor)
    dismissal, created = Dismissal.objects.get_or_create(employee=employee, content=content,
                                                         defaults={"at": timezone.now()})
    if created:
        behaviour_record(employee_id=employee.pk, verb=Verb.DISMISS, content_id=content.pk, tags=content.tags,
                         source="recommendations")
    return dismissal


# ---------------------------------------------------------------- sessions


@transaction.atomic
def session_create(*, actor: Actor, content: ContentItem, starts_at: dt.datetime, ends_at: dt.datetime,
                   location: str = "", online_url: str = "", capacity: int | None = None,
                   organiser: Employee | None = None) -> TrainingSession:
    if not access.can_manage_sessions(actor):
        raise PermissionDenied(_("Only HR schedules training sessions."))
    if content.kind != ContentKind.COURSE:
        raise InvalidInput(_("Sessions are for courses."), {"content": [_("Choose a course.")]})
    if content.status != ContentStatus.PUBLISHED:
        raise InvalidInput(_("Publish the course first."), {"content": [_("Publish the course first.")]})
    if starts_at and starts_at <= timezone.now():
        raise InvalidInput(_("A session is scheduled in the future."),
                           {"starts_at": [_("Choose a time in the future.")]})
    session = TrainingSession(content=content, starts_at=starts_at, ends_at=ends_at, location=location.strip(),
                              online_url=online_url.strip(), capacity=capacity, organiser=organiser,
                              created_by=actor.user)
    _validate(session)
    session.save()
    audit_record(actor=actor, action="create", obj=session,
                 changes={"content": content.pk, "starts_at": starts_at.isoformat()})
    _announce_session(session)
    return session


def _announce_session(session: TrainingSession) -> None:
    """Tell the people who showed interest in the course (opened it lately) that a session is on."""
    since = timezone.now() - dt.timedelta(days=90)
    interested = list(BehaviourEvent.objects.filter(content_id=session.content_id, occurred_at__gte=since)
                      .values_list("employee_id", flat=True).distinct()[:5000])
    data = {"session_id": session.pk, "title": session.content.title, "title_en": session.content.title_en,
            "starts_at": session.starts_at.isoformat()}
    if not interested:
        return
    notify_each(kind="training_scheduled",
                items=items_for(interested, data, f"/learning/sessions/{session.pk}/", f"session-{session.pk}"))


@transaction.atomic
def session_cancel(*, actor: Actor, session: TrainingSession) -> TrainingSession:
    if not access.can_manage_sessions(actor):
        raise PermissionDenied(_("Only HR cancels training sessions."))
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("This session is already cancelled."))
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    audit_record(actor=actor, action="update", obj=session, summary="cancelled", changes={"status": session.status})
    return session


@transaction.atomic
def session_signup(*, actor: Actor, session: TrainingSession) -> TrainingSignup:
    employee = _self(actor)
    # Lock the session so two last-place sign-ups cannot both succeed.
    session = TrainingSession.objects.select_for_update().select_related("content").get(pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        raise Conflict(_("This session was cancelled."))
    if session.starts_at <= timezone.now():
        raise Conflict(_("This session has already started."))
    if not access.audience_content(actor).filter(pk=session.content_id).exists():
        # Seen by HR's privilege, but not meant for them as a person.
        raise PermissionDenied(_("This session is not open to you."))
    signup = TrainingSignup.objects.filter(session=session, employee=employee).first()
    if signup is not None and signup.status in TAKING_PLACE:
        return signup
    if session.capacity is not None:
        taken = TrainingSignup.objects.filter(session=session, status__in=TAKING_PLACE).count()
        if taken >= session.capacity:
            raise Conflict(_("This session is full (%(n)d places).") % {"n": session.capacity})
    if signup is None:
        try:
            with transaction.atomic():
                signup = TrainingSignup.objects.create(session=session, employee=employee)
        except IntegrityError as exc:
            raise Conflict(_("You are already signed up.")) from exc
    else:
        signup.status = SignupStatus.SIGNED_UP
        signup.save(update_fields=["status", "updated_at"])
    behaviour_record(employee_id=employee.pk, verb=Verb.SIGNUP, content_id=session.content_id,
                     tags=session.content.tags, source="session")
    return signup


@transaction.atomic
def session_cancel_signup(*, actor: Actor, session: TrainingSession) -> TrainingSignup:
    employee = _self(actor)
    signup = TrainingSignup.objects.select_for_update().filter(session=session, employee=employee).first()
    if signup is None or signup.status != SignupStatus.SIGNED_UP:
        raise Conflict(_("You are not signed up for this session."))
    if session.starts_at <= timezone.now():
        raise Conflict(_("This session has already started."))
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status", "updated_at"])
    return signup


@transaction.atomic
def session_mark_attendance(*, actor: Actor, session: TrainingSession, attended: Iterable[int],
                            no_show: Iterable[int] = ()) -> dict[str, int]:
    """Set-based: the signed-up people listed as attended complete the course (via "session")."""
    if not access.can_mark_attendance(actor, session):
        raise PermissionDenied(_("Only HR and the organiser mark attendance."))
    if session.starts_at > timezone.now():
        raise Conflict(_("Attendance is marked once the session has started."))
    attended, no_show = set(attended), set(no_show)
    both = attended & no_show
    if both:
        raise InvalidInput(_("A person is either present or absent."),
                           {"attended": [_("Listed as present and absent: %(ids)s") % {
                               "ids": ", ".join(str(i) for i in sorted(both))}]})
    signups = {s.employee_id: s for s in TrainingSignup.objects.select_for_update()
               .filter(session=session, employee_id__in=attended | no_show)
               .exclude(status=SignupStatus.CANCELLED)}
    unknown = (attended | no_show) - set(signups)
    if unknown:
        raise InvalidInput(_("Only people signed up can be marked."),
                           {"attended": [_("Not signed up: %(ids)s")
                                         % {"ids": ", ".join(str(i) for i in sorted(unknown))}]})
    now = timezone.now()
    changed = []
    for emp_id, s in signups.items():
        s.status = SignupStatus.ATTENDED if emp_id in attended else SignupStatus.NO_SHOW
        s.completed_at = now if emp_id in attended else None
        changed.append(s)
    TrainingSignup.objects.bulk_update(changed, ["status", "completed_at"])
    already = set(ContentCompletion.objects.filter(content_id=session.content_id, employee_id__in=attended)
                  .values_list("employee_id", flat=True))
    new = sorted(attended - already)
    ContentCompletion.objects.bulk_create(
        [ContentCompletion(employee_id=e, content_id=session.content_id, completed_at=now, via=CompletionVia.SESSION)
         for e in new], ignore_conflicts=True)
    cache.bump_people(new)
    behaviour_record_many([{"employee_id": e, "verb": Verb.COMPLETE, "content_id": session.content_id,
                            "tags": session.content.tags, "source": "session"} for e in new])
    audit_record(actor=actor, action="execute", obj=session, summary="attendance",
                 changes={"attended": len(attended), "no_show": len(no_show)})
    return {"attended": len(attended), "no_show": len(no_show), "completed": len(new)}


def training_reminders_send(*, today: dt.date | None = None) -> int:
    """The day before a session, remind each person signed up (once: dedupe "session-<id>")."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    sessions = list(TrainingSession.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gte=start,
                                                   starts_at__lt=end).select_related("content"))
    if not sessions:
        return 0
    people: dict[int, list[int]] = {}
    for session_id, emp_id in TrainingSignup.objects.filter(session__in=sessions, status=SignupStatus.SIGNED_UP) \
            .values_list("session_id", "employee_id"):
        people.setdefault(session_id, []).append(emp_id)
    sent = 0
    with transaction.atomic():
        for session in sessions:
            recipients = people.get(session.pk)
            if not recipients:
                continue
            sent += notify_each(kind="training_reminder", items=items_for(
                recipients, {"session_id": session.pk, "title": session.content.title,
                             "title_en": session.content.title_en, "starts_at": session.starts_at.isoformat(),
                             "location": session.location or session.online_url},
                f"/learning/sessions/{session.pk}/", f"session-{session.pk}"))
        TrainingSession.objects.filter(pk__in=[s.pk for s in sessions]).update(reminded_on=today)
    return sent
