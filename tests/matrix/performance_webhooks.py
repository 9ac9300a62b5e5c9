"""Webhook sources for signed observations.

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- HR and the technical administrator manage the sources (list, create, rotate, deactivate); everyone
  else gets the page's 404 and the API's 403 (the operation exists; they may not use it).
- The source is ``matrix-hook``, acting as HR. Creating answers the page with the secret (200) and
  the API's 201; rotating answers the new secret (200); deactivating redirects to the list (302).
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

NEW = {"key": "matrix-new", "name": "矩阵来源"}

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("performance/webhook-sources/", "GET", "/performance/webhook-sources/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("performance/webhook-sources/", "POST", "/performance/webhook-sources/",
        (302, 404, 404, 404, 200, 200, 404), body=NEW),
    Row("performance/webhook-sources/<int:pk>/rotate/", "POST",
        "/performance/webhook-sources/{webhook_source}/rotate/", (302, 404, 404, 404, 200, 200, 404), body={}),
    Row("performance/webhook-sources/<int:pk>/deactivate/", "POST",
        "/performance/webhook-sources/{webhook_source}/deactivate/", (302, 404, 404, 404, 302, 302, 404), body={}),
]

API = [
    Row("/api/v1/webhook-sources", "GET", "/api/v1/webhook-sources", (401, 403, 403, 403, 200, 200, 403)),
    Row("/api/v1/webhook-sources", "POST", "/api/v1/webhook-sources", (401, 403, 403, 403, 201, 201, 403),
        body=NEW),
    Row("/api/v1/webhook-sources/{source_id}", "GET", "/api/v1/webhook-sources/{webhook_source}",
        (401, 403, 403, 403, 200, 200, 403)),
    Row("/api/v1/webhook-sources/{source_id}/rotate", "POST", "/api/v1/webhook-sources/{webhook_source}/rotate",
        (401, 403, 403, 403, 200, 200, 403)),
    Row("/api/v1/webhook-sources/{source_id}/deactivate", "POST",
        "/api/v1/webhook-sources/{webhook_source}/deactivate", (401, 403, 403, 403, 200, 200, 403)),
]


def keys(world) -> dict:
    from talentloop.performance.models import WebhookSource

    source, _created = WebhookSource.objects.get_or_create(
        key="matrix-hook", defaults={"name": "矩阵钩子", "secret": "matrix-secret", "act_as": world.hr})
    return {"webhook_source": source.pk}
