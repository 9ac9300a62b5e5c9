"""Work results: submitted by the person, confirmed (or rejected) by whoever manages them, and on
confirmation turned into the facts performance and mentoring already read.

- customer feedback → an observation of HR's configured metric (value = the score); a score of 1
  or 2 is a complaint, recorded as a learning behaviour event ("complaint-handling");
- project report → an observation of the configured count metric (value 1), if any, and evidence;
- skill test → a mentoring ``SkillAssessment`` for the skill.

The observation goes through the ingestion writer of :mod:`.observations` (idempotent by source
"work-result" and external id "work-result-<id>", score recompute after commit), inside the same
transaction as the confirmation. Notifications leave after commit.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied, errors_from_validation
from talentloop.notifications.services import items_for, notify_each
from talentloop.performance import access
from talentloop.performance.models import (
    Metric,
    SubjectKind,
    WorkResult,
    WorkResultAttachment,
    WorkResultKind,
    WorkResultSettings,
    WorkResultStatus,
)
from talentloop.performance.services.observations import IngestResult, _Item, _write
from talentloop.performance.signals import record_skill_test, work_result_complaint

SOURCE = "work-result"
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_TEXT = 10000
COMPLAINT_BELOW = 3  # a customer score of 1 or 2 is a complaint
# Images (including what a phone camera takes), PDF, office documents and plain text.
ALLOWED_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".webp": "image/webp",
    ".heic": "image/heic", ".heif": "image/heif",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown",
}
ACCEPT = ",".join(["image/*", "application/pdf", *sorted(ALLOWED_TYPES)])
_SLUG = re.compile(r"^[-a-z0-9_]+$")


def _invalid(errors: dict[str, list[str]]) -> InvalidInput:
    return InvalidInput(_("Please correct the errors below."), errors)


def _text(value: object, field: str, errors: dict, *, limit: int, required: bool) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if "\x00" in value:
        errors.setdefault(field, []).append(_("Null characters are not allowed."))
        return ""
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(value) > limit:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": limit})
    return value


def _score(value: Any, field: str, errors: dict, low: int, high: int) -> int | None:
    if value is None or value == "":
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value) if not isinstance(value, (float, Decimal)) or value == int(value) else None
        if number is None:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors.setdefault(field, []).append(_("Enter a whole number."))
        return None
    if not low <= number <= high:
        errors.setdefault(field, []).append(
            _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        return None
    return number


def _files(files: Iterable, errors: dict) -> list:
    files = [f for f in (files or []) if f is not None]
    if len(files) > MAX_ATTACHMENTS:
        errors.setdefault("files", []).append(_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
        return []
    for f in files:
        name = os.path.basename(getattr(f, "name", "") or "")
        ext = os.path.splitext(name)[1].lower()
        if not name or ext not in ALLOWED_TYPES:
            errors.setdefault("files", []).append(
                _("%(name)s: only images, PDF, office documents and text files can be attached.") % {"name": name})
        elif (f.size or 0) > MAX_ATTACHMENT_BYTES:
            errors.setdefault("files", []).append(_("%(name)s is larger than 10 MB.") % {"name": name})
        elif not f.size:
            errors.setdefault("files", []).append(_("%(name)s is empty.") % {"name": name})
        elif len(name) > 200:
            errors.setdefault("files", []).append(_("The file name is too long."))
    return files


def kind_settings(kind: str) -> WorkResultSettings:
    """The settings of a kind; an unsaved default (not trusted, no metric) when HR never set them."""
    found = WorkResultSettings.objects.select_related("metric").filter(kind=kind).first()
    return found or WorkResultSettings(kind=kind)


# ---------------------------------------------------------------- submit


@transaction.atomic
def work_result_submit(
    *, actor: Actor, kind: str, occurred_on: dt.date | None, title: str = "", text: str = "",
    files: Iterable = (), customer: str = "", score: int | None = None, comment: str = "", skill: str = "",
    test_name: str = "",
) -> WorkResult:
    """The person's own result. Trusted kinds are confirmed at once (``auto_confirmed``); the
    others wait for the manager, who is told after commit."""
    if not access.can_submit_work_result(actor):
        raise PermissionDenied(_("Work results are submitted by employees."))
    assert actor.employee is not None  # can_submit_work_result: only people with an employee record
    errors: dict[str, list[str]] = {}
    if kind not in WorkResultKind.values:
        raise _invalid({"kind": [_("Choose a project report, a customer feedback record or a skill test.")]})
    today = timezone.localdate()
    if not isinstance(occurred_on, dt.date):
        errors["occurred_on"] = [_("Enter a valid date.")]
    elif occurred_on > today:
        errors["occurred_on"] = [_("The date cannot be in the future.")]
    elif occurred_on.year < 2000:
        errors["occurred_on"] = [_("Too far in the past.")]
    result = WorkResult(employee=actor.employee, kind=kind,
                        occurred_on=occurred_on if not errors and occurred_on is not None else today,
                        submitted_by=actor.user)
    uploads: list = []
    if kind == WorkResultKind.PROJECT_REPORT:
        result.title = _text(title, "title", errors, limit=200, required=True)
        result.text = _text(text, "text", errors, limit=MAX_TEXT, required=True)
        uploads = _files(files, errors)
    elif kind == WorkResultKind.CUSTOMER_FEEDBACK:
        result.customer = _text(customer, "customer", errors, limit=200, required=True)
        result.score = _score(score, "score", errors, 1, 5)
        result.comment = _text(comment, "comment", errors, limit=2000, required=False)
    else:
        result.skill = _text(skill, "skill", errors, limit=60, required=True).lower()
        if result.skill and not _SLUG.match(result.skill):
            errors.setdefault("skill", []).append(
                _("Use lowercase letters, digits and hyphens (the skill's key, e.g. python)."))
        result.test_name = _text(test_name, "test_name", errors, limit=200, required=False)
        result.score = _score(score, "score", errors, 0, 100)
    if kind != WorkResultKind.PROJECT_REPORT and any(True for f in (files or []) if f is not None):
        errors.setdefault("files", []).append(_("Only a project report has attachments."))
    if errors:
        raise _invalid(errors)
    try:
        result.full_clean(exclude=["submitted_by", "decided_by", "metric", "skill_assessment"])
    except ValidationError as exc:
        raise _invalid(errors_from_validation(exc)) from exc
    result.save()
    for f in uploads:
        name = os.path.basename(f.name)
        attachment = WorkResultAttachment(result=result, name=name, size=f.size,
                                          content_type=ALLOWED_TYPES[os.path.splitext(name)[1].lower()])
        attachment.file.save(name, f, save=False)
        attachment.save()
    audit_record(actor=actor, action="create", obj=result, entity_label=actor.employee.display_name,
                 changes={"kind": kind, "occurred_on": str(result.occurred_on), "attachments": len(uploads)})
    conf = kind_settings(kind)
    if conf.trusted:
        _confirm(actor, result, conf, note="", auto=True)
    else:
        employee = actor.employee
        recipients = [employee.manager_id] if employee.manager_id else []
        data = {"result_id": result.pk, "kind": kind, "employee": employee.name, "employee_en": employee.name_en,
                "headline": result.headline[:120]}
        link = reverse("performance:result-detail", args=[result.pk])
        if recipients:
            transaction.on_commit(lambda: _notify(recipients, "work_result_submitted", data, link,
                                                  f"work-result-{result.pk}"))
    return result


# ---------------------------------------------------------------- decide


def _locked(result: WorkResult) -> WorkResult:
    return WorkResult.objects.select_for_update().select_related("employee", "employee__org_unit").get(pk=result.pk)


@transaction.atomic
def work_result_confirm(*, actor: Actor, result: WorkResult, note: str = "") -> WorkResult:
    result = _locked(result)
    if not access.can_decide_work_result(actor, result):
        raise PermissionDenied(_("The person's manager or HR confirms a work result; never the person."))
    if result.status != WorkResultStatus.PENDING:
        raise Conflict(_("This result has already been %(status)s.") % {"status": result.get_status_display()})
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors, limit=1000, required=False)
    if errors:
        raise _invalid(errors)
    return _confirm(actor, result, kind_settings(result.kind), note=note, auto=False)


@transaction.atomic
def work_result_reject(*, actor: Actor, result: WorkResult, note: str) -> WorkResult:
    result = _locked(result)
    if not access.can_decide_work_result(actor, result):
        raise PermissionDenied(_("The person's manager or HR rejects a work result; never the person."))
    if result.status != WorkResultStatus.PENDING:
        raise Conflict(_("This result has already been %(status)s.") % {"status": result.get_status_display()})
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", errors, limit=1000, required=True)
    if errors:
        raise _invalid({"note": [_("Say why the result is rejected.")] if not note else errors["note"]})
    _decide(actor, result, WorkResultStatus.REJECTED, note)
    return result


@transaction.atomic
def work_result_withdraw(*, actor: Actor, result: WorkResult) -> WorkResult:
    result = _locked(result)
    if not access.is_self(actor, result.employee):
        raise PermissionDenied(_("Only the person who submitted a result withdraws it."))
    if result.status != WorkResultStatus.PENDING:
        raise Conflict(_("Only a result waiting for confirmation can be withdrawn."))
    result.status = WorkResultStatus.WITHDRAWN
    result.decided_by = actor.user
    result.decided_at = timezone.now()
    result.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=actor, action="update", obj=result,
                 changes={"status": {"before": "pending", "after": "withdrawn"}})
    return result


def _decide(actor: Actor, result: WorkResult, status: str, note: str, auto: bool = False,
            extra: dict | None = None) -> None:
    result.status = status
    result.decided_by = actor.user
    result.decided_at = timezone.now()
    result.decision_note = note
    result.auto_confirmed = auto
    result.save()
    audit_record(actor=actor, action="update", obj=result, entity_label=result.employee.display_name,
                 changes={"status": {"before": "pending", "after": status}, "auto_confirmed": auto,
                          **(extra or {})})
    if not auto and result.submitted_by_id and result.submitted_by_id != actor.user_id:
        recipients = [result.employee_id]
        data = {"result_id": result.pk, "kind": result.kind, "status": status, "headline": result.headline[:120]}
        link = reverse("performance:result-detail", args=[result.pk])
        transaction.on_commit(lambda: _notify(recipients, "work_result_decided", data, link,
                                              f"work-result-{result.pk}-{status}"))


def _confirm(actor: Actor, result: WorkResult, conf: WorkResultSettings, *, note: str, auto: bool) -> WorkResult:
    """What the result becomes, written in the caller's transaction together with the decision."""
    extra: dict = {}
    metric = conf.metric if conf.metric is not None and conf.metric.is_active else None
    # A customer feedback record always has its score (required when it is submitted).
    if result.kind == WorkResultKind.CUSTOMER_FEEDBACK and metric is not None:
        _observe(actor, result, metric, Decimal(cast(int, result.score)))
    elif result.kind == WorkResultKind.PROJECT_REPORT and metric is not None:
        _observe(actor, result, metric, Decimal(1))
    elif result.kind == WorkResultKind.SKILL_TEST:
        assessment = record_skill_test(
            recorded_by=actor.user, employee=result.employee, skill=result.skill, score=result.score,
            assessed_on=result.occurred_on, note=(result.test_name or _("Skill test"))[:500])
        if assessment is not None:
            result.skill_assessment = assessment
            extra["skill_assessment"] = assessment.pk
    if result.observation_external_id:
        extra["observation"] = result.observation_external_id
    if result.kind == WorkResultKind.CUSTOMER_FEEDBACK and cast(int, result.score) < COMPLAINT_BELOW:
        _record_complaint(result, metric)
    _decide(actor, result, WorkResultStatus.CONFIRMED, note, auto=auto, extra=extra)
    return result


def _observe(actor: Actor, result: WorkResult, metric: Metric, value: Decimal) -> None:
    """One observation through the ingestion writer (idempotent by source and external id; the
    person's scores are recomputed after commit). The right to write it is the confirmation right
    checked by the caller, not HR's integration right that guards the public ingestion door."""
    tz = ZoneInfo(settings.TIME_ZONE)
    moment = dt.datetime.combine(result.occurred_on, dt.time(12, 0), tzinfo=tz)
    external_id = f"work-result-{result.pk}"
    item = _Item(index=0, metric=metric, employee_id=result.employee_id, org_unit_id=None, value=value,
                 occurred_at=moment, occurred_on=result.occurred_on, source=SOURCE, external_id=external_id)
    _write(actor, [item], IngestResult(), SOURCE)
    result.metric = metric
    result.observation_external_id = external_id


def _record_complaint(result: WorkResult, metric: Metric | None) -> None:
    """A low customer score is a complaint: the learning app offers complaint handling from it."""
    tags = ["complaint-handling", *([metric.key] if metric is not None else [])]
    work_result_complaint.send(sender=WorkResult, employee_id=result.employee_id, tags=tags, source=SOURCE)


def _notify(recipients: list[int], kind: str, data: dict, link: str, dedupe_key: str) -> None:
    notify_each(kind=kind, items=items_for(recipients, data, link, dedupe_key))


# ---------------------------------------------------------------- settings (HR)


@transaction.atomic
def work_result_settings_update(*, actor: Actor, values: dict[str, dict]) -> list[WorkResultSettings]:
    """``values``: kind -> {"trusted": bool, "metric": Metric | None}. Kinds not named keep their
    settings. A metric must be an active metric about people; a skill test takes none (the skill
    itself is what it maps to)."""
    if not access.can_manage_work_result_settings(actor):
        raise PermissionDenied(_("Only HR changes the work result settings."))
    errors: dict[str, list[str]] = {}
    for kind, value in values.items():
        if kind not in WorkResultKind.values:
            errors.setdefault("kind", []).append(_("Unknown kind: %(k)s") % {"k": kind})
            continue
        metric = value.get("metric")
        if metric is None:
            continue
        if kind == WorkResultKind.SKILL_TEST:
            errors[f"{kind}_metric"] = [_("A skill test becomes a skill assessment, not a metric.")]
        elif not metric.is_active or metric.subject_kind != SubjectKind.EMPLOYEE:
            errors[f"{kind}_metric"] = [_("Choose an active metric about people.")]
    if errors:
        raise _invalid(errors)
    saved = []
    existing = {s.kind: s for s in WorkResultSettings.objects.select_for_update().filter(kind__in=list(values))}
    for kind, value in values.items():
        row = existing.get(kind) or WorkResultSettings(kind=kind)
        before = {"trusted": row.trusted, "metric": row.metric.key if row.metric is not None else None}
        row.trusted = bool(value.get("trusted", row.trusted))
        if "metric" in value:
            row.metric = value["metric"]
        row.updated_by = actor.user
        row.full_clean(exclude=["updated_by", "metric"])
        row.save()
        after = {"trusted": row.trusted, "metric": row.metric.key if row.metric is not None else None}
        if before != after or row.pk not in {s.pk for s in existing.values()}:
            audit_record(actor=actor, action="update", obj=row,
                         changes={k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]})
        saved.append(row)
    return saved
