"""Time API: clock."""

from ninja import Router

router = Router()
