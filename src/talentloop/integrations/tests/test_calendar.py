"""The personal calendar feed: parsed back by a calendar library, with the person's mentoring items,
reviews to write, training sessions and leave; a revoked, renewed or unknown address is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from talentloop.core.access import actor_for
from talentloop.integrations.models import CalendarFeed
from talentloop.integrations.services.calendar import calendar_feed_renew, token_hash

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


def _feed_url(client) -> str:
    response = client.post("/integrations/calendar/")
    assert response.status_code == 200
    import re

    return re.search(r"http://testserver(/integrations/calendar/[-\w]+\.ics)", response.content.decode()).group(1)


def _events(response) -> dict[str, dict]:
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _scene(world):
    """A leave request, a training sign-up, a review to write and a 1:1 for ``employee``."""
    from talentloop.learning.models import ContentItem, TrainingSession, TrainingSignup
    from talentloop.leave.models import LeaveRequest, LeaveType
    from talentloop.performance.models import RaterKind, Review, ReviewCycle

    employee = world.emp(world.employee)
    kind = LeaveType.objects.create(code="annual-test", name="年假", name_en="Annual leave")
    leave = LeaveRequest.objects.create(employee=employee, leave_type=kind, start=dt.date(2026, 3, 9),
                                        end=dt.date(2026, 3, 10), days=Decimal("2"), status="approved")
    pending = LeaveRequest.objects.create(employee=employee, leave_type=kind, start=dt.date(2026, 4, 1),
                                          end=dt.date(2026, 4, 1), days=Decimal("1"), status="pending")
    course = ContentItem.objects.create(title="代码评审", title_en="Code review", kind="course",
                                       body="评审要点")
    zone = timezone.get_default_timezone()
    session = TrainingSession.objects.create(content=course, location="3F",
                                             starts_at=dt.datetime(2026, 3, 5, 14, 0, tzinfo=zone),
                                             ends_at=dt.datetime(2026, 3, 5, 16, 0, tzinfo=zone))
    TrainingSignup.objects.create(session=session, employee=employee)
    cycle = ReviewCycle.objects.create(name="2026 H1", period_key="2026", self_due=dt.date(2026, 3, 20),
                                       manager_due=dt.date(2026, 3, 27), peer_due=dt.date(2026, 3, 25),
                                       status=ReviewCycle.Status.OPEN)
    review = Review.objects.create(cycle=cycle, reviewee=employee, reviewer=employee, kind=RaterKind.SELF,
                                   due=dt.date(2026, 3, 20))
    return {"leave": leave, "pending": pending, "session": session, "review": review}


@time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False)
def test_feed_lists_the_persons_calendar(world, client_for):
    scene = _scene(world)
    url = _feed_url(client_for("employee"))
    response = client_for(None).get(url)  # no session: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response)
    leave = events[f"leave-request-{scene['leave'].pk}@talentloop"]
    assert leave.decoded("DTSTART") == dt.date(2026, 3, 9) and leave.decoded("DTEND") == dt.date(2026, 3, 11)
    assert str(leave["STATUS"]) == "CONFIRMED"
    assert str(events[f"leave-request-{scene['pending'].pk}@talentloop"]["STATUS"]) == "TENTATIVE"
    training = events[f"training-session-{scene['session'].pk}@talentloop"]
    assert training.decoded("DTSTART") == scene["session"].starts_at
    assert "Code review" in str(training["SUMMARY"]) and str(training["LOCATION"]) == "3F"
    review = events[f"review-{scene['review'].pk}@talentloop"]
    assert review.decoded("DTSTART") == dt.date(2026, 3, 20) and "Self review" in str(review["SUMMARY"])
    # Nobody else's entries: the outsider's feed is empty of them.
    other = client_for(None).get(_feed_url(client_for("outsider")))
    assert not _events(other)
    assert CalendarFeed.objects.get(employee=world.emp(world.employee)).last_read_at is not None


@time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False)
def test_mentoring_items_are_in_both_feeds(world, client_for):
    from talentloop.mentoring.models import ItemKind, Mentor, MentoringPlan, PlanItem, PlanStatus, ProgrammeTemplate

    mentor = Mentor.objects.create(employee=world.emp(world.mentor), since=dt.date(2025, 1, 1))
    template = ProgrammeTemplate.objects.create(name="新人辅导", name_en="New hire mentoring")
    plan = MentoringPlan.objects.create(mentor=mentor, mentee=world.emp(world.employee), template=template,
                                        status=PlanStatus.ACTIVE, starts_on=dt.date(2026, 2, 1),
                                        ends_on=dt.date(2026, 7, 31))
    item = PlanItem.objects.create(plan=plan, kind=ItemKind.ONE_TO_ONE, due_on=dt.date(2026, 3, 6))
    done = PlanItem.objects.create(plan=plan, kind=ItemKind.ONE_TO_ONE, sequence=2, due_on=dt.date(2026, 3, 1),
                                   completed_on=dt.date(2026, 3, 1))
    for persona in ("employee", "mentor"):
        events = _events(client_for(None).get(_feed_url(client_for(persona))))
        assert f"mentoring-item-{item.pk}@talentloop" in events
        assert f"mentoring-item-{done.pk}@talentloop" not in events
        assert str(events[f"mentoring-item-{item.pk}@talentloop"]["SUMMARY"]).startswith("1:1 with")


def test_revoked_renewed_and_unknown_addresses_are_404(world, client_for):
    client = client_for("employee")
    first = _feed_url(client)
    assert client_for(None).get(first).status_code == 200
    second = _feed_url(client)  # renewing: the old address stops
    assert client_for(None).get(first).status_code == 404
    assert client_for(None).get(second).status_code == 200
    assert client.post("/integrations/calendar/revoke/").status_code == 302
    assert client_for(None).get(second).status_code == 404
    assert client_for(None).get("/integrations/calendar/not-a-token.ics").status_code == 404
    assert not CalendarFeed.objects.exists()


def test_the_token_is_stored_hashed_and_a_closed_account_reads_nothing(world, client_for):
    feed, token = calendar_feed_renew(actor=actor_for(world.employee))
    assert feed.token_hash == token_hash(token) and token not in feed.token_hash
    world.employee.is_active = False
    world.employee.save()
    assert client_for(None).get(f"/integrations/calendar/{token}.ics").status_code == 404


def test_the_page_needs_an_employee_record(client_for):
    assert client_for("admin").get("/integrations/calendar/").status_code == 404
    assert client_for("employee").get("/integrations/calendar/").status_code == 200
