"""Group bots: team-level news posted into a group chat through its custom robot's webhook.

A group chat is read by many people, so only kinds registered with ``group_safe=True`` (and not
``personal``) may be posted — a score, an alert, an appeal or a rating never is. The check is made here, at
the door, whatever the caller; bot configuration refuses such kinds too (``channel_services``).

Bots are looked up for the org unit itself only, not its ancestors: a bot set up for a department's
group says what that group agreed to receive, and news of every sub-team flowing up into a parent's group
(or down into every child's) is a decision HR makes by adding a bot to that unit, not a side effect.

Formats (checked against the vendors' documentation):
- DingTalk custom robot: ``POST webhook[&timestamp=ms&sign=...]`` with ``{"msgtype": "text", "text":
  {"content": ...}}``; with "加签" the sign is urlencode(base64(HMAC-SHA256(key=secret,
  msg=f"{timestamp}\\n{secret}"))), timestamp in milliseconds. Answers ``{"errcode": 0, "errmsg": "ok"}``.
- Feishu custom bot: ``POST webhook`` with ``{"msg_type": "text", "content": {"text": ...}}`` and, with
  signature verification, ``"timestamp": "<seconds>"`` and ``"sign": base64(HMAC-SHA256(key=f"{timestamp}\\n
  {secret}", msg=b""))``. Answers ``{"code": 0, "msg": "success"}`` (older bots: ``{"StatusCode": 0}``).
- WeCom group robot: ``POST webhook`` (``?key=...``) with ``{"msgtype": "text", "text": {"content": ...}}``;
  no signature. Answers ``{"errcode": 0, "errmsg": "ok"}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
import urllib.parse

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from talentloop.core.errors import PermissionDenied
from talentloop.notifications import kinds
from talentloop.notifications.channels.dingtalk import client as dingtalk_client
from talentloop.notifications.channels.feishu import client as feishu_client
from talentloop.notifications.channels.http import HttpFailure, with_query
from talentloop.notifications.channels.wecom import client as wecom_client
from talentloop.notifications.models import GroupBot, Vendor

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2000


# ---------------------------------------------------------------- signatures


def hmac_sha256_b64(key: str, message: str) -> str:
    return base64.b64encode(hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk "加签": the value of the ``sign`` query parameter, already URL-encoded."""
    return urllib.parse.quote_plus(hmac_sha256_b64(secret, f"{timestamp_ms}\n{secret}"))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu custom bot signature: the key is "timestamp\\nsecret" and the message is empty."""
    return hmac_sha256_b64(f"{timestamp_s}\n{secret}", "")


# ---------------------------------------------------------------- kinds


def group_safe_kinds() -> list:
    return [k for k in kinds.all_kinds() if k.group_safe and not k.personal]


def ensure_group_safe(kind: str) -> object:
    """The registered kind, or PermissionDenied when it may not be posted to a group."""
    try:
        entry = kinds.get(kind)
    except (KeyError, LookupError):
        raise PermissionDenied(_("Unknown kind of notification: %(kind)s.") % {"kind": kind}) from None
    if not entry.group_safe or entry.personal:
        raise PermissionDenied(_("“%(kind)s” names a person's results and is never posted to a group chat.")
                               % {"kind": entry.label})
    return entry


# ---------------------------------------------------------------- posting


def request_for(bot: GroupBot, text: str, *, now: float | None = None) -> tuple[str, dict]:
    """The URL and JSON body of one post, signed when the bot has a signing secret."""
    now = time.time() if now is None else now
    if bot.vendor == Vendor.DINGTALK:
        url = bot.webhook_url
        if bot.signing_secret:
            ts = int(now * 1000)
            # The sign is URL-encoded already: add it to the query by hand so it is not encoded twice.
            url = with_query(url, {"timestamp": str(ts)}) + "&sign=" + dingtalk_sign(bot.signing_secret, ts)
        return url, {"msgtype": "text", "text": {"content": text}}
    if bot.vendor == Vendor.FEISHU:
        body: dict = {"msg_type": "text", "content": {"text": text}}
        if bot.signing_secret:
            ts = int(now)
            body = {"timestamp": str(ts), "sign": feishu_sign(bot.signing_secret, ts), **body}
        return bot.webhook_url, body
    return bot.webhook_url, {"msgtype": "text", "text": {"content": text}}


def _post(bot: GroupBot, url: str, body: dict) -> int:
    """Post through the vendor's client: the code of its typed reply (0 is success)."""
    if bot.vendor == Vendor.FEISHU:
        return feishu_client.post_webhook(url, body).result_code
    if bot.vendor == Vendor.DINGTALK:
        return dingtalk_client.post_webhook(url, body).errcode
    return wecom_client.post_webhook(url, body).errcode


def post_to_bot(bot: GroupBot, text: str) -> tuple[bool, str]:
    url, body = request_for(bot, text[:TEXT_LIMIT])
    try:
        code = _post(bot, url, body)
    except HttpFailure as exc:
        return False, str(exc)
    if code != 0:
        logger.info("group bot %s refused the message (code %s)", bot.pk, code)
        return False, f"code {code}"
    return True, ""


def bots_for(org_unit_id: int, kind: str) -> list[GroupBot]:
    # ``kinds`` is a JSON list: membership is checked here (JSON "contains" is not portable to SQLite).
    return [b for b in GroupBot.objects.filter(org_unit_id=org_unit_id, enabled=True) if kind in (b.kinds or [])]


def post_to_groups(*, org_unit_id: int, kind: str, data: dict) -> int:
    """Post one team-level message to every enabled bot of the unit subscribed to ``kind``; returns how
    many bots accepted it. Makes HTTP requests: call it after commit (from a task), never inside a transaction.
    Raises PermissionDenied, before any lookup or request, for a kind that is not group-safe."""
    entry = ensure_group_safe(kind)
    bots = bots_for(org_unit_id, kind)
    if not bots:
        return 0
    try:
        with translation.override(settings.LANGUAGE_CODE):
            text = str(entry.render(data))
    except (KeyError, TypeError, ValueError, AttributeError):
        logger.warning("group post of kind %s skipped: its data does not render", kind)
        return 0
    sent = 0
    for bot in bots:
        ok, _error = post_to_bot(bot, text)
        sent += int(ok)
    return sent


def post_test(bot: GroupBot) -> tuple[bool, str]:
    """A fixed test post naming nobody (what the group will receive), so HR can check the address and
    signing secret. Makes an HTTP request: not for use inside a transaction."""
    labels = {k.key: k.label for k in group_safe_kinds()}
    with translation.override(settings.LANGUAGE_CODE):
        kinds_text = "、".join(str(labels[k]) for k in bot.kinds if k in labels) or _("nothing yet")
        text = _("Test message from Talentloop. This group will receive: %(kinds)s.") % {"kinds": kinds_text}
    return post_to_bot(bot, text)
