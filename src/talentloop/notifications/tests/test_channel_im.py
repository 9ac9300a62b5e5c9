"""WeCom, DingTalk and Feishu personal messages against local stand-ins that check each vendor's documented
request format (path, query, method, Content-Type, Authorization, JSON fields) and answer with the documented
response shapes — including an expired token refused once and the retry that follows with a fresh one."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.cache import cache

from talentloop.notifications.channels import CHANNELS, Message, dingtalk, email, feishu, get_channel, webpush, wecom
from talentloop.notifications.tests.channel_factories import ImCredentialsFactory, ImIdentityFactory
from talentloop.notifications.tests.channel_standin import StandIn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def msg(person, address, url="", text="你的反馈已收到"):
    return Message(recipient_id=person.pk, address=address, kind="feedback_received", subject="收到反馈",
                   text=text, url=url)


def json_ct(req):
    assert req.headers["content-type"].startswith("application/json"), req.headers


# ---------------------------------------------------------------- WeCom


class WeCom:
    """Tokens tok-1, tok-2...; the first ``expire_first`` sends answer 42001 (token expired)."""

    def __init__(self, expire_first: int = 0, send_answer: dict | None = None):
        self.issued = 0
        self.expire_first = expire_first
        self.send_answer = send_answer or {"errcode": 0, "errmsg": "ok", "invaliduser": "", "invalidparty": "",
                                           "invalidtag": "", "unlicenseduser": "", "msgid": "msg-77",
                                           "response_code": ""}
        self.sends = 0

    def __call__(self, req):
        if req.path == "/cgi-bin/gettoken":
            assert req.method == "GET"
            assert req.query == {"corpid": "ww-corp", "corpsecret": "s3cret-app"}
            self.issued += 1
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": f"tok-{self.issued}", "expires_in": 7200}
        assert req.path == "/cgi-bin/message/send" and req.method == "POST"
        json_ct(req)
        body = req.json()
        assert body["touser"] == "zhangsan" and body["agentid"] == 1000002 and isinstance(body["agentid"], int)
        assert body["msgtype"] in ("text", "textcard")
        assert body[body["msgtype"]]  # the object named by msgtype is present
        self.sends += 1
        if self.sends <= self.expire_first:
            assert req.query == {"access_token": "tok-1"}
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        assert req.query == {"access_token": f"tok-{self.issued}"}
        return 200, self.send_answer


def test_wecom_text_message(world):
    person = world.emp(world.employee)
    fake = WeCom()
    with StandIn(fake) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        ImIdentityFactory(employee=person, vendor="wecom", external_id="zhangsan")
        channel = get_channel("wecom")
        assert channel.available() and channel.addresses([person.pk]) == {person.pk: "zhangsan"}
        result = channel.send(msg(person, "zhangsan"))
        # A second message reuses the cached token: no second gettoken.
        channel.send(msg(person, "zhangsan"))
    api.raise_errors()
    assert result.ok and result.external_id == "msg-77"
    assert fake.issued == 1
    body = api.requests[1].json()
    assert body["msgtype"] == "text" and "你的反馈已收到" in body["text"]["content"]


def test_wecom_textcard_when_there_is_a_link(world):
    person = world.emp(world.employee)
    with StandIn(WeCom()) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        result = get_channel("wecom").send(msg(person, "zhangsan", url="https://hr.example.com/n/1"))
    api.raise_errors()
    assert result.ok
    card = api.requests[1].json()["textcard"]
    assert card["url"] == "https://hr.example.com/n/1" and card["title"] == "收到反馈" and card["description"]
    assert set(card) == {"title", "description", "url", "btntxt"}


def test_wecom_limits_are_counted_in_bytes(world):
    person = world.emp(world.employee)
    with StandIn(WeCom()) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        get_channel("wecom").send(msg(person, "zhangsan", url="https://hr.example.com/n/1", text="长" * 400))
        get_channel("wecom").send(msg(person, "zhangsan", text="长" * 1000))
    api.raise_errors()
    card = api.requests[1].json()["textcard"]
    assert len(card["description"].encode()) <= 512 and card["description"] == "长" * 170
    assert len(api.requests[2].json()["text"]["content"].encode()) <= 2048


def test_wecom_expired_token_is_refreshed_once_and_retried(world):
    person = world.emp(world.employee)
    fake = WeCom(expire_first=1)
    with StandIn(fake) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        result = get_channel("wecom").send(msg(person, "zhangsan"))
    api.raise_errors()
    assert result.ok
    assert [r.path for r in api.requests] == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/gettoken",
                                              "/cgi-bin/message/send"]
    assert api.requests[3].query["access_token"] == "tok-2"


def test_wecom_refused_twice_stops(world):
    person = world.emp(world.employee)
    with StandIn(WeCom(expire_first=5)) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        result = get_channel("wecom").send(msg(person, "zhangsan"))
    assert not result.ok and result.retry is True
    assert len(api.requests) == 4  # token, send, fresh token, send — and no more


def test_wecom_unknown_user_is_not_retried_and_secret_not_in_error(world):
    person = world.emp(world.employee)
    answer = {"errcode": 0, "errmsg": "ok", "invaliduser": "zhangsan", "msgid": ""}
    with StandIn(WeCom(send_answer=answer)) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        result = get_channel("wecom").send(msg(person, "zhangsan"))
    assert not result.ok and result.retry is False
    assert "s3cret" not in result.error and "tok-" not in result.error


def test_wecom_wrong_credentials(world):
    person = world.emp(world.employee)

    def route(req):
        return 200, {"errcode": 40001, "errmsg": "invalid credential"}

    with StandIn(route) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        result = get_channel("wecom").send(msg(person, "zhangsan"))
    assert not result.ok and result.retry is False and "40001" in result.error


def test_unreachable_vendor_is_retryable_without_secrets_in_error(world):
    person = world.emp(world.employee)
    with StandIn(lambda req: (200, {})) as closed:
        base = closed.base
    ImCredentialsFactory(vendor="wecom", api_base=base)
    result = get_channel("wecom").send(msg(person, "zhangsan"))
    assert not result.ok and result.retry is True
    assert "s3cret" not in result.error and "corpsecret" not in result.error


def test_not_configured_or_disabled(world):
    person = world.emp(world.employee)
    channel = get_channel("dingtalk")
    assert channel.available() is False
    ImCredentialsFactory(vendor="dingtalk", enabled=False)
    assert channel.available() is False
    result = channel.send(msg(person, "x"))
    assert not result.ok and result.retry is False


# ---------------------------------------------------------------- DingTalk


class DingTalk:
    def __init__(self, expire_first: int = 0):
        self.issued = 0
        self.expire_first = expire_first
        self.sends = 0

    def __call__(self, req):
        if req.path == "/gettoken":
            assert req.method == "GET"
            assert req.query == {"appkey": "ding-key", "appsecret": "s3cret-app"}
            self.issued += 1
            return 200, {"errcode": 0, "access_token": f"dt-{self.issued}", "errmsg": "ok", "expires_in": 7200}
        assert req.path == "/topapi/message/corpconversation/asyncsend_v2" and req.method == "POST"
        json_ct(req)
        assert req.query == {"access_token": f"dt-{self.issued}"}
        body = req.json()
        assert body["agent_id"] == 2233 and body["userid_list"] == "lisi"
        assert body["msg"]["msgtype"] in ("text", "action_card")
        self.sends += 1
        if self.sends <= self.expire_first:
            return 200, {"errcode": 40014, "errmsg": "不合法的access_token"}
        return 200, {"errcode": 0, "errmsg": "ok", "task_id": 256271667526, "request_id": "4jzllmte0wau"}


def test_dingtalk_work_notification(world):
    person = world.emp(world.employee)
    with StandIn(DingTalk()) as api:
        ImCredentialsFactory(vendor="dingtalk", client_id="ding-key", agent_id="2233", api_base=api.base)
        ImIdentityFactory(employee=person, vendor="dingtalk", external_id="lisi")
        channel = get_channel("dingtalk")
        address = channel.addresses([person.pk])[person.pk]
        result = channel.send(msg(person, address))
    api.raise_errors()
    assert result.ok and result.external_id == "256271667526"
    body = api.requests[1].json()
    assert body["msg"] == {"msgtype": "text", "text": {"content": "收到反馈\n你的反馈已收到"}}


def test_dingtalk_action_card_and_token_retry(world):
    person = world.emp(world.employee)
    fake = DingTalk(expire_first=1)
    with StandIn(fake) as api:
        ImCredentialsFactory(vendor="dingtalk", client_id="ding-key", agent_id="2233", api_base=api.base)
        result = get_channel("dingtalk").send(msg(person, "lisi", url="https://hr.example.com/n/2"))
    api.raise_errors()
    assert result.ok and fake.issued == 2
    card = api.requests[-1].json()["msg"]["action_card"]
    assert card["single_url"] == "https://hr.example.com/n/2" and card["title"] and card["markdown"]


# ---------------------------------------------------------------- Feishu


class Feishu:
    def __init__(self, expire_first: int = 0):
        self.issued = 0
        self.expire_first = expire_first
        self.sends = 0

    def __call__(self, req):
        if req.path == "/open-apis/auth/v3/tenant_access_token/internal":
            assert req.method == "POST"
            json_ct(req)
            assert req.json() == {"app_id": "cli_a1", "app_secret": "s3cret-app"}
            self.issued += 1
            return 200, {"code": 0, "msg": "ok", "tenant_access_token": f"t-{self.issued}", "expire": 7200}
        assert req.path == "/open-apis/im/v1/messages" and req.method == "POST"
        json_ct(req)
        assert req.query == {"receive_id_type": "open_id"}
        assert req.headers["authorization"] == f"Bearer t-{self.issued}"
        body = req.json()
        assert set(body) == {"receive_id", "msg_type", "content"}
        assert body["receive_id"] == "ou_7d8a6e6df7621556ce0d21922b676706ccs" and body["msg_type"] == "text"
        assert isinstance(body["content"], str)  # a JSON *string*, as documented
        assert set(json.loads(body["content"])) == {"text"}
        self.sends += 1
        if self.sends <= self.expire_first:
            return 400, {"code": 99991663, "msg": "Invalid access token for authorization."}
        return 200, {"code": 0, "msg": "success", "data": {"message_id": "om_dc13264520392913993dd051dba21dcf",
                                                           "msg_type": "text"}}


def test_feishu_message_with_token_retry(world):
    person = world.emp(world.employee)
    fake = Feishu(expire_first=1)
    with StandIn(fake) as api:
        ImCredentialsFactory(vendor="feishu", client_id="cli_a1", agent_id="", api_base=api.base,
                             receive_id_type="open_id")
        result = get_channel("feishu").send(msg(person, "ou_7d8a6e6df7621556ce0d21922b676706ccs",
                                                url="https://hr.example.com/n/3"))
    api.raise_errors()
    assert result.ok and result.external_id == "om_dc13264520392913993dd051dba21dcf"
    assert fake.issued == 2
    text = json.loads(api.requests[-1].json()["content"])["text"]
    assert "你的反馈已收到" in text and "https://hr.example.com/n/3" in text


def test_cached_token_is_reused_while_the_credentials_are_unchanged(world):
    person = world.emp(world.employee)
    fake = Feishu()
    with StandIn(fake) as api:
        creds = ImCredentialsFactory(vendor="feishu", client_id="cli_a1", api_base=api.base, receive_id_type="open_id")
        get_channel("feishu").send(msg(person, "ou_7d8a6e6df7621556ce0d21922b676706ccs"))
        creds.secret = "s3cret-app"  # same value: cached token still valid
        creds.save()
        get_channel("feishu").send(msg(person, "ou_7d8a6e6df7621556ce0d21922b676706ccs"))
        assert fake.issued == 1
    api.raise_errors()


# ---------------------------------------------------------------- typed replies, logs, registry


@pytest.mark.parametrize("send_answer", [{"errcode": "not a number", "errmsg": "ok"}, {"errcode": 0, "msgid": [1]}])
def test_a_reply_of_another_shape_is_a_clear_delivery_error(world, send_answer):
    person = world.emp(world.employee)
    with StandIn(WeCom(send_answer=send_answer)) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        result = get_channel("wecom").send(msg(person, "zhangsan"))
    api.raise_errors()
    assert not result.ok and result.retry is False
    assert "unexpected reply" in result.error and "127.0.0.1" in result.error
    assert "tok-" not in result.error and "s3cret" not in result.error


def test_a_token_reply_that_is_not_an_object_is_a_clear_error(world):
    person = world.emp(world.employee)
    with StandIn(lambda req: (200, [1, 2, 3])) as api:
        ImCredentialsFactory(vendor="dingtalk", client_id="ding-key", agent_id="2233", api_base=api.base)
        result = get_channel("dingtalk").send(msg(person, "lisi"))
    assert not result.ok and result.retry is False and "unexpected reply" in result.error


def test_no_log_line_carries_a_token_or_secret(world, caplog):
    person = world.emp(world.employee)
    caplog.set_level(logging.DEBUG)
    with StandIn(WeCom(expire_first=1)) as api:
        ImCredentialsFactory(vendor="wecom", api_base=api.base)
        assert get_channel("wecom").send(msg(person, "zhangsan")).ok
    with StandIn(lambda req: (200, "<html>")) as api:
        ImCredentialsFactory(vendor="dingtalk", client_id="ding-key", agent_id="2233", api_base=api.base)
        get_channel("dingtalk").send(msg(person, "lisi"))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "tok-" not in text and "s3cret" not in text and "access_token=" not in text


def test_the_registry_is_the_vendor_packages_in_offering_order():
    assert list(CHANNELS) == ["email", "webpush", "wecom", "dingtalk", "feishu"]
    assert CHANNELS["wecom"] is wecom.CHANNEL and CHANNELS["dingtalk"] is dingtalk.CHANNEL
    assert CHANNELS["feishu"] is feishu.CHANNEL and CHANNELS["email"] is email.CHANNEL
    assert CHANNELS["webpush"] is webpush.CHANNEL
    assert all(get_channel(key).key == key for key in CHANNELS)
    with pytest.raises(KeyError):
        get_channel("slack")
