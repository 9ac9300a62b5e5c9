"""notify(): bulk and set-based, deduplicated; delivery planning from preferences, kind defaults,
channel availability and quiet hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.notifications import kinds as K
from talentloop.notifications.models import Delivery, Notification, NotificationPreference, QuietHours
from talentloop.notifications.services import (
    Item,
    notify_each,
    preferences_update,
    quiet_hours_set,
)
from talentloop.notifications.tests.factories import notify, prefer
from talentloop.organisation.models import EmploymentStatus
from talentloop.testing.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PRAISE = {"giver": "王芳", "giver_en": "Wang Fang", "kind": "praise"}
ALERT = {"person": "李雷", "person_en": "Li Lei", "metric": "响应时间", "metric_en": "Response time",
         "baseline": "1.00 h", "current": "3.00 h", "window": "2026-03", "change_pct": "200.00"}
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_notify_creates_the_set_in_one_insert_with_text_in_the_organisations_language(world):
    people = [world.emp(world.employee).pk, world.emp(world.lead).pk, world.emp(world.mentor).pk]
    with CaptureQueriesContext(connection) as queries:
        created = notify(recipients=people + [people[0]], kind="feedback_received", data=PRAISE,
                         link="/performance/feedback/")
    assert created == 3
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "notifications_notification"')]
    assert len(inserts) == 1
    rows = list(Notification.objects.filter(recipient_id__in=people))
    assert {r.recipient_id for r in rows} == set(people)
    # LANGUAGE_CODE is "en" in the test settings: the stored text is English; the page re-renders.
    assert {r.text for r in rows} == {"Wang Fang gave you praise."}
    with translation.override("zh-hans"):
        assert "王芳" in rows[0].message


def test_dedupe_key_skips_people_already_told_and_only_them(world):
    a, b = world.emp(world.employee).pk, world.emp(world.lead).pk
    assert notify(recipients=[a], kind="feedback_received", data=PRAISE, dedupe_key="feedback:1") == 1
    assert notify(recipients=[a, b], kind="feedback_received", data=PRAISE, dedupe_key="feedback:1") == 1
    assert notify(recipients=[a, b], kind="feedback_received", data=PRAISE, dedupe_key="feedback:1") == 0
    # Another key, or no key, is a new notification.
    assert notify(recipients=[a], kind="feedback_received", data=PRAISE, dedupe_key="feedback:2") == 1
    assert notify(recipients=[a], kind="feedback_received", data=PRAISE) == 1
    assert notify(recipients=[a], kind="feedback_received", data=PRAISE) == 1
    assert Notification.objects.filter(recipient_id=a).count() == 4


def test_per_person_data_in_one_call_and_bad_calls(world):
    a, b = world.emp(world.employee).pk, world.emp(world.lead).pk
    created = notify_each(kind="score_updated", items=[Item(a, {"period": "2026-03", "total": "81.50"}, "", "x"),
                                                       Item(b, {"period": "2026-03", "total": "90.00"}, "", "y")])
    assert created == 2
    assert Notification.objects.get(recipient_id=b).text == "Your score for 2026-03 is now 90.00."
    with pytest.raises(ValueError):
        notify(recipients=[a], kind="no-such-kind", data={})
    with pytest.raises(KeyError):  # data not enough for the kind's sentence
        notify(recipients=[a], kind="score_updated", data={"period": "2026-03"})
    assert notify(recipients=[], kind="feedback_received", data=PRAISE) == 0


def test_people_who_left_are_not_notified(world):
    gone = EmployeeFactory(status=EmploymentStatus.TERMINATED)
    assert notify(recipients=[gone.pk, world.emp(world.employee).pk], kind="feedback_received", data=PRAISE) == 1


def test_every_kind_renders_in_both_languages_from_its_data():
    samples = {
        "feedback_received": PRAISE, "feedback_requested": {"requester": "王芳", "requester_en": "Wang Fang"},
        "score_updated": {"period": "2026-03", "total": "81.50"}, "alert_opened": ALERT,
        "root_cause_review": {"unit": "平台组", "unit_en": "Platform", "metric": "m", "periods": 3,
                              "period": "2026-03", "cause": "unclear"},
        "review_cycle_open": {"cycle": "2026 上半年", "self_due": "2026-07-10"},
        "plan_submitted": {"mentee": "李雷", "mentee_en": "Li Lei"},
        "plan_approved": {"decision": "approved", "template": "新员工融入", "comment": ""},
        "plan_returned": {"decision": "returned", "template": "新员工融入", "comment": "加一个主题"},
        "session_due": {"item_kind": "one_to_one", "due_on": "2026-03-20", "days": 3, "other": "李雷"},
        "item_overdue": {"item_kind": "one_to_one", "due_on": "2026-03-20", "mentor": "王芳", "mentee": "李雷"},
        "mentoring_invitation": {"message": ""}, "application_decided": {"decision": "rejected", "reason": "r"},
        "survey_due": {"closes_on": "2026-04-01"},
    }
    assert {k.key for k in K.all_kinds()} >= set(samples)
    for key, data in samples.items():
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                assert K.render_text(key, data), (key, lang)
    assert K.render_text("score_updated", {}) == ""  # incomplete data: the stored text is shown instead
    # Personal results never count as group-safe; the review cycle announcement does.
    assert K.get("review_cycle_open").group_safe and not K.get("review_cycle_open").personal
    assert all(K.get(k).personal for k in ("score_updated", "alert_opened", "feedback_received", "plan_returned"))


# ---------------------------------------------------------------- planning


def test_defaults_email_for_urgent_and_announcements_others_opt_in(world):
    emp = world.emp(world.employee)
    notify(recipients=[emp.pk], kind="alert_opened", data=ALERT)  # urgent: e-mail by default
    notify(recipients=[emp.pk], kind="review_cycle_open", data={"cycle": "H1", "self_due": "2026-07-10"})
    notify(recipients=[emp.pk], kind="feedback_received", data=PRAISE)  # opt-in
    assert sorted(Delivery.objects.values_list("notification__kind", "channel", "address")) == [
        ("alert_opened", "email", emp.email), ("review_cycle_open", "email", emp.email)]


def test_preferences_choose_the_channels_per_kind(world):
    emp = world.emp(world.employee)
    prefer(emp, "feedback_received", ["email"])
    prefer(emp, "alert_opened", [])  # urgent, but the person chose the inbox only
    notify(recipients=[emp.pk], kind="feedback_received", data=PRAISE)
    notify(recipients=[emp.pk], kind="alert_opened", data=ALERT)
    assert list(Delivery.objects.values_list("notification__kind", flat=True)) == ["feedback_received"]


@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_a_channel_not_configured_gets_no_delivery_row(world):
    emp = world.emp(world.employee)
    prefer(emp, "feedback_received", ["email"])
    assert notify(recipients=[emp.pk], kind="feedback_received", data=PRAISE) == 1
    assert not Delivery.objects.exists()


def test_someone_without_an_address_gets_no_delivery_row(world):
    emp = world.emp(world.employee)
    emp.email = ""
    emp.save()
    world.employee.email = ""
    world.employee.save()
    notify(recipients=[emp.pk, world.emp(world.lead).pk], kind="alert_opened", data=ALERT)
    assert list(Delivery.objects.values_list("recipient_id", flat=True)) == [world.emp(world.lead).pk]


def test_quiet_hours_defer_non_urgent_deliveries_to_their_end(world):
    emp = world.emp(world.employee)
    prefer(emp, "feedback_received", ["email"])
    QuietHours.objects.create(employee=emp, start=dt.time(22), end=dt.time(7))
    late = dt.datetime(2026, 3, 10, 23, 30, tzinfo=SHANGHAI)  # in the quiet hours (Asia/Shanghai)
    notify_each(kind="feedback_received", items=[Item(emp.pk, PRAISE, "", "a")], now=late)
    notify_each(kind="alert_opened", items=[Item(emp.pk, ALERT, "", "b")], now=late)
    deferred = Delivery.objects.get(notification__kind="feedback_received")
    urgent = Delivery.objects.get(notification__kind="alert_opened")
    assert deferred.scheduled_for == dt.datetime(2026, 3, 11, 7, 0, tzinfo=SHANGHAI)  # the next morning
    assert urgent.scheduled_for == late  # urgent kinds ignore quiet hours
    # Just after midnight it is the same morning; in the afternoon nothing waits.
    early = dt.datetime(2026, 3, 11, 1, 15, tzinfo=SHANGHAI)
    notify_each(kind="feedback_received", items=[Item(emp.pk, PRAISE, "", "c")], now=early)
    afternoon = dt.datetime(2026, 3, 11, 15, 0, tzinfo=SHANGHAI)
    notify_each(kind="feedback_received", items=[Item(emp.pk, PRAISE, "", "d")], now=afternoon)
    times = dict(Delivery.objects.values_list("notification__dedupe_key", "scheduled_for"))
    assert times["c"] == dt.datetime(2026, 3, 11, 7, 0, tzinfo=SHANGHAI)
    assert times["d"] == afternoon
    # Switched off, quiet hours defer nothing.
    QuietHours.objects.filter(employee=emp).update(enabled=False)
    notify_each(kind="feedback_received", items=[Item(emp.pk, PRAISE, "", "e")], now=late)
    assert Delivery.objects.get(notification__dedupe_key="e").scheduled_for == late


def test_daytime_quiet_hours(world):
    emp = world.emp(world.employee)
    prefer(emp, "feedback_received", ["email"])
    QuietHours.objects.create(employee=emp, start=dt.time(12), end=dt.time(13, 30))
    noon = dt.datetime(2026, 3, 10, 12, 10, tzinfo=SHANGHAI)
    notify_each(kind="feedback_received", items=[Item(emp.pk, PRAISE, "", "a")], now=noon)
    assert Delivery.objects.get().scheduled_for == dt.datetime(2026, 3, 10, 13, 30, tzinfo=SHANGHAI)


# ---------------------------------------------------------------- settings services


def test_preferences_update_validates_and_keeps_the_inbox_on(world, actor_of):
    actor = actor_of("employee")
    out = preferences_update(actor=actor, kind_channels={"feedback_received": ["email"], "alert_opened": []})
    assert out == {"feedback_received": ["inapp", "email"], "alert_opened": ["inapp"]}
    assert dict(NotificationPreference.objects.values_list("kind", "channels")) == {
        "feedback_received": ["email"], "alert_opened": []}
    # Leaving the inbox out changes nothing: it is always on.
    preferences_update(actor=actor, kind_channels={"feedback_received": ["inapp"]})
    assert NotificationPreference.objects.get(kind="feedback_received").channels == []
    with pytest.raises(InvalidInput) as exc:
        preferences_update(actor=actor, kind_channels={"nope": ["email"], "score_updated": ["fax"]})
    assert set(exc.value.errors) == {"nope", "score_updated"}
    assert NotificationPreference.objects.count() == 2  # nothing written
    with pytest.raises(PermissionDenied):
        preferences_update(actor=actor_of("admin"), kind_channels={})  # no employee record


def test_quiet_hours_set_validates(world, actor_of):
    actor = actor_of("employee")
    with pytest.raises(InvalidInput) as exc:
        quiet_hours_set(actor=actor, start=dt.time(22), end=dt.time(22), enabled=True)
    assert "end" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        quiet_hours_set(actor=actor, start=None, end=dt.time(7), enabled=True)
    assert "start" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        quiet_hours_set(actor=actor, start=dt.time(22, tzinfo=dt.UTC), end=dt.time(7), enabled=True)
    assert "start" in exc.value.errors
    q = quiet_hours_set(actor=actor, start=dt.time(22), end=dt.time(7), enabled=True)
    assert (q.start, q.end, q.enabled) == (dt.time(22), dt.time(7), True)
    quiet_hours_set(actor=actor, start=None, end=None, enabled=False)
    q.refresh_from_db()
    assert (q.start, q.end, q.enabled) == (dt.time(22), dt.time(7), False)  # times kept for next time
