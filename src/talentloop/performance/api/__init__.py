"""The performance API: one router per concern, mounted together under /api/v1."""

from ninja import Router

from talentloop.performance.api.scores import router as scores_router

router = Router()
router.add_router("", scores_router)
