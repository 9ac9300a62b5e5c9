"""Mentoring models, one module per concern; everything is importable from here."""

from talentloop.mentoring.models.effectiveness import *  # noqa: F403
from talentloop.mentoring.models.matching import *  # noqa: F403
from talentloop.mentoring.models.programmes import *  # noqa: F403
from talentloop.mentoring.models.qualification import *  # noqa: F403
