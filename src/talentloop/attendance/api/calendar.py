"""Time API: calendar."""

from ninja import Router

router = Router()
