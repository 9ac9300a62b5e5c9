"""Time API: leave types."""

from ninja import Router

router = Router()
