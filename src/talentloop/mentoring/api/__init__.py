"""The mentoring API under /api/v1/mentoring: one router per concern."""

from ninja import Router

from talentloop.mentoring.api import effectiveness, matching, programmes, qualification, surveys

router = Router()
# In this order: it is the order of the operations in the OpenAPI document.
for _concern in (qualification, programmes, effectiveness, surveys, matching):
    router.add_router("", _concern.router)
