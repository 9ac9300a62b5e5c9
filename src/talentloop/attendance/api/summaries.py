"""Time API: summaries."""

from ninja import Router

router = Router()
