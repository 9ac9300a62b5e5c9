"""Rules of the learning services: who publishes what, validation, capacity, attendance, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from talentloop.core.access import actor_for
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.learning import access, selectors, services
from talentloop.learning.models import BehaviourEvent, ContentCompletion, TrainingSignup
from talentloop.learning.tests.factories import ContentItemFactory, TrainingSessionFactory, TrainingSignupFactory

pytestmark = pytest.mark.django_db


def test_hr_publishes_a_course_with_normalised_tags(world):
    hr = actor_for(world.hr)
    item = services.content_create(actor=hr, kind="course", title="Python 入门", url="https://x.example/py",
                                   tags="Python, Code Review，python, 代码评审", publish=True)
    assert item.tags == ["python", "code-review", "代码评审"]
    assert item.tag_index == ",python,code-review,代码评审,"
    assert item.status == "published" and item.published_at is not None


def test_a_link_or_a_text_is_required(world):
    with pytest.raises(InvalidInput) as exc:
        services.content_create(actor=actor_for(world.hr), kind="article", title="Empty")
    assert "url" in exc.value.errors


def test_the_org_unit_audience_needs_units(world):
    with pytest.raises(InvalidInput) as exc:
        services.content_create(actor=actor_for(world.hr), kind="article", title="x", body="y", audience="org_units")
    assert "org_units" in exc.value.errors


def test_mentors_publish_resources_and_articles_but_not_courses(world):
    mentor = actor_for(world.mentor)
    resource = services.content_create(actor=mentor, kind="resource", title="1:1 guide", body="…",
                                       audience="mentors", publish=True)
    assert resource.author == world.mentor
    with pytest.raises(PermissionDenied):
        services.content_create(actor=mentor, kind="course", title="c", body="b")
    with pytest.raises(PermissionDenied):
        services.content_create(actor=actor_for(world.employee), kind="article", title="c", body="b")
    # The mentor edits their own item, not HR's.
    services.content_update(actor=mentor, content=resource, title="1:1 guide v2")
    hr_item = ContentItemFactory(kind="article", author=world.hr)
    with pytest.raises(PermissionDenied):
        services.content_update(actor=mentor, content=hr_item, title="mine now")


def test_resources_are_only_for_mentors_and_hr(world):
    resource = ContentItemFactory(kind="resource", audience="everyone")
    assert not access.visible_content(actor_for(world.employee)).filter(pk=resource.pk).exists()
    assert access.visible_content(actor_for(world.mentor)).filter(pk=resource.pk).exists()
    assert [r.pk for r in selectors.resource_list(actor_for(world.mentor))] == [resource.pk]
    assert selectors.resource_list(actor_for(world.employee)) == []


def test_drafts_are_seen_by_their_author_and_hr_only(world):
    draft = ContentItemFactory(kind="article", status="draft", author=world.mentor)
    assert access.visible_content(actor_for(world.mentor)).filter(pk=draft.pk).exists()
    assert access.visible_content(actor_for(world.hr)).filter(pk=draft.pk).exists()
    assert not access.visible_content(actor_for(world.employee)).filter(pk=draft.pk).exists()


def test_behaviour_record_validates_the_verb_and_truncates_tags(world):
    me = world.emp(world.employee)
    with pytest.raises(InvalidInput):
        services.behaviour_record(employee_id=me.pk, verb="like")
    services.behaviour_record(employee_id=me.pk, verb="submit", tags=[f"Tag {i}" for i in range(30)] + ["x" * 99],
                              source="work-result")
    event = BehaviourEvent.objects.get(employee=me)
    assert len(event.tags) == 12 and event.tags[0] == "tag-0"
    # Content tags are copied when none are given.
    item = ContentItemFactory(tags=["sql"])
    services.behaviour_record(employee_id=me.pk, verb="open", content_id=item.pk)
    assert BehaviourEvent.objects.filter(employee=me, verb="open").get().tags == ["sql"]


def test_the_app_records_only_open_and_submit_for_oneself(world):
    item = ContentItemFactory()
    services.behaviour_record_for_self(actor=actor_for(world.employee), verb="open", content=item)
    with pytest.raises(InvalidInput):
        services.behaviour_record_for_self(actor=actor_for(world.employee), verb="complete", content=item)
    with pytest.raises(PermissionDenied):
        services.behaviour_record_for_self(actor=actor_for(world.admin), verb="open", content=item)


def test_completing_is_idempotent_and_feeds_completed_content(world):
    actor, me = actor_for(world.employee), world.emp(world.employee)
    item = ContentItemFactory()
    first = services.content_complete(actor=actor, content=item)
    again = services.content_complete(actor=actor, content=item)
    assert first.pk == again.pk
    assert BehaviourEvent.objects.filter(employee=me, verb="complete").count() == 1
    other = world.emp(world.outsider)
    assert selectors.completed_content([me.pk, other.pk]) == {me.pk: {item.pk}, other.pk: set()}


def test_signup_respects_capacity_with_a_clear_error(world):
    session = TrainingSessionFactory(capacity=1)
    services.session_signup(actor=actor_for(world.employee), session=session)
    with pytest.raises(Conflict) as exc:
        services.session_signup(actor=actor_for(world.outsider), session=session)
    assert "full" in exc.value.detail
    # A cancelled place frees the seat.
    services.session_cancel_signup(actor=actor_for(world.employee), session=session)
    services.session_signup(actor=actor_for(world.outsider), session=session)
    # The freed seat is taken again, so the first person cannot come back; their row is kept.
    with pytest.raises(Conflict):
        services.session_signup(actor=actor_for(world.employee), session=session)
    assert TrainingSignup.objects.filter(session=session).count() == 2


def test_no_signup_for_past_cancelled_or_invisible_sessions(world):
    employee = actor_for(world.employee)
    past = TrainingSessionFactory(starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(Conflict):
        services.session_signup(actor=employee, session=past)
    cancelled = TrainingSessionFactory(status="cancelled")
    with pytest.raises(Conflict):
        services.session_signup(actor=employee, session=cancelled)
    sales_only = ContentItemFactory(audience="org_units")
    sales_only.org_units.set([world.sales])
    with pytest.raises(PermissionDenied):
        services.session_signup(actor=employee, session=TrainingSessionFactory(content=sales_only))


def test_sessions_are_scheduled_by_hr_for_published_courses_in_the_future(world):
    hr, course = actor_for(world.hr), ContentItemFactory()
    start = timezone.now() + dt.timedelta(days=2)
    with pytest.raises(PermissionDenied):
        services.session_create(actor=actor_for(world.mentor), content=course, starts_at=start,
                                ends_at=start + dt.timedelta(hours=1), location="A")
    with pytest.raises(InvalidInput) as exc:
        services.session_create(actor=hr, content=course, starts_at=start, ends_at=start, location="A")
    assert "ends_at" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        services.session_create(actor=hr, content=course, starts_at=start, ends_at=start + dt.timedelta(hours=1))
    assert "location" in exc.value.errors
    with pytest.raises(InvalidInput):
        services.session_create(actor=hr, content=ContentItemFactory(kind="article"), starts_at=start,
                                ends_at=start + dt.timedelta(hours=1), location="A")
    session = services.session_create(actor=hr, content=course, starts_at=start,
                                      ends_at=start + dt.timedelta(hours=1), online_url="https://meet.example/1")
    assert session.status == "scheduled"


def test_attendance_completes_the_course_for_those_present(world):
    session = TrainingSessionFactory(starts_at=timezone.now() - dt.timedelta(hours=3),
                                     ends_at=timezone.now() - dt.timedelta(hours=1),
                                     organiser=world.emp(world.lead))
    me, other = world.emp(world.employee), world.emp(world.outsider)
    TrainingSignupFactory(session=session, employee=me)
    TrainingSignupFactory(session=session, employee=other)
    with pytest.raises(PermissionDenied):
        services.session_mark_attendance(actor=actor_for(world.employee), session=session, attended=[me.pk])
    with pytest.raises(InvalidInput):
        services.session_mark_attendance(actor=actor_for(world.hr), session=session,
                                         attended=[world.emp(world.manager).pk])
    result = services.session_mark_attendance(actor=actor_for(world.lead), session=session, attended=[me.pk],
                                              no_show=[other.pk])
    assert result == {"attended": 1, "no_show": 1, "completed": 1}
    assert ContentCompletion.objects.get(employee=me).via == "session"
    assert not ContentCompletion.objects.filter(employee=other).exists()
    assert TrainingSignup.objects.get(employee=other).status == "no_show"
    # Marking again does not complete twice.
    again = services.session_mark_attendance(actor=actor_for(world.hr), session=session, attended=[me.pk])
    assert again["completed"] == 0


def test_training_this_week_shows_open_and_signed_up_sessions(world):
    actor, me = actor_for(world.employee), world.emp(world.employee)
    soon = TrainingSessionFactory(starts_at=timezone.now() + dt.timedelta(days=2))
    TrainingSessionFactory(starts_at=timezone.now() + dt.timedelta(days=12))
    services.session_signup(actor=actor, session=soon)
    rows = selectors.training_this_week(actor, me)
    assert [(s.pk, s.signed_up) for s in rows] == [(soon.pk, True)]
    assert selectors.training_this_week(actor_for(world.hr), me) == []


def test_reminders_go_the_day_before_once(world):
    from talentloop.notifications.models import Notification

    tomorrow_noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    session = TrainingSessionFactory(starts_at=tomorrow_noon)
    later = TrainingSessionFactory(starts_at=tomorrow_noon + dt.timedelta(days=3))
    me = world.emp(world.employee)
    TrainingSignupFactory(session=session, employee=me)
    TrainingSignupFactory(session=later, employee=me)
    TrainingSignupFactory(session=session, employee=world.emp(world.outsider), status="cancelled")

    assert services.training_reminders_send(today=timezone.localdate()) == 1
    assert services.training_reminders_send(today=timezone.localdate()) == 0
    rows = Notification.objects.filter(kind="training_reminder")
    assert [r.recipient_id for r in rows] == [me.pk]


def test_new_hire_content_is_for_new_hires_only(world):
    from talentloop.testing.factories import EmployeeFactory, UserFactory

    item = ContentItemFactory(audience="new_hires")
    newcomer = UserFactory(username="newcomer")
    EmployeeFactory(user=newcomer, org_unit=world.platform, job_family=world.engineering,
                    hire_date=timezone.localdate() - dt.timedelta(days=20))
    assert access.visible_content(actor_for(newcomer)).filter(pk=item.pk).exists()
    assert not access.visible_content(actor_for(world.employee)).filter(pk=item.pk).exists()


def test_hr_sees_aggregates_without_names(world):
    item = ContentItemFactory()
    for user in (world.employee, world.outsider):
        services.content_open(actor=actor_for(user), content=item)
    services.content_complete(actor=actor_for(world.employee), content=item)
    rows = selectors.content_stats(actor_for(world.hr))
    assert rows == [{"content_id": item.pk, "opens": 2, "completions": 1, "dismissals": 0, "people": 2,
                     "content": item}]
    assert selectors.content_stats(actor_for(world.employee)) == []


def test_the_kept_catalogue_applies_the_same_audience_rule_as_the_database(world):
    """audience_entries (Python over the catalogue kept per process) and audience_content (SQL) must
    agree for every persona and every kind of audience, and follow a change at once."""
    from talentloop.learning.access import audience_content, audience_entries

    items = [ContentItemFactory(audience=a) for a in ("everyone", "mentors", "new_hires", "org_units", "org_units",
                                                      "job_families", "job_families")]
    items.append(ContentItemFactory(kind="resource", audience="everyone"))
    items.append(ContentItemFactory(kind="resource", audience="mentors"))
    items.append(ContentItemFactory(status="draft"))
    items[3].org_units.set([world.rnd])
    items[4].org_units.set([world.sales])
    items[5].job_families.set([world.engineering])
    items[6].job_families.set([world.sales_family])

    def both(user):
        actor = actor_for(user)
        return ({e.id for e in audience_entries(actor)}, set(audience_content(actor).values_list("id", flat=True)))

    for user in (world.admin, world.hr, world.manager, world.lead, world.mentor, world.employee, world.outsider):
        kept, database = both(user)
        assert kept == database, user.username
    kept, _database = both(world.employee)
    assert items[3].pk in kept and items[4].pk not in kept and items[5].pk in kept and items[6].pk not in kept
    items[4].org_units.add(world.platform)  # the employee's own unit
    assert items[4].pk in both(world.employee)[0]
    items[0].status = "archived"
    items[0].save()
    assert items[0].pk not in both(world.employee)[0]
