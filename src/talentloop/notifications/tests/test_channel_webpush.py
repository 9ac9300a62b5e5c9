"""Web Push: the message is checked by DECRYPTING what the channel sent to a local push service.

The test plays the browser: it makes its own P-256 key pair and 16-byte auth secret (RFC 8291), gives the
public half to the subscription, lets the channel POST to a stand-in push service on 127.0.0.1, then
decrypts the body with ``http_ece`` (an implementation independent of the sending path's key handling) and
verifies the VAPID JWT (RFC 8292) with the public key the server publishes.
"""

from __future__ import annotations

import base64
import json
import os
import time

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.management import call_command
from django.core.management.base import CommandError

from talentloop.notifications.channel_services import vapid_keys_generate
from talentloop.notifications.channels import Message, get_channel
from talentloop.notifications.models import PushSubscription, VapidKeys
from talentloop.notifications.tests.channel_standin import StandIn

pytestmark = pytest.mark.django_db


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def browser():
    """The subscriber's key pair and auth secret, as a browser makes them."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    return {"private": private, "p256dh": b64u(public), "auth_raw": os.urandom(16)}


@pytest.fixture
def person(world):
    return world.emp(world.employee)


def subscribe(person, browser, endpoint):
    return PushSubscription.objects.create(employee=person, endpoint=endpoint, p256dh=browser["p256dh"],
                                           auth=b64u(browser["auth_raw"]))


def verify_vapid(header: str, *, public_key: str, aud: str, sub: str) -> dict:
    assert header.startswith("vapid "), header
    params = dict(part.strip().split("=", 1) for part in header[len("vapid "):].split(","))
    assert params["k"] == public_key
    head_b64, claims_b64, sig_b64 = params["t"].split(".")
    assert json.loads(unb64u(head_b64)) == {"typ": "JWT", "alg": "ES256"}
    sig = unb64u(sig_b64)
    assert len(sig) == 64  # JWS ES256: raw r || s
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64u(public_key))
    key.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged
    claims = json.loads(unb64u(claims_b64))
    assert claims["aud"] == aud
    assert claims["sub"] == sub
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    return claims


def test_push_message_is_encrypted_for_the_subscription_and_vapid_signed(person, browser):
    keys = vapid_keys_generate(actor=None, subject="mailto:it@example.com")

    def route(req):
        assert req.method == "POST" and req.path == "/push/device-1"
        assert req.headers["content-encoding"] == "aes128gcm"
        assert req.headers["ttl"] == str(24 * 3600)
        return 201, {}

    with StandIn(route) as push_service:
        subscribe(person, browser, f"{push_service.base}/push/device-1")
        message = Message(recipient_id=person.pk, address="1", kind="alert_opened", subject="下降预警",
                          text="李雷的得分连续两期下降", url="https://hr.example.com/alerts/7", urgent=True, count=1)
        result = get_channel("webpush").send(message)
    push_service.raise_errors()
    assert result.ok, result
    (req,) = push_service.requests
    plain = http_ece.decrypt(req.body, private_key=browser["private"], auth_secret=browser["auth_raw"],
                             version="aes128gcm")
    assert json.loads(plain) == {"title": "下降预警", "body": "李雷的得分连续两期下降",
                                 "url": "https://hr.example.com/alerts/7", "count": 1}
    assert req.headers["urgency"] == "high"
    verify_vapid(req.headers["authorization"], public_key=keys.public_key, aud=push_service.base,
                 sub="mailto:it@example.com")
    sub = PushSubscription.objects.get()
    assert sub.last_success_at is not None and sub.failures == 0


def test_a_different_subscriber_key_cannot_decrypt(person, browser):
    """The check above can fail: the same body does not open with another browser's key."""
    vapid_keys_generate(actor=None, subject="mailto:it@example.com")
    with StandIn(lambda req: (201, {})) as push_service:
        subscribe(person, browser, f"{push_service.base}/push/x")
        get_channel("webpush").send(Message(recipient_id=person.pk, address="1", kind="k", subject="s", text="t"))
    other = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(Exception):  # noqa: B017 - any decryption failure
        http_ece.decrypt(push_service.requests[0].body, private_key=other, auth_secret=browser["auth_raw"],
                         version="aes128gcm")


def test_normal_urgency_and_digest_count(person, browser):
    vapid_keys_generate(actor=None, subject="mailto:it@example.com")
    with StandIn(lambda req: (201, {})) as push_service:
        subscribe(person, browser, f"{push_service.base}/push/d")
        get_channel("webpush").send(Message(recipient_id=person.pk, address="1", kind="feedback_received",
                                            subject="3 条新反馈", text="…", count=3))
    req = push_service.requests[0]
    assert req.headers["urgency"] == "normal"
    body = json.loads(http_ece.decrypt(req.body, private_key=browser["private"], auth_secret=browser["auth_raw"],
                                       version="aes128gcm"))
    assert body["count"] == 3 and body["url"] == ""


@pytest.mark.parametrize("status", [404, 410])
def test_gone_subscription_is_removed(person, browser, status):
    vapid_keys_generate(actor=None, subject="mailto:it@example.com")
    with StandIn(lambda req: (status, {})) as push_service:
        subscribe(person, browser, f"{push_service.base}/push/old")
        result = get_channel("webpush").send(Message(recipient_id=person.pk, address="1", kind="k", subject="s",
                                                     text="t"))
    assert not result.ok and result.retry is False
    assert not PushSubscription.objects.exists()


def test_unreachable_push_service_is_retryable_and_counted(person, browser):
    vapid_keys_generate(actor=None, subject="mailto:it@example.com")
    with StandIn(lambda req: (201, {})) as closed:
        endpoint = f"{closed.base}/push/gone-away"
    subscribe(person, browser, endpoint)  # the server is shut down: connection refused
    result = get_channel("webpush").send(Message(recipient_id=person.pk, address="1", kind="k", subject="s",
                                                 text="t"))
    assert not result.ok and result.retry is True
    assert PushSubscription.objects.get().failures == 1


def test_available_and_addresses(person, browser, world):
    channel = get_channel("webpush")
    assert channel.available() is False
    vapid_keys_generate(actor=None, subject="mailto:it@example.com")
    assert channel.available() is True
    subscribe(person, browser, "https://push.example.com/a")
    subscribe(person, browser, "https://push.example.com/b")
    outsider = world.emp(world.outsider)
    assert channel.addresses([person.pk, outsider.pk]) == {person.pk: "2 device(s)"}


def test_vapid_keys_command_refuses_to_overwrite_without_rotate(capsys, person, browser):
    call_command("vapid-keys", "--subject", "mailto:it@example.com")
    keys = VapidKeys.objects.get()
    assert capsys.readouterr().out.strip() == keys.public_key
    assert len(unb64u(keys.public_key)) == 65
    # The private key is stored encrypted: the raw column holds a ciphertext, not a PEM.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT private_key FROM notifications_vapidkeys")
        (raw,) = cur.fetchone()
    assert raw.startswith("enc2:") and "PRIVATE KEY" not in raw
    assert "PRIVATE KEY" in keys.private_key
    with pytest.raises(CommandError):
        call_command("vapid-keys", "--subject", "mailto:it@example.com")
    subscribe(person, browser, "https://push.example.com/a")
    call_command("vapid-keys", "--subject", "mailto:it@example.com", "--rotate")
    assert VapidKeys.objects.get().public_key != keys.public_key
    assert not PushSubscription.objects.exists()  # made for the old key
