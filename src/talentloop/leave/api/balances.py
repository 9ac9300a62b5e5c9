"""Time API: leave balances."""

from ninja import Router

router = Router()
