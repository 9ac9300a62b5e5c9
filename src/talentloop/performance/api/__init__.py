"""The performance API: one router per concern, mounted together under /api/v1."""

from ninja import Router

from talentloop.performance.api.feedback import router as feedback_router
from talentloop.performance.api.reviews import router as reviews_router
from talentloop.performance.api.scores import router as scores_router

router = Router()
router.add_router("", scores_router)
router.add_router("", reviews_router)
router.add_router("", feedback_router)

from talentloop.performance.api.config import router as config_router  # noqa: E402
from talentloop.performance.api.dashboards import router as dashboards_router  # noqa: E402

router.add_router("", config_router)
router.add_router("", dashboards_router)

from talentloop.performance.api.alerts import router as alerts_router  # noqa: E402

router.add_router("", alerts_router)

from talentloop.performance.api.results import router as results_router  # noqa: E402

router.add_router("", results_router)

from talentloop.performance.api.webhooks import router as webhooks_router  # noqa: E402

router.add_router("", webhooks_router)
