"""Skill assessments that come from outside a mentoring plan: a confirmed skill test score that a
person submitted as a work result (performance's work results call this; mentoring's growth and
matching read the row like any other assessment)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.accounts.models import User
from talentloop.core.errors import InvalidInput, errors_from_validation
from talentloop.mentoring.models import SkillAssessment
from talentloop.organisation.models import Employee


@transaction.atomic
def skill_assessment_from_result(*, recorded_by: User | None, employee: Employee, skill: str, score: Decimal | int,
                                 assessed_on: dt.date, note: str = "") -> SkillAssessment:
    """``recorded_by`` is the user who confirmed the result (the permission check is the caller's:
    only a confirmed work result reaches this)."""
    assessment = SkillAssessment(employee=employee, plan=None, item=None, skill=skill, score=Decimal(score),
                                 assessed_on=assessed_on, note=(note or "")[:500], recorded_by=recorded_by)
    try:
        assessment.full_clean()
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    assessment.save()
    return assessment
