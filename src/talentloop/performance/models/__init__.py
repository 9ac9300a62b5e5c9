"""Performance models, one module per concern; everything is importable from here."""

from talentloop.performance.models.alerts import *  # noqa: F403
from talentloop.performance.models.core import *  # noqa: F403
from talentloop.performance.models.feedback import *  # noqa: F403
from talentloop.performance.models.recompute import *  # noqa: F403
from talentloop.performance.models.results import *  # noqa: F403
from talentloop.performance.models.reviews import *  # noqa: F403
