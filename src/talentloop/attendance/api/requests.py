"""Time API: requests."""

from ninja import Router

router = Router()
