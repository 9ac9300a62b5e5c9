"""The leave part of the time API under ``/api/v1/time/``: one router per area, mounted together here."""

from ninja import Router

from talentloop.leave.api import balances, requests, types

router = Router(tags=["time"])
for module in (types, balances, requests):
    router.add_router("", module.router)
