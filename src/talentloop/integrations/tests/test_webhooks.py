"""Outbound webhooks: subscriptions (API and rules), events published from the lower apps' signals and
filtered by the owner's access, Standard Webhooks signatures checked with the reference library
(``standardwebhooks``), retries with back-off, disabling of a failing endpoint, replay, claims, and
one slow endpoint that does not hold the others."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from talentloop.core.access import actor_for
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.integrations.models import Delivery, DeliveryStatus, DisabledReason, Subscription
from talentloop.integrations.services import webhooks as services
from talentloop.notifications.models import Notification
from talentloop.organisation.models import EventKind
from talentloop.organisation.services import employee_create, employment_event_record
from talentloop.testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
ALL_EMPLOYEE = ["employee.hired", "employee.changed", "employee.left"]


class Recorder:
    """A stand-in receiver (an httpx transport): records each request and answers the next status."""

    def __init__(self, *statuses: int):
        self.statuses = list(statuses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def _subscribe(world, persona="hr", types=None, trusted=False, url="https://hooks.example.com/tl"):
    actor = actor_for(getattr(world, persona))
    subscription, secret = services.subscription_create(actor=actor, name="HRIS", url=url,
                                                        event_types=types or ALL_EMPLOYEE, trusted=trusted)
    return subscription, secret


def _hire(world, django_capture_on_commit_callbacks, unit=None, number="N-1"):
    with django_capture_on_commit_callbacks(execute=True):
        return employee_create(actor=actor_for(world.hr), employee_number=number, name="新人",
                               org_unit=unit or world.platform, job_family=world.engineering,
                               hire_date=dt.date(2026, 3, 2))


# ---------------------------------------------------------------- signing, verified independently


def test_delivery_is_signed_per_standard_webhooks(world, django_capture_on_commit_callbacks):
    subscription, secret = _subscribe(world)
    assert secret.startswith("whsec_")
    employee = _hire(world, django_capture_on_commit_callbacks)
    recorder = Recorder(200)
    result = services.deliveries_send(transport=recorder.transport)
    assert result.sent == 1 and len(recorder.requests) == 1
    request = recorder.requests[0]
    headers = dict(request.headers.items())
    assert request.headers["webhook-signature"].startswith("v1,")
    # The reference implementation of the convention verifies the signature and gives back the payload.
    payload = Webhook(secret).verify(request.content, headers)
    assert payload["type"] == "employee.hired"
    assert payload["data"]["employee"]["id"] == employee.pk
    assert payload["data"]["employee"]["employee_number"] == "N-1"
    assert "national_id" not in json.dumps(payload) and "bank_account" not in json.dumps(payload)
    # A wrong secret or an altered body does not verify.
    with pytest.raises(WebhookVerificationError):
        Webhook(services.signing.new_secret()).verify(request.content, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(request.content + b" ", headers)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.SUCCEEDED, 1, 200)
    assert request.headers["webhook-id"] == delivery.event_id
    # The secret is stored encrypted, never in clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_subscription WHERE id = %s", [subscription.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("enc2:") and secret not in raw


def test_rotated_secret_signs_from_then_on(world, django_capture_on_commit_callbacks):
    subscription, old = _subscribe(world)
    _subscription, new = services.subscription_rotate(actor=actor_for(world.hr), subscription=subscription)
    assert new != old and new.startswith("whsec_")
    _hire(world, django_capture_on_commit_callbacks)
    recorder = Recorder(200)
    services.deliveries_send(transport=recorder.transport)
    request = recorder.requests[0]
    Webhook(new).verify(request.content, dict(request.headers.items()))
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(request.content, dict(request.headers.items()))


def test_a_real_local_receiver_verifies_over_the_wire(world, django_capture_on_commit_callbacks):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["content-length"]))
            received.append((body, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _subscription, secret = _subscribe(world, url=f"http://127.0.0.1:{server.server_port}/hook")
        _hire(world, django_capture_on_commit_callbacks)
        result = services.deliveries_send()
    finally:
        server.shutdown()
        server.server_close()
    assert result.sent == 1
    body, headers = received[0]
    assert Webhook(secret).verify(body, headers)["type"] == "employee.hired"


# ---------------------------------------------------------------- events and who receives them


def test_employment_events_publish_changed_and_left(world, django_capture_on_commit_callbacks):
    _subscribe(world)
    employee = world.emp(world.employee)
    with django_capture_on_commit_callbacks(execute=True):
        employment_event_record(actor=actor_for(world.hr), employee=employee, kind=EventKind.PROMOTION,
                                effective_date=timezone.localdate(), level=4)
    with django_capture_on_commit_callbacks(execute=True):
        employment_event_record(actor=actor_for(world.hr), employee=employee, kind=EventKind.TERMINATION,
                                effective_date=timezone.localdate())
    types = list(Delivery.objects.order_by("id").values_list("event_type", flat=True))
    assert types == ["employee.changed", "employee.left"]
    left = Delivery.objects.order_by("id").last()
    assert left.payload["data"]["employment_event"]["kind"] == "termination"


def test_no_subscription_no_delivery(world, django_capture_on_commit_callbacks):
    _hire(world, django_capture_on_commit_callbacks)
    assert not Delivery.objects.exists()


def test_event_about_someone_outside_the_owners_access_is_not_sent(world, django_capture_on_commit_callbacks):
    sales_hr = UserFactory(username="sales-hr")
    grant(sales_hr, "hr", org_unit=world.sales)
    sales_sub, _secret = services.subscription_create(actor=actor_for(sales_hr), name="Sales HRIS",
                                                      url="https://sales.example.com/hook", event_types=ALL_EMPLOYEE)
    everyone_sub, _secret = _subscribe(world)
    _hire(world, django_capture_on_commit_callbacks, unit=world.platform, number="N-P")
    assert list(Delivery.objects.values_list("subscription_id", flat=True)) == [everyone_sub.pk]
    _hire(world, django_capture_on_commit_callbacks, unit=world.sales, number="N-S")
    assert Delivery.objects.filter(subscription=sales_sub).count() == 1


def test_personal_results_go_only_to_trusted_endpoints(world, django_capture_on_commit_callbacks):
    from talentloop.performance.services.decisions import final_rating_set

    plain, _secret = _subscribe(world, types=["score.finalised"])
    trusted, _secret = _subscribe(world, types=["score.finalised"], trusted=True)
    # The technical administrator never reads final ratings, even on a trusted endpoint.
    admin_sub, _secret = _subscribe(world, persona="admin", types=["score.finalised"])
    Subscription.objects.filter(pk=admin_sub.pk).update(trusted=True)
    with django_capture_on_commit_callbacks(execute=True):
        final_rating_set(actor=actor_for(world.hr), employee=world.emp(world.employee), period_key="2025",
                         rating="4.0")
    deliveries = list(Delivery.objects.all())
    assert [d.subscription_id for d in deliveries] == [trusted.pk]
    assert deliveries[0].payload["data"]["rating"] == "4.0"
    assert plain.pk != trusted.pk


def test_only_hr_marks_an_endpoint_trusted(world):
    with pytest.raises(PermissionDenied):
        _subscribe(world, persona="admin", trusted=True)
    subscription, _secret = _subscribe(world, persona="admin")
    with pytest.raises(PermissionDenied):
        services.subscription_update(actor=actor_for(world.admin), subscription=subscription, data={"trusted": True})
    services.subscription_update(actor=actor_for(world.hr), subscription=subscription, data={"trusted": True})
    subscription.refresh_from_db()
    assert subscription.trusted
    # A new address withdraws the trust.
    services.subscription_update(actor=actor_for(world.admin), subscription=subscription,
                                 data={"url": "https://elsewhere.example.com/"})
    subscription.refresh_from_db()
    assert not subscription.trusted


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "outsider"])
def test_only_hr_and_admins_subscribe(world, persona):
    with pytest.raises(PermissionDenied):
        _subscribe(world, persona=persona)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("url", "field"), [
    ("ftp://hooks.example.com/", "url"), ("hooks.example.com", "url"), ("https://", "url"),
    ("https://user:pw@hooks.example.com/", "url"), ("", "url"),
])
def test_bad_addresses_are_refused(world, url, field):
    with pytest.raises(InvalidInput) as exc:
        _subscribe(world, url=url)
    assert field in exc.value.errors


@override_settings(TALENTLOOP_WEBHOOKS_ALLOW_PRIVATE=False)
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://localhost/", "http://10.1.2.3/",
                                 "http://[::1]/", "http://169.254.169.254/latest", "http://192.168.0.5/"])
def test_private_addresses_are_refused_unless_allowed(world, url):
    with pytest.raises(InvalidInput) as exc:
        _subscribe(world, url=url)
    assert "Private" in exc.value.errors["url"][0]


def test_unknown_event_types_are_refused(world):
    with pytest.raises(InvalidInput) as exc:
        _subscribe(world, types=["employee.hired", "pay.rise"])
    assert "pay.rise" in exc.value.errors["event_types"][0]
    with pytest.raises(InvalidInput) as exc:
        services.subscription_create(actor=actor_for(world.hr), name="x", url="https://h.example.com/",
                                     event_types=[])
    assert exc.value.errors["event_types"]


# ---------------------------------------------------------------- retries, disabling, replay, claims


def test_retries_back_off_then_fail(world, django_capture_on_commit_callbacks):
    _subscribe(world)
    with time_machine.travel(NOW, tick=False):
        _hire(world, django_capture_on_commit_callbacks)
    recorder = Recorder(*([500] * 10))
    moment = NOW
    expected = [dt.timedelta(seconds=5), dt.timedelta(minutes=5), dt.timedelta(minutes=30)]
    for delay in expected:
        services.deliveries_send(now=moment, transport=recorder.transport)
        delivery = Delivery.objects.get()
        assert delivery.next_attempt_at == moment + delay
        # Not due yet: nothing is sent a moment before.
        services.deliveries_send(now=moment + delay - dt.timedelta(seconds=1), transport=recorder.transport)
        moment += delay
    assert Delivery.objects.get().attempts == 3
    assert len(recorder.requests) == 3
    delivery = Delivery.objects.get()
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    assert [entry["status_code"] for entry in delivery.log] == [500, 500, 500]


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_owner_told(world, django_capture_on_commit_callbacks):
    subscription, _secret = _subscribe(world)
    with time_machine.travel(NOW, tick=False):
        _hire(world, django_capture_on_commit_callbacks, number="N-1")
        _hire(world, django_capture_on_commit_callbacks, number="N-2")
    recorder = Recorder(*([503] * 50))
    moment = NOW
    with django_capture_on_commit_callbacks(execute=True):
        for _step in range(12):
            services.deliveries_send(now=moment, transport=recorder.transport)
            moment += dt.timedelta(hours=3)
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_reason == DisabledReason.FAILING
    assert set(Delivery.objects.values_list("status", flat=True)) <= {DeliveryStatus.CANCELLED, DeliveryStatus.FAILED}
    notice = Notification.objects.get(kind="webhook_endpoint_disabled")
    assert notice.recipient_id == world.emp(world.hr).pk
    # Nothing more is sent to a disabled endpoint.
    sent = len(recorder.requests)
    services.deliveries_send(now=moment + dt.timedelta(days=1), transport=recorder.transport)
    assert len(recorder.requests) == sent


def test_a_success_clears_the_failure_clock(world, django_capture_on_commit_callbacks):
    subscription, _secret = _subscribe(world)
    with time_machine.travel(NOW, tick=False):
        _hire(world, django_capture_on_commit_callbacks)
    recorder = Recorder(500, 200)
    services.deliveries_send(now=NOW, transport=recorder.transport)
    subscription.refresh_from_db()
    assert subscription.failing_since == NOW
    services.deliveries_send(now=NOW + dt.timedelta(seconds=5), transport=recorder.transport)
    subscription.refresh_from_db()
    assert subscription.failing_since is None and subscription.is_active


def test_replay_sends_the_same_event_again(world, django_capture_on_commit_callbacks):
    _subscribe(world)
    _hire(world, django_capture_on_commit_callbacks)
    recorder = Recorder(200, 200)
    services.deliveries_send(transport=recorder.transport)
    first = Delivery.objects.get()
    replay = services.delivery_replay(actor=actor_for(world.hr), delivery=first)
    services.deliveries_send(transport=recorder.transport)
    replay.refresh_from_db()
    assert replay.status == DeliveryStatus.SUCCEEDED and replay.replay_of_id == first.pk
    assert [r.headers["webhook-id"] for r in recorder.requests] == [first.event_id, first.event_id]
    assert recorder.requests[0].content == recorder.requests[1].content


def test_replay_needs_an_active_endpoint_and_a_manager_of_it(world, django_capture_on_commit_callbacks):
    subscription, _secret = _subscribe(world, persona="admin")
    _hire(world, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    other_admin = UserFactory(username="admin2")
    grant(other_admin, "admin")
    with pytest.raises(PermissionDenied):
        services.delivery_replay(actor=actor_for(other_admin), delivery=delivery)
    services.subscription_disable(actor=actor_for(world.admin), subscription=subscription)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.CANCELLED
    with pytest.raises(InvalidInput):
        services.delivery_replay(actor=actor_for(world.admin), delivery=delivery)


def test_a_dead_workers_claim_is_taken_again(world, django_capture_on_commit_callbacks):
    _subscribe(world)
    _hire(world, django_capture_on_commit_callbacks)
    now = timezone.now()
    Delivery.objects.update(claimed_until=now + dt.timedelta(minutes=1))  # a worker holds it
    recorder = Recorder(200)
    assert services.deliveries_send(now=now, transport=recorder.transport).sent == 0
    # The worker died: once the claim expires the delivery is taken again.
    assert services.deliveries_send(now=now + dt.timedelta(minutes=2), transport=recorder.transport).sent == 1


@override_settings(TALENTLOOP_WEBHOOKS_TIMEOUT=0.5)
def test_one_slow_endpoint_does_not_hold_the_others(world, django_capture_on_commit_callbacks):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["content-length"]))
            if self.path == "/slow":
                time.sleep(3)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        slow, _secret = _subscribe(world, url=f"{base}/slow")
        fast = [_subscribe(world, url=f"{base}/fast{i}")[0] for i in range(4)]
        _hire(world, django_capture_on_commit_callbacks)
        started = time.monotonic()
        result = services.deliveries_send()
        elapsed = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()
    assert result.sent == 4 and result.failed == 1
    assert elapsed < 2.5  # bounded by the timeout, not by the slow receiver's 3 s
    assert Delivery.objects.get(subscription=slow).last_error == "timeout"
    assert all(Delivery.objects.get(subscription=s).status == DeliveryStatus.SUCCEEDED for s in fast)


def test_the_command_sends_what_is_due(world, django_capture_on_commit_callbacks, monkeypatch):
    from django.core.management import call_command

    _subscribe(world)
    _hire(world, django_capture_on_commit_callbacks)
    recorder = Recorder(200)
    real = services.deliveries_send
    monkeypatch.setattr("talentloop.integrations.management.commands.webhooks.deliveries_send",
                        lambda **kw: real(transport=recorder.transport, **kw))
    call_command("webhooks", "deliver")
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


@override_settings(TALENTLOOP_WEBHOOKS_SEND_AT_ONCE=True)
def test_a_published_event_is_sent_by_the_job_queued_on_commit(world, django_capture_on_commit_callbacks):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append(self.rfile.read(int(self.headers["content-length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _subscribe(world, url=f"http://127.0.0.1:{server.server_port}/hook")
        _hire(world, django_capture_on_commit_callbacks)  # the job runs at once (Huey's immediate mode)
    finally:
        server.shutdown()
        server.server_close()
    assert len(received) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_an_employee_import_announces_each_hire_and_change(world, django_capture_on_commit_callbacks):
    from talentloop.organisation import importing
    from talentloop.organisation.tests.test_import import make_csv

    _subscribe(world)
    newcomer = {"employee_number": "IMP-1", "name": "导入新人", "hire_date": "2026-03-02",
                "org_unit": world.platform.code, "job_family": world.engineering.code, "level": "2"}
    with django_capture_on_commit_callbacks(execute=True):
        importing.employee_import_apply(actor=actor_for(world.hr), file_name="people.csv",
                                        content=make_csv([newcomer]), mode="all")
    hired = Delivery.objects.get()
    assert hired.event_type == "employee.hired"
    assert hired.payload["data"]["employee"]["employee_number"] == "IMP-1"
    renamed = {**newcomer, "name": "导入新人甲"}
    with django_capture_on_commit_callbacks(execute=True):
        importing.employee_import_apply(actor=actor_for(world.hr), file_name="people.csv",
                                        content=make_csv([renamed]), mode="all")
    assert sorted(Delivery.objects.values_list("event_type", flat=True)) == ["employee.changed", "employee.hired"]


@override_settings(TALENTLOOP_WEBHOOKS_TIMEOUT=2)
def test_a_slow_endpoint_with_a_backlog_holds_only_its_own_threads(world, monkeypatch):
    """A slow endpoint with many deliveries waiting gets PER_ENDPOINT attempts at once; the fast endpoints'
    deliveries all arrive while it still has deliveries to go, though they were queued after it."""
    # More of the slow endpoint's deliveries wait in the sender than it has threads: they must not stop
    # the claims for the others.
    monkeypatch.setattr(services, "THREADS", 4)
    monkeypatch.setattr(services, "PER_ENDPOINT", 2)
    monkeypatch.setattr(services, "PER_ENDPOINT_WAITING", 10)
    arrivals: list[str] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["content-length"]))
            if self.path == "/slow":
                time.sleep(0.5)
            with lock:
                arrivals.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    now = timezone.now()
    try:
        slow, _secret = _subscribe(world, url=f"{base}/slow")
        fast = [_subscribe(world, url=f"{base}/fast{i}")[0] for i in range(3)]
        rows = [Delivery(subscription=slow, event_id=f"slow-{i}", event_type="employee.hired", payload={},
                         next_attempt_at=now - dt.timedelta(minutes=1)) for i in range(16)]
        rows += [Delivery(subscription=s, event_id=f"fast-{s.pk}-{i}", event_type="employee.hired", payload={},
                          next_attempt_at=now) for s in fast for i in range(10)]
        Delivery.objects.bulk_create(rows)
        result = services.deliveries_send(batch=10)
    finally:
        server.shutdown()
        server.server_close()
    assert result.sent == 46 and result.failed == 0
    last_fast = max(i for i, path in enumerate(arrivals) if path.startswith("/fast"))
    # The fast endpoints had everything while the slow one had answered at most its first two.
    assert arrivals[:last_fast].count("/slow") <= 2, arrivals
    assert Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 46
