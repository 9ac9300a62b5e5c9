"""Time API: shifts."""

from ninja import Router

router = Router()
