"""The learning app's notification kinds, registered from ``LearningConfig.ready()``.

A reminder names the person's own sign-up, so it is personal; a scheduled session and published
content are team-level news that name nobody, so they may go to group bots."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.notifications.kinds import Kind, pick, register


def _when(data: dict) -> str:
    value = parse_datetime(str(data.get("starts_at") or ""))
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "SHORT_DATETIME_FORMAT") if isinstance(value, dt.datetime) else ""


def _reminder(data: dict) -> str:
    return _("Reminder: “%(title)s” is tomorrow, %(when)s.") % {"title": pick(data, "title"), "when": _when(data)}


def _scheduled(data: dict) -> str:
    return _("New training session: “%(title)s” on %(when)s. Sign up in the app.") % {
        "title": pick(data, "title"), "when": _when(data)}


def _published(data: dict) -> str:
    return _("New in the learning library: “%(title)s”.") % {"title": pick(data, "title")}


TRAINING_REMINDER = register(Kind(key="training_reminder", label=gettext_lazy("Training session tomorrow"),
                                   personal=True,
                                  render=_reminder))
TRAINING_SCHEDULED = register(Kind(key="training_scheduled", label=gettext_lazy("Training session scheduled"),
                                   personal=False, group_safe=True, render=_scheduled))
CONTENT_PUBLISHED = register(Kind(key="content_published", label=gettext_lazy("New learning content"), personal=False,
                                  group_safe=True, render=_published))
