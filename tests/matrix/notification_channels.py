"""Access matrix rows: the delivery channels (issue 5). Statuses written by hand from these rules:

- the chat apps' credentials (the "Channels" page) are administrators' only;
- group bots are HR's (here HR covers the whole organisation); the API answers 403 to others and 404 for
  a bot they cannot see;
- chat identities are set by HR (their scope) and administrators;
- everyone signed in reads the VAPID public key; a person adds and removes their own push subscriptions —
  the admin has no employee record, so cannot subscribe (403).

Columns: anonymous, employee, manager, mentor, hr, admin, outsider.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

N = "/notifications"
A = "/api/v1/notifications"
P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"
HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix"
BOT_FORM = {"org_unit": "{platform}", "vendor": "wecom", "name": "平台群", "webhook_url": HOOK,
            "kinds": "review_cycle_open", "enabled": "on"}

#                                                                          anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("notifications/channels/", "GET", f"{N}/channels/",               (302, 404, 404, 404, 404, 200, 404)),
    Row("notifications/channels/<str:vendor>/", "GET", f"{N}/channels/wecom/", (302, 404, 404, 404, 404, 200, 404)),
    Row("notifications/channels/<str:vendor>/", "POST", f"{N}/channels/dingtalk/",
        (302, 404, 404, 404, 404, 302, 404), body={"client_id": "ding-key", "agent_id": "2233", "secret": "s",
                                                   "receive_id_type": "user_id", "enabled": "on"}),
    Row("notifications/channels/<str:vendor>/", "GET", f"{N}/channels/slack/",
        (302, 404, 404, 404, 404, 404, 404), label="unknown platform"),
    Row("notifications/group-bots/", "GET", f"{N}/group-bots/",           (302, 404, 404, 404, 200, 404, 404)),
    Row("notifications/group-bots/new/", "GET", f"{N}/group-bots/new/",   (302, 404, 404, 404, 200, 404, 404)),
    Row("notifications/group-bots/new/", "POST", f"{N}/group-bots/new/",  (302, 404, 404, 404, 302, 404, 404),
        body=BOT_FORM),
    Row("notifications/group-bots/<int:pk>/", "GET", f"{N}/group-bots/{{nc_bot}}/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("notifications/group-bots/<int:pk>/", "POST", f"{N}/group-bots/{{nc_bot}}/",
        (302, 404, 404, 404, 302, 404, 404), body={"name": "平台群", "kinds": "review_cycle_open", "enabled": "on"}),
    # The matrix bot posts to a closed local port: the refusal is reported on the page (302 back to it).
    Row("notifications/group-bots/<int:pk>/test/", "POST", f"{N}/group-bots/{{nc_bot}}/test/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
    Row("notifications/group-bots/<int:pk>/delete/", "POST", f"{N}/group-bots/{{nc_bot}}/delete/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
    Row("notifications/im-identities/", "GET", f"{N}/im-identities/",     (302, 404, 404, 404, 200, 200, 404)),
    Row("notifications/im-identities/", "POST", f"{N}/im-identities/",    (302, 404, 404, 404, 302, 302, 404),
        body={"employee_number": "T-employee", "vendor": "wecom", "external_id": "matrix-employee"}),
    Row("notifications/im-identities/import/", "POST", f"{N}/im-identities/import/",
        (302, 404, 404, 404, 302, 302, 404), body={"text": "T-employee,dingtalk,matrix-dd"}),
    Row("notifications/im-identities/<int:pk>/delete/", "POST", f"{N}/im-identities/{{nc_identity}}/delete/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
]

API = [
    Row(f"{A}/push/key", "GET", f"{A}/push/key",                          (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/push/subscriptions", "GET", f"{A}/push/subscriptions",      (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{A}/push/subscriptions", "POST", f"{A}/push/subscriptions",     (401, 201, 201, 201, 201, 403, 201),
        body={"endpoint": "https://push.example.com/matrix", "keys": {"p256dh": P256DH, "auth": AUTH}}),
    Row(f"{A}/push/subscriptions", "DELETE", f"{A}/push/subscriptions",   (401, 200, 200, 200, 200, 403, 200),
        body={"endpoint": "https://push.example.com/matrix"}),
    Row(f"{A}/group-bots", "GET", f"{A}/group-bots",                      (401, 403, 403, 403, 200, 403, 403)),
    Row(f"{A}/group-bots", "POST", f"{A}/group-bots",                     (401, 403, 403, 403, 201, 403, 403),
        body={"org_unit_id": "{platform}", "vendor": "wecom", "name": "平台群", "webhook_url": HOOK,
              "kinds": ["review_cycle_open"]}),
    Row(f"{A}/group-bots/{{bot_id}}", "DELETE", f"{A}/group-bots/{{nc_bot}}", (401, 404, 404, 404, 204, 404, 404)),
    Row(f"{A}/im-identities", "GET", f"{A}/im-identities",                (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/im-identities", "POST", f"{A}/im-identities",               (401, 403, 403, 403, 200, 200, 403),
        body={"employee_id": "{employee}", "vendor": "feishu", "external_id": "ou_matrix"}),
    Row(f"{A}/im-identities/{{identity_id}}", "DELETE", f"{A}/im-identities/{{nc_identity}}",
        (401, 404, 404, 404, 204, 204, 404)),
]


def keys(world) -> dict:
    from talentloop.notifications.channel_services import vapid_keys_generate
    from talentloop.notifications.models import GroupBot, ImIdentity, VapidKeys

    if not VapidKeys.objects.exists():
        vapid_keys_generate(actor=None, subject="mailto:matrix@example.com")
    bot = GroupBot.objects.create(org_unit=world.platform, vendor="wecom", name="矩阵群",
                                  webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix",
                                  kinds=["review_cycle_open"])
    identity = ImIdentity.objects.create(employee=world.emp(world.outsider), vendor="wecom", external_id="matrix-out")
    return {"nc_bot": bot.pk, "nc_identity": identity.pk}
