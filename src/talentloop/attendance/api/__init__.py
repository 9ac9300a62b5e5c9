"""The time API under ``/api/v1/time/``: one router per area, mounted together here."""

from ninja import Router

from talentloop.attendance.api import calendar, clock, imports, requests, shifts, summaries

router = Router(tags=["time"])
for module in (clock, imports, shifts, calendar, requests, summaries):
    router.add_router("", module.router)
