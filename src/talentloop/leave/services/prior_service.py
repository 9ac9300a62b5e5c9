"""Prior service for the annual-leave tier: the person states an earlier employer, the dates and
evidence; HR covering them verifies or rejects it. Only verified rows count (``leave.entitlements``);
the daily accrual job posts the difference a verification makes to the year's entitlement."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from talentloop.attendance.selectors.requests import hr_covering_ids
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.leave import access
from talentloop.leave.models import PriorService
from talentloop.notifications.services import Item, notify_after_commit

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_SIGNATURES = (  # the first bytes of each accepted kind of file, whatever its name says
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
EARLIEST = dt.date(1950, 1, 1)


def evidence_kind(evidence: UploadedFile | None) -> tuple[str | None, str | None]:
    """(extension, None) for an accepted file, (None, why) otherwise: PDF, JPEG, PNG or WebP by their
    content, at most 5 MB."""
    if evidence is None:
        return None, _("Attach the evidence: a PDF or an image.")
    size = getattr(evidence, "size", None)
    if not size:
        return None, _("The file is empty.")
    if size > MAX_EVIDENCE_BYTES:
        return None, _("The file may be at most 5 MB.")
    evidence.seek(0)
    head = evidence.read(16)
    evidence.seek(0)
    for signature, ext in EVIDENCE_SIGNATURES:
        if head.startswith(signature):
            return ext, None
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", None
    return None, _("The file must be a PDF or an image (JPEG, PNG, WebP).")


@transaction.atomic
def prior_service_submit(*, actor: Actor, employer: str, start: dt.date, end: dt.date,
                         evidence: UploadedFile | None) -> PriorService:
    """The actor states their own prior service; HR covering them is told."""
    employee = actor.employee
    if not access.can_request_leave(actor) or employee is None:
        raise PermissionDenied(_("Only people with an employee record state prior service."))
    errors: dict[str, list[str]] = {}
    employer = (employer or "").strip()
    if not employer:
        errors["employer"] = [_("Name the employer.")]
    elif len(employer) > 200:
        errors["employer"] = [_("The employer's name is too long.")]
    today = timezone.localdate()
    if start < EARLIEST:
        errors["start"] = [_("The start is too far back.")]
    if end < start:
        errors["end"] = [_("The end cannot be before the start.")]
    elif end > today:
        errors["end"] = [_("Prior service ends in the past.")]
    elif end >= employee.hire_date:
        errors["end"] = [_("Prior service ends before you joined (%(date)s).") % {"date": employee.hire_date}]
    ext, problem = evidence_kind(evidence)
    if problem:
        errors["evidence"] = [problem]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors)
    row = PriorService(employee=employee, employer=employer, start=start, end=end)
    assert evidence is not None and ext is not None
    # A random private name: never the uploaded one, never under a public URL (the download view checks access).
    row.evidence.save(f"{employee.pk}-{get_random_string(20)}.{ext}", evidence, save=False)
    row.save()
    audit_record(actor=actor, action="prior_service.submit", obj=row, entity_label=employer,
                 changes={"start": {"after": start.isoformat()}, "end": {"after": end.isoformat()}})
    link = reverse("leave:prior-service-review")
    notify_after_commit(kind="prior_service_waiting", items=[
        Item(hr, {"name": employee.name, "name_en": employee.name_en, "employer": employer}, link,
             f"prior-service:{row.pk}") for hr in hr_covering_ids(employee)])
    return row


@transaction.atomic
def prior_service_decide(*, actor: Actor, prior_service: PriorService, verify: bool) -> PriorService:
    """HR covering the person verifies or rejects a pending statement (never their own)."""
    employee = prior_service.employee
    if not access.can_manage_leave_of(actor, employee) or access.is_self(actor, employee):
        raise PermissionDenied(_("Only HR covering the person verifies their prior service."))
    row = PriorService.objects.select_for_update().get(pk=prior_service.pk)
    if row.status != PriorService.Status.PENDING:
        raise Conflict(_("This prior service was decided already."))
    row.status = PriorService.Status.VERIFIED if verify else PriorService.Status.REJECTED
    row.verified_by = actor.user
    row.verified_at = timezone.now()
    row.save(update_fields=["status", "verified_by", "verified_at"])
    audit_record(actor=actor, action="prior_service.verify" if verify else "prior_service.reject", obj=row,
                 entity_label=row.employer, changes={"status": {"before": "pending", "after": row.status}})
    notify_after_commit(kind="prior_service_decided", items=[
        Item(employee.pk, {"status": row.status, "employer": row.employer}, reverse("leave:prior-service"),
             f"prior-service:{row.pk}:{row.status}")])
    return row
