"""The mentoring API under /api/v1/mentoring: one router per concern."""

from ninja import Router

router = Router()

from talentloop.mentoring.api.programmes import router as _programmes_router  # noqa: E402
from talentloop.mentoring.api.qualification import router as _qualification_router  # noqa: E402

router.add_router("", _qualification_router)
router.add_router("", _programmes_router)

from talentloop.mentoring.api.effectiveness import router as _effectiveness_router  # noqa: E402
from talentloop.mentoring.api.matching import router as _matching_router  # noqa: E402
from talentloop.mentoring.api.surveys import router as _surveys_router  # noqa: E402

router.add_router("", _effectiveness_router)
router.add_router("", _surveys_router)
router.add_router("", _matching_router)
