"""The delivery job: digests, idempotency (twice, and after a crash), retries with backoff, failures,
and the language and link of what is sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from talentloop.notifications import services as S
from talentloop.notifications.channels import Result
from talentloop.notifications.channels import email as email_channel
from talentloop.notifications.models import Delivery, DeliveryStatus
from talentloop.notifications.services import Item, deliver_due, notify_each
from talentloop.notifications.tests.factories import notify, prefer

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def praise(n: int) -> dict:
    return {"giver": f"同事{n}", "giver_en": f"Colleague {n}", "kind": "praise"}


def send_feedback(emp, count: int, now=T0, start: int = 0) -> None:
    prefer(emp, "feedback_received", ["email"])
    notify_each(kind="feedback_received",
                items=[Item(emp.pk, praise(i), "/performance/feedback/", f"f{i}") for i in range(start, start + count)],
                now=now)


class Recorder:
    """Wraps the e-mail channel's send: records each call, and can fail or crash on cue."""

    def __init__(self, monkeypatch, outcomes=()):
        self.calls = []
        self.outcomes = list(outcomes)
        self.real = email_channel.CHANNEL.send
        monkeypatch.setattr(email_channel.CHANNEL, "send", self)

    def __call__(self, message):
        self.calls.append(message)
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome == "crash":
            raise KeyboardInterrupt("the worker died")
        if isinstance(outcome, Result):
            return outcome
        return self.real(message)


def test_one_message_per_delivery_with_link_and_recorded_sent(world):
    emp = world.emp(world.employee)
    send_feedback(emp, 2)
    summary = deliver_due(now=T0)
    assert summary["sent"] == 2 and summary["claimed"] == 2
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.to == [emp.email]
    assert message.subject == "Feedback received"
    assert "Colleague 1 gave you praise." in message.body
    assert "http://localhost/performance/feedback/" in message.body
    html = message.alternatives[0][0]
    assert 'href="http://localhost/performance/feedback/"' in html
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    assert all(d.sent_at is not None for d in Delivery.objects.all())


def test_five_of_one_kind_become_one_digest(world):
    emp = world.emp(world.employee)
    send_feedback(emp, 5)
    summary = deliver_due(now=T0)
    assert (summary["sent"], summary["digested"]) == (1, 4)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "5 new: Feedback received"
    for i in range(5):
        assert f"Colleague {i} gave you praise." in message.body
    assert "http://localhost/notifications/" in message.body
    carrier = Delivery.objects.get(status=DeliveryStatus.SENT)
    digested = Delivery.objects.filter(status=DeliveryStatus.DIGESTED)
    assert digested.count() == 4 and {d.digest_id for d in digested} == {carrier.pk}


def test_digest_is_per_person_channel_and_kind(world):
    a, b = world.emp(world.employee), world.emp(world.lead)
    send_feedback(a, 3)
    send_feedback(b, 2)
    deliver_due(now=T0)
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == sorted([(a.email, "3 new: Feedback received"), (b.email, "Feedback received"),
                               (b.email, "Feedback received")])


def test_running_the_job_twice_sends_nothing_twice(world):
    emp = world.emp(world.employee)
    send_feedback(emp, 2)
    deliver_due(now=T0)
    again = deliver_due(now=T0 + dt.timedelta(hours=1))
    assert again["claimed"] == 0
    assert len(mail.outbox) == 2


def test_a_crash_after_sending_does_not_send_that_delivery_again(world, monkeypatch):
    emp = world.emp(world.employee)
    send_feedback(emp, 2)
    recorder = Recorder(monkeypatch, ["ok", "crash"])
    with pytest.raises(KeyboardInterrupt):
        deliver_due(now=T0)
    first = recorder.calls[0]
    statuses = dict(Delivery.objects.values_list("notification__data__giver_en", "status"))
    # The first was recorded as sent the moment it went out; the second is still claimed (pending).
    sent_giver = [g for g, s in statuses.items() if s == DeliveryStatus.SENT]
    assert len(sent_giver) == 1 and sent_giver[0] in first.text
    # A job while the dead one's claim holds takes nothing; once it expires, only the unsent one.
    assert deliver_due(now=T0 + dt.timedelta(seconds=10))["claimed"] == 0
    summary = deliver_due(now=T0 + dt.timedelta(seconds=S.CLAIM_SECONDS + 1))
    assert (summary["claimed"], summary["sent"]) == (1, 1)
    texts = [m.text for m in recorder.calls]
    assert len(texts) == 3 and texts.count(first.text) == 1  # the crash's message was retried, not the sent one
    assert len(mail.outbox) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_failed_delivery_is_retried_with_backoff_then_sent(world, monkeypatch):
    emp = world.emp(world.employee)
    send_feedback(emp, 1)
    Recorder(monkeypatch, [Result(ok=False, error="connection refused")])
    summary = deliver_due(now=T0)
    assert summary["retrying"] == 1
    d = Delivery.objects.get()
    assert (d.status, d.attempts, d.last_error) == (DeliveryStatus.PENDING, 1, "connection refused")
    assert d.scheduled_for == T0 + dt.timedelta(seconds=S.RETRY_BASE_SECONDS)
    assert deliver_due(now=T0 + dt.timedelta(seconds=30))["claimed"] == 0  # not due yet
    summary = deliver_due(now=T0 + dt.timedelta(seconds=61))
    d.refresh_from_db()
    assert (summary["sent"], d.status, d.attempts, d.last_error) == (1, DeliveryStatus.SENT, 2, "")
    assert len(mail.outbox) == 1


def test_retries_stop_after_five_attempts_or_when_retrying_cannot_help(world, monkeypatch):
    emp = world.emp(world.employee)
    send_feedback(emp, 1)
    Recorder(monkeypatch, [Result(ok=False, error="down")] * 10)
    now = T0
    for attempt in range(1, S.MAX_ATTEMPTS + 1):
        deliver_due(now=now)
        d = Delivery.objects.get()
        assert d.attempts == attempt
        now = d.scheduled_for
    assert d.status == DeliveryStatus.FAILED and d.last_error == "down"
    assert deliver_due(now=now + dt.timedelta(days=1))["claimed"] == 0

    lead = world.emp(world.lead)
    send_feedback(lead, 1)
    Recorder(monkeypatch, [Result(ok=False, error="unknown user", retry=False)])
    deliver_due(now=now + dt.timedelta(days=1))
    assert Delivery.objects.get(recipient=lead).status == DeliveryStatus.FAILED


def test_an_exception_in_a_channel_is_a_failure_not_a_dead_job(world, monkeypatch):
    emp = world.emp(world.employee)
    send_feedback(emp, 2)

    def broken(message):
        raise ValueError("bad payload")

    monkeypatch.setattr(email_channel.CHANNEL, "send", broken)
    summary = deliver_due(now=T0)
    assert summary["retrying"] == 2
    assert set(Delivery.objects.values_list("last_error", flat=True)) == {"ValueError: bad payload"}


def test_a_channel_switched_off_before_sending_skips(world):
    emp = world.emp(world.employee)
    send_feedback(emp, 1)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        assert deliver_due(now=T0)["skipped"] == 1
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED


def test_quiet_hours_deliveries_go_out_when_they_end(world):
    from talentloop.notifications.models import QuietHours

    emp = world.emp(world.employee)
    QuietHours.objects.create(employee=emp, start=dt.time(22), end=dt.time(7))
    night = dt.datetime(2026, 3, 10, 15, 30, tzinfo=dt.UTC)  # 23:30 in Shanghai
    send_feedback(emp, 1, now=night)
    notify_each(kind="alert_opened", now=night, items=[Item(emp.pk, {
        "person": "李雷", "metric": "响应", "baseline": "1", "current": "3", "window": "2026-03",
        "change_pct": None}, "", "a1")])
    deliver_due(now=night)
    assert [m.subject for m in mail.outbox] == ["Decline alert"]  # the urgent one at once
    deliver_due(now=dt.datetime(2026, 3, 10, 22, 59, tzinfo=dt.UTC))
    assert len(mail.outbox) == 1
    deliver_due(now=dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC))  # 07:00 in Shanghai
    assert [m.subject for m in mail.outbox] == ["Decline alert", "Feedback received"]


@override_settings(LANGUAGE_CODE="zh-hans")
def test_messages_are_written_in_the_recipients_language(world):
    """The organisation's language by default; the person's own once their account has one."""
    emp = world.emp(world.employee)
    send_feedback(emp, 1)
    deliver_due(now=T0)
    assert "同事0" in mail.outbox[0].body and "Colleague" not in mail.outbox[0].body
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    send_feedback(emp, 1, start=1)
    deliver_due(now=T0)
    assert "Colleague 1" in mail.outbox[1].body and "同事1" not in mail.outbox[1].body
    assert S.recipient_languages([emp.pk, world.emp(world.manager).pk]) == {
        emp.pk: "en", world.emp(world.manager).pk: "zh-hans"}


def test_notify_enqueues_the_job_after_commit(world, django_capture_on_commit_callbacks):
    emp = world.emp(world.employee)
    prefer(emp, "feedback_received", ["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[emp.pk], kind="feedback_received", data=praise(1))
        assert mail.outbox == []  # nothing is sent inside the transaction
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT
