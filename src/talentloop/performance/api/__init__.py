"""The performance API: one router per concern, mounted together under /api/v1."""

from ninja import Router

from talentloop.performance.api import alerts, config, dashboards, feedback, results, reviews, scores, webhooks

router = Router()
# In this order: it is the order of the operations in the OpenAPI document.
for _concern in (scores, reviews, feedback, config, dashboards, alerts, results, webhooks):
    router.add_router("", _concern.router)
