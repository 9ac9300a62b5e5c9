"""Outbound webhook subscriptions and the personal calendar feed.

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- HR and the technical administrator use the webhook pages and endpoints; everyone else gets the
  pages' 404 and the API's 403. The subscription ``intg_subscription`` belongs to the administrator:
  its owner and HR (who sees every subscription) manage it. Creating and rotating answer the secret
  (the page's 200, the API's 201/200); disabling, enabling, deleting and replaying redirect (302).
- Connectors: HR and the technical administrator, like the webhook pages (everyone else: the pages'
  404, the API's 403). Creating and rotating answer the secret (200 page; the API's 201/200); saving
  the mappings, a change, deactivating, deleting and matching an account redirect (302).
- The calendar page is for anyone with an employee record (the administrator has none: 404). The
  feed address needs no session: its token is the credential, so every persona reads it (200).
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

W = "/integrations/webhooks"
A = "/api/v1/webhooks"
NEW = {"name": "矩阵端点", "url": "https://hooks.example.com/matrix", "event_types": ["employee.hired"]}
FORM = {"name": "矩阵端点", "url": "https://hooks.example.com/matrix", "event_types": "employee.hired"}
C = "/integrations/connectors"
CA = "/api/v1/connectors"
CONNECTOR = {"key": "matrix-gl", "name": "矩阵 GitLab", "kind": "gitlab", "base_url": "https://gitlab.example.com"}
CONNECTOR_FORM = {**CONNECTOR, "act_as": "{intg_hr_user}", "projects": "platform/api", "format": "csv",
                  "every_minutes": "60"}

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("integrations/webhooks/", "GET", f"{W}/",                         (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/webhooks/new/", "GET", f"{W}/new/",                 (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/webhooks/new/", "POST", f"{W}/new/",                (302, 404, 404, 404, 200, 200, 404),
        body=FORM),
    Row("integrations/webhooks/<int:pk>/", "GET", f"{W}/{{intg_subscription}}/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/webhooks/<int:pk>/edit/", "GET", f"{W}/{{intg_subscription}}/edit/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/webhooks/<int:pk>/edit/", "POST", f"{W}/{{intg_subscription}}/edit/",
        (302, 404, 404, 404, 302, 302, 404), body=FORM),
    Row("integrations/webhooks/<int:pk>/rotate/", "POST", f"{W}/{{intg_subscription}}/rotate/",
        (302, 404, 404, 404, 200, 200, 404), body={}),
    Row("integrations/webhooks/<int:pk>/disable/", "POST", f"{W}/{{intg_subscription}}/disable/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("integrations/webhooks/<int:pk>/enable/", "POST", f"{W}/{{intg_subscription}}/enable/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("integrations/webhooks/<int:pk>/delete/", "POST", f"{W}/{{intg_subscription}}/delete/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("integrations/webhooks/deliveries/<int:pk>/replay/", "POST", f"{W}/deliveries/{{intg_delivery}}/replay/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("integrations/connectors/", "GET", f"{C}/",                      (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/connectors/new/", "GET", f"{C}/new/",              (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/connectors/new/", "POST", f"{C}/new/",             (302, 404, 404, 404, 200, 200, 404),
        body=CONNECTOR_FORM),
    Row("integrations/connectors/<int:pk>/", "GET", f"{C}/{{intg_connector}}/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/connectors/<int:pk>/", "POST", f"{C}/{{intg_connector}}/",
        (302, 404, 404, 404, 302, 302, 404), body={"map-kind-0": "merged", "map-metric-0": ""}),
    Row("integrations/connectors/<int:pk>/edit/", "GET", f"{C}/{{intg_connector}}/edit/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/connectors/<int:pk>/edit/", "POST", f"{C}/{{intg_connector}}/edit/",
        (302, 404, 404, 404, 302, 302, 404), body={**CONNECTOR_FORM, "name": "改名"}),
    Row("integrations/connectors/<int:pk>/secret/", "GET", f"{C}/{{intg_connector}}/secret/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/connectors/<int:pk>/rotate/", "POST", f"{C}/{{intg_connector}}/rotate/",
        (302, 404, 404, 404, 200, 200, 404), body={}),
    Row("integrations/connectors/<int:pk>/toggle/", "POST", f"{C}/{{intg_connector}}/toggle/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("integrations/connectors/<int:pk>/delete/", "POST", f"{C}/{{intg_connector}}/delete/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("integrations/connectors/<int:pk>/accounts/", "GET", f"{C}/{{intg_connector}}/accounts/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("integrations/connectors/<int:pk>/accounts/", "POST", f"{C}/{{intg_connector}}/accounts/",
        (302, 404, 404, 404, 302, 302, 404), body={"account": "{intg_tool_account}", "unmatch": "1"}),
    Row("integrations/calendar/", "GET", "/integrations/calendar/",       (302, 200, 200, 200, 200, 404, 200)),
    Row("integrations/calendar/", "POST", "/integrations/calendar/",      (302, 200, 200, 200, 200, 404, 200),
        body={}),
    Row("integrations/calendar/revoke/", "POST", "/integrations/calendar/revoke/",
        (302, 302, 302, 302, 302, 404, 302), body={}),
    Row("integrations/calendar/<str:token>.ics", "GET", "/integrations/calendar/{intg_feed_token}.ics",
        (200, 200, 200, 200, 200, 200, 200)),
]

API = [
    Row(f"{A}/event-types", "GET", f"{A}/event-types",                    (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/subscriptions", "GET", f"{A}/subscriptions",                (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/subscriptions", "POST", f"{A}/subscriptions",               (401, 403, 403, 403, 201, 201, 403),
        body=NEW),
    Row(f"{A}/subscriptions/{{subscription_id}}", "GET", f"{A}/subscriptions/{{intg_subscription}}",
        (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/subscriptions/{{subscription_id}}", "PATCH", f"{A}/subscriptions/{{intg_subscription}}",
        (401, 403, 403, 403, 200, 200, 403), body={"name": "改名"}),
    Row(f"{A}/subscriptions/{{subscription_id}}", "DELETE", f"{A}/subscriptions/{{intg_subscription}}",
        (401, 403, 403, 403, 204, 204, 403)),
    Row(f"{A}/subscriptions/{{subscription_id}}/rotate", "POST", f"{A}/subscriptions/{{intg_subscription}}/rotate",
        (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/subscriptions/{{subscription_id}}/deliveries", "GET",
        f"{A}/subscriptions/{{intg_subscription}}/deliveries",           (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{A}/deliveries/{{delivery_id}}/replay", "POST", f"{A}/deliveries/{{intg_delivery}}/replay",
        (401, 403, 403, 403, 201, 201, 403)),
    Row(f"{CA}", "GET", f"{CA}",                                        (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{CA}", "POST", f"{CA}",                                       (401, 403, 403, 403, 201, 201, 403),
        body=CONNECTOR),
    Row(f"{CA}/{{connector_id}}", "GET", f"{CA}/{{intg_connector}}",     (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{CA}/{{connector_id}}", "PATCH", f"{CA}/{{intg_connector}}",   (401, 403, 403, 403, 200, 200, 403),
        body={"name": "改名"}),
    Row(f"{CA}/{{connector_id}}", "DELETE", f"{CA}/{{intg_connector}}",  (401, 403, 403, 403, 204, 204, 403)),
    Row(f"{CA}/{{connector_id}}/rotate", "POST", f"{CA}/{{intg_connector}}/rotate",
        (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{CA}/{{connector_id}}/mappings", "PUT", f"{CA}/{{intg_connector}}/mappings",
        (401, 403, 403, 403, 200, 200, 403), body={"mappings": []}),
    Row(f"{CA}/{{connector_id}}/health", "GET", f"{CA}/{{intg_connector}}/health",
        (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{CA}/{{connector_id}}/unmatched", "GET", f"{CA}/{{intg_connector}}/unmatched",
        (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{CA}/{{connector_id}}/accounts/{{account_id}}/match", "POST",
        f"{CA}/{{intg_connector}}/accounts/{{intg_tool_account}}/match", (401, 403, 403, 403, 200, 200, 403),
        body={"employee_id": None}),
    # A tool's deliveries authenticate by the vendor's signature or token only: unsigned, they are
    # refused for everyone, signed in or not.
    Row(f"{CA}/{{key}}/events", "POST", f"{CA}/matrix/events",          (401, 401, 401, 401, 401, 401, 401),
        body={"object_kind": "merge_request"}),
    Row("/api/v1/calendar/feed", "POST", "/api/v1/calendar/feed",       (401, 201, 201, 201, 201, 403, 201)),
    Row("/api/v1/calendar/feed", "DELETE", "/api/v1/calendar/feed",     (401, 204, 204, 204, 204, 403, 204)),
]


def keys(world) -> dict:
    from talentloop.core.access import actor_for
    from talentloop.integrations.models import Delivery, DeliveryStatus, ToolAccount
    from talentloop.integrations.services.calendar import calendar_feed_renew
    from talentloop.integrations.services.connectors import connector_create
    from talentloop.integrations.services.webhooks import subscription_create

    subscription, _secret = subscription_create(actor=actor_for(world.admin), name="矩阵", url=NEW["url"],
                                                event_types=["employee.hired"])
    delivery = Delivery.objects.create(subscription=subscription, event_id="evt_matrix", event_type="employee.hired",
                                       payload={"type": "employee.hired", "data": {}}, status=DeliveryStatus.FAILED,
                                       attempts=8)
    _feed, token = calendar_feed_renew(actor=actor_for(world.employee))
    connector, _secret = connector_create(actor=actor_for(world.hr), key="matrix", name="矩阵", kind="gitlab")
    account = ToolAccount.objects.create(connector=connector, handle="stranger", display_name="Stranger")
    return {"intg_subscription": subscription.pk, "intg_delivery": delivery.pk, "intg_feed_token": token,
            "intg_connector": connector.pk, "intg_tool_account": account.pk, "intg_hr_user": world.hr.pk}
