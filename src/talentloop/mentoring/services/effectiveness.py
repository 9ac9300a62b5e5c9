"""HR's effectiveness and matching settings: every change is a new, audited version."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.mentoring import access
from talentloop.mentoring.models import EffectivenessConfig
from talentloop.mentoring.selectors_effectiveness import current_config

HUNDRED = Decimal(100)

# Every setting HR may change, in form order.
SETTING_FIELDS = (
    *EffectivenessConfig.COMPOSITE_FIELDS.values(), "min_mentees", "min_answers", "growth_months",
    "promotion_months", "top_share_pct", "survey_every_months", "survey_open_days", "survey_comments_named",
    *EffectivenessConfig.MATCH_FIELDS.values(), "match_other_department", "low_dimension_below",
    "low_skill_below", "strong_dimension_from", "strong_skill_from",
)


def _weights_error(config: EffectivenessConfig, fields: Iterable[str], label: str) -> dict[str, list[str]]:
    total = sum((Decimal(getattr(config, f)) for f in fields), Decimal(0))
    if total == HUNDRED:
        return {}
    message = _("The %(what)s weights add up to %(total)s; they must add up to exactly 100.") % {
        "what": label, "total": f"{total.normalize():f}"}
    return {"__all__": [message], **{f: [message] for f in fields}}


@transaction.atomic
def effectiveness_config_save(*, actor: Actor, data: dict[str, Any], note: str = "") -> EffectivenessConfig:
    """A new version of the settings: the current values with ``data`` applied on top.

    The composite weights must add up to 100, and so must the three matching weights; at least 3
    survey answers are always needed before a rate is shown."""
    if not access.can_manage_effectiveness_config(actor):
        raise PermissionDenied(_("Only HR changes how mentors are measured."))
    unknown = sorted(set(data) - set(SETTING_FIELDS))
    if unknown:
        raise InvalidInput(_("Please correct the errors below."), {k: [_("Unknown setting.")] for k in unknown})
    previous = current_config()
    config = EffectivenessConfig(**{f: getattr(previous, f) for f in SETTING_FIELDS})
    for key, value in data.items():
        setattr(config, key, value)
    config.note = note[:300]
    config.created_by = actor.user
    config.version = (EffectivenessConfig.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    errors: dict[str, list[str]] = {}
    try:
        config.full_clean(exclude=["version"])
    except ValidationError as exc:
        errors.update(errors_from_validation(exc))
    if not errors:
        errors.update(_weights_error(config, EffectivenessConfig.COMPOSITE_FIELDS.values(), _("composite")))
        for key, messages in _weights_error(config, EffectivenessConfig.MATCH_FIELDS.values(), _("matching")).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        detail = errors["__all__"][0] if errors.get("__all__") else _("Please correct the errors below.")
        raise InvalidInput(detail, errors)
    try:
        with transaction.atomic():
            config.save()
    except IntegrityError as exc:  # two HR people saving at once: the second tries again
        raise Conflict(_("Someone saved the settings at the same moment. Please try again.")) from exc
    changes = {}
    for f in SETTING_FIELDS:
        before, after = getattr(previous, f), getattr(config, f)
        if str(before) != str(after):
            changes[f] = {"before": str(before), "after": str(after)}
    audit_record(actor=actor, action="create", obj=config, changes=changes,
                 summary=f"effectiveness settings v{config.version}")
    return config
