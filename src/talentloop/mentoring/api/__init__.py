"""The mentoring API under /api/v1/mentoring: one router per concern."""

from ninja import Router

router = Router()
