"""Group bots: request formats and signatures against the vendors' published examples, and the rule that no
personal result is ever routed to a group."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from talentloop.core.access import actor_for
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.notifications import groupbots, kinds
from talentloop.notifications.channel_services import group_bot_create, group_bot_update
from talentloop.notifications.groupbots import dingtalk_sign, feishu_sign, hmac_sha256_b64, post_to_groups, request_for
from talentloop.notifications.models import GroupBot
from talentloop.notifications.tests.channel_factories import GroupBotFactory
from talentloop.notifications.tests.channel_standin import StandIn

pytestmark = pytest.mark.django_db

SAFE = "review_cycle_open"
CYCLE = {"cycle": "2026 上半年绩效评估", "cycle_en": "H1 2026 review", "self_due": "2026-07-15"}


# ---------------------------------------------------------------- published vectors


def test_dingtalk_hmac_primitive_matches_dingtalk_published_sample():
    """DingTalk's server-API signature FAQ (ding-doc.dingtalk.com/doc#/faquestions/hxs5v9, bottom) publishes:
    timestamp 1546084445901, appSecret "testappSecret" -> "HCbG3xNE3vzhO+u7qCUL1jS5hsu2n5r2cFhnTrtyDAE=",
    URL-encoded "HCbG3xNE3vzhO%2Bu7qCUL1jS5hsu2n5r2cFhnTrtyDAE%3D" (reproduced in the spec of the public
    francistm/dingtalk-sdk, spec/dingtalk_spec.rb). That is HmacSHA256(key=secret, msg=timestamp) + Base64 +
    urlEncode — the same three steps the robot "加签" uses, with another string to sign."""
    assert hmac_sha256_b64("testappSecret", "1546084445901") == "HCbG3xNE3vzhO+u7qCUL1jS5hsu2n5r2cFhnTrtyDAE="
    assert urllib.parse.quote_plus(hmac_sha256_b64("testappSecret", "1546084445901")) == \
        "HCbG3xNE3vzhO%2Bu7qCUL1jS5hsu2n5r2cFhnTrtyDAE%3D"


def test_dingtalk_robot_sign_follows_the_documented_java_sample():
    """DingTalk publishes no timestamp/secret -> sign pair for robots; its doc ("自定义机器人安全设置", 加签) gives
    Java code, re-read here independently with the `cryptography` library:
        stringToSign = timestamp + "\\n" + secret;
        mac.init(new SecretKeySpec(secret.getBytes("UTF-8"), "HmacSHA256"));
        URLEncoder.encode(new String(Base64.encodeBase64(mac.doFinal(stringToSign.getBytes("UTF-8")))), "UTF-8")"""
    secret, ts = "SEC" + "f" * 64, 1577262236757
    mac = crypto_hmac.HMAC(secret.encode("utf-8"), hashes.SHA256())
    mac.update(f"{ts}\n{secret}".encode())
    java_reading = urllib.parse.quote(base64.b64encode(mac.finalize()).decode(), safe="")  # URLEncoder: + / = escaped
    assert dingtalk_sign(secret, ts) == java_reading
    assert "%" in dingtalk_sign(secret, ts) or "+" not in dingtalk_sign(secret, ts)


def test_feishu_sign_follows_the_documented_python_sample():
    """Feishu publishes no concrete vector either; its custom-bot doc (open.feishu.cn/document/client-docs/
    bot-v3/add-custom-bot, 签名校验) gives this Python 3 sample — note the key is "timestamp\\nsecret" and the
    message is EMPTY (unlike DingTalk):
        key_enc = f'{timestamp}\\n{secret}'.encode('utf-8'); msg_enc = "".encode('utf-8')
        hmac_code = hmac.new(key_enc, msg_enc, digestmod=sha256).digest()
        sign = base64.b64encode(hmac_code).decode('utf-8')
    The same reading is implemented in the public Go package lynnclub/go (v1/sign/feishu.go)."""
    secret, ts = "demo-secret-Feishu", 1599360473
    sample = base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", digestmod=hashlib.sha256).digest()).decode()
    assert feishu_sign(secret, ts) == sample
    # and it is not DingTalk's construction (a mix-up would pass a test written from our own reading only)
    assert feishu_sign(secret, ts) != hmac_sha256_b64(secret, f"{ts}\n{secret}")


# ---------------------------------------------------------------- formats against stand-ins


def _route_for(vendor, secret=""):
    def route(req):
        assert req.method == "POST"
        assert req.headers["content-type"].startswith("application/json")
        body = req.json()
        if vendor == "dingtalk":
            assert req.path == "/robot/send" and req.query["access_token"] == "robot-token"
            assert body == {"msgtype": "text", "text": {"content": body["text"]["content"]}}
            if secret:
                ts = int(req.query["timestamp"])
                # The server's check: recompute from the received timestamp (the query arrives URL-encoded once).
                assert req.query["sign"] == hmac_sha256_b64(secret, f"{ts}\n{secret}")
            return 200, {"errcode": 0, "errmsg": "ok"}
        if vendor == "feishu":
            assert req.path == "/open-apis/bot/v2/hook/0f5a-hook"
            assert body["msg_type"] == "text" and set(body["content"]) == {"text"}
            if secret:
                assert isinstance(body["timestamp"], str) and body["timestamp"].isdigit()
                assert body["sign"] == base64.b64encode(hmac.new(f"{body['timestamp']}\n{secret}".encode(), b"",
                                                                 hashlib.sha256).digest()).decode()
            else:
                assert "sign" not in body
            return 200, {"code": 0, "msg": "success", "data": {}}
        assert req.path == "/cgi-bin/webhook/send" and req.query == {"key": "693a91f6-7xxx"}
        assert body == {"msgtype": "text", "text": {"content": body["text"]["content"]}}
        return 200, {"errcode": 0, "errmsg": "ok"}
    return route


WEBHOOK = {"dingtalk": "/robot/send?access_token=robot-token", "feishu": "/open-apis/bot/v2/hook/0f5a-hook",
           "wecom": "/cgi-bin/webhook/send?key=693a91f6-7xxx"}


@pytest.mark.parametrize("vendor,secret", [("dingtalk", ""), ("dingtalk", "SEC0123abc+/="), ("feishu", ""),
                                           ("feishu", "fs-secret"), ("wecom", "")])
def test_group_post_format_and_signature(world, vendor, secret, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the organisation's language; the test runs in English
    with StandIn(_route_for(vendor, secret)) as api:
        GroupBotFactory(org_unit=world.platform, vendor=vendor, webhook_url=api.base + WEBHOOK[vendor],
                        signing_secret=secret, kinds=[SAFE])
        sent = post_to_groups(org_unit_id=world.platform.pk, kind=SAFE, data=CYCLE)
    api.raise_errors()
    assert sent == 1 and len(api.requests) == 1
    body = api.requests[0].json()
    text = body["text"]["content"] if vendor != "feishu" else body["content"]["text"]
    assert "2026 上半年绩效评估" in text  # rendered in the organisation's language (zh-hans), not the test's en


def test_dingtalk_signed_url_keeps_the_webhook_token_and_encodes_sign_once():
    bot = GroupBot(vendor="dingtalk", webhook_url="https://oapi.dingtalk.com/robot/send?access_token=T",
                   signing_secret="SECabc")
    url, _body = request_for(bot, "hi", now=1577262236.757)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["T"] and query["timestamp"] == ["1577262236757"]
    assert query["sign"] == [hmac_sha256_b64("SECabc", "1577262236757\nSECabc")]


def test_only_the_units_own_enabled_bots_subscribed_to_the_kind(world):
    with StandIn(_route_for("wecom")) as api:
        url = api.base + WEBHOOK["wecom"]
        GroupBotFactory(org_unit=world.platform, webhook_url=url, kinds=[SAFE])
        GroupBotFactory(org_unit=world.platform, webhook_url=url, kinds=[SAFE], enabled=False)
        GroupBotFactory(org_unit=world.platform, webhook_url=url, kinds=[])
        GroupBotFactory(org_unit=world.rnd, webhook_url=url, kinds=[SAFE])  # the parent unit: not posted to
        assert post_to_groups(org_unit_id=world.platform.pk, kind=SAFE, data=CYCLE) == 1
    assert len(api.requests) == 1


def test_a_refusing_group_is_not_counted(world):
    with StandIn(lambda req: (200, {"errcode": 310000, "errmsg": "sign not match"})) as api:
        GroupBotFactory(org_unit=world.platform, vendor="dingtalk", webhook_url=api.base + WEBHOOK["dingtalk"])
        assert post_to_groups(org_unit_id=world.platform.pk, kind=SAFE, data=CYCLE) == 0


# ---------------------------------------------------------------- no personal result in a group


def personal_kinds():
    return [k for k in kinds.all_kinds() if k.personal]


def test_the_registry_has_personal_kinds_to_check():
    keys = {k.key for k in personal_kinds()}
    assert {"score_updated", "alert_opened", "feedback_received"} <= keys
    assert all(not k.group_safe for k in personal_kinds())


@pytest.mark.parametrize("kind", [k.key for k in personal_kinds()])
def test_no_personal_kind_is_ever_posted_to_a_group(world, kind):
    with StandIn(lambda req: (200, {"errcode": 0, "errmsg": "ok"})) as api:
        # Even a bot stored (by hand, past the service's check) with the personal kind gets nothing.
        GroupBotFactory(org_unit=world.platform, webhook_url=api.base + WEBHOOK["wecom"], kinds=[kind, SAFE])
        with pytest.raises(PermissionDenied):
            post_to_groups(org_unit_id=world.platform.pk, kind=kind, data={"person": "李雷", "score": 42})
    assert api.requests == []


def test_unknown_kind_is_refused(world):
    with pytest.raises(PermissionDenied):
        post_to_groups(org_unit_id=world.platform.pk, kind="no-such-kind", data={})


@pytest.mark.parametrize("kind", [k.key for k in personal_kinds()])
def test_a_bot_configured_with_a_personal_kind_is_refused(world, kind):
    hr = actor_for(world.hr)
    with pytest.raises(InvalidInput) as exc:
        group_bot_create(actor=hr, org_unit=world.platform, vendor="wecom", name="平台群",
                         webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", kinds=[SAFE, kind])
    assert "kinds" in exc.value.errors
    assert not GroupBot.objects.exists()
    bot = group_bot_create(actor=hr, org_unit=world.platform, vendor="wecom", name="平台群",
                           webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", kinds=[SAFE])
    with pytest.raises(InvalidInput):
        group_bot_update(actor=hr, bot=bot, name="平台群", kinds=[kind], enabled=True)
    bot.refresh_from_db()
    assert bot.kinds == [SAFE]


def test_group_safe_kinds_offered_are_exactly_the_registered_safe_ones():
    offered = {k.key for k in groupbots.group_safe_kinds()}
    assert SAFE in offered
    assert offered == {k.key for k in kinds.all_kinds() if k.group_safe and not k.personal}


def test_test_post_names_the_kinds_and_nobody(world, settings):
    settings.LANGUAGE_CODE = "en"
    with StandIn(_route_for("wecom")) as api:
        bot = GroupBotFactory(org_unit=world.platform, webhook_url=api.base + WEBHOOK["wecom"], kinds=[SAFE])
        from django.test import Client

        c = Client()
        c.force_login(world.hr)
        response = c.post(f"/notifications/group-bots/{bot.pk}/test/")
    api.raise_errors()
    assert response.status_code == 302
    text = api.requests[0].json()["text"]["content"]
    assert "Review cycle open" in text and "Test message" in text


@pytest.mark.parametrize("vendor,answer", [("wecom", {"errcode": {"x": 1}}), ("feishu", ["ok"]),
                                           ("dingtalk", "<html>")])
def test_a_group_reply_of_another_shape_is_a_failed_post_not_a_crash(world, vendor, answer):
    with StandIn(lambda req: (200, answer)) as api:
        GroupBotFactory(org_unit=world.platform, vendor=vendor, webhook_url=api.base + WEBHOOK[vendor], kinds=[SAFE])
        assert post_to_groups(org_unit_id=world.platform.pk, kind=SAFE, data=CYCLE) == 0


def test_an_older_feishu_bot_answering_statuscode_is_understood(world):
    with StandIn(lambda req: (200, {"StatusCode": 0, "StatusMessage": "success"})) as api:
        GroupBotFactory(org_unit=world.platform, vendor="feishu", webhook_url=api.base + WEBHOOK["feishu"],
                        kinds=[SAFE])
        assert post_to_groups(org_unit_id=world.platform.pk, kind=SAFE, data=CYCLE) == 1
