"""Time API: leave requests."""

from ninja import Router

router = Router()
