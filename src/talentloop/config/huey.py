"""The job queue. Huey is configured from settings.HUEY (SQLite by default, Redis when
TALENTLOOP_REDIS_URL is set); tasks live in each app's tasks.py and are found by djhuey."""

from huey.contrib.djhuey import HUEY as huey  # noqa: F401
