"""E-mail received by a real SMTP server: aiosmtpd listening on 127.0.0.1, Django's SMTP backend."""

from __future__ import annotations

import email
import socket
import time
from email import policy

import pytest
from django.test import override_settings

from talentloop.notifications.channels import email as email_channel
from talentloop.notifications.models import Delivery, DeliveryStatus
from talentloop.notifications.services import deliver_due
from talentloop.notifications.tests.factories import notify, prefer

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message the server accepted."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_a_notification_is_received_by_a_local_smtp_server(world, smtp_server):
    port, inbox = smtp_server
    emp = world.emp(world.employee)
    prefer(emp, "feedback_received", ["email"])
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="",
                           EMAIL_TIMEOUT=10, DEFAULT_FROM_EMAIL="talentloop@example.com",
                           TALENTLOOP_SITE_URL="https://hr.example.com"):
        assert email_channel.CHANNEL.available()
        notify(recipients=[emp.pk], kind="feedback_received",
               data={"giver": "王芳", "giver_en": "Wang Fang", "kind": "praise"}, link="/performance/feedback/")
        summary = deliver_due()
    assert summary["sent"] == 1, summary
    for _ in range(50):  # the server thread stores the message as the client finishes
        if inbox.messages:
            break
        time.sleep(0.05)
    assert len(inbox.messages) == 1
    sender, recipients, raw = inbox.messages[0]
    assert sender == "talentloop@example.com"
    assert recipients == [emp.email]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Feedback received"
    assert parsed["To"] == emp.email
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "Wang Fang gave you praise." in text
    assert "https://hr.example.com/performance/feedback/" in text
    assert 'href="https://hr.example.com/performance/feedback/"' in html
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.external_id and delivery.external_id == parsed["Message-ID"]  # traceable in the mail logs


def test_smtp_server_down_is_a_retry(world):
    emp = world.emp(world.employee)
    prefer(emp, "feedback_received", ["email"])
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=free_port(), EMAIL_TIMEOUT=2):
        notify(recipients=[emp.pk], kind="feedback_received", data={"giver": "王芳", "kind": "praise"})
        summary = deliver_due()
    assert summary["retrying"] == 1
    d = Delivery.objects.get()
    assert d.status == DeliveryStatus.PENDING and "ConnectionRefusedError" in d.last_error


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="")
def test_the_smtp_backend_without_a_host_is_not_available():
    assert not email_channel.CHANNEL.available()
