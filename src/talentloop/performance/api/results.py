"""Work results over the API — the same services as the phone pages.

``POST /work-results`` takes JSON (customer feedback, skill test, a project report without files)
or ``multipart/form-data`` (a project report with its files in ``files``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError

from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED, PAGED_WAS_ARRAY, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, InSchema
from talentloop.performance import access, selectors_results
from talentloop.performance.models import WorkResultKind
from talentloop.performance.services import results as services

router = Router(tags=["work results"])


class WorkResultIn(InSchema):
    kind: Literal["project_report", "customer_feedback", "skill_test"]
    occurred_on: dt.date
    title: str = Field("", max_length=200, description="project report")
    text: str = Field("", max_length=10000, description="project report")
    customer: str = Field("", max_length=200, description="customer feedback")
    score: int | None = Field(None, description="customer feedback: 1–5; skill test: 0–100")
    comment: str = Field("", max_length=2000, description="customer feedback")
    skill: str = Field("", max_length=60, description="skill test: the skill's key, e.g. python")
    test_name: str = Field("", max_length=200, description="skill test")


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


class WorkResultOut(Schema):
    id: int
    employee_id: int
    employee: str
    kind: str
    status: str
    occurred_on: dt.date
    title: str
    text: str
    customer: str
    score: int | None
    comment: str
    skill: str
    test_name: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str
    auto_confirmed: bool
    metric: str | None
    observation_external_id: str
    skill_assessment_id: int | None
    attachment_count: int = 0
    attachments: list[AttachmentOut] = Field([], description="in the answer about one result; lists give the count")

    @staticmethod
    def resolve_employee(obj) -> str:
        return obj.employee.display_name

    @staticmethod
    def resolve_metric(obj) -> str | None:
        return obj.metric.key if obj.metric_id else None

    @staticmethod
    def resolve_attachment_count(obj) -> int:
        cache = getattr(obj, "_prefetched_objects_cache", {})
        return len(cache["attachments"]) if "attachments" in cache else getattr(obj, "attachment_count", 0)

    @staticmethod
    def resolve_attachments(obj) -> list:
        # Lists annotate a count instead of loading attachments; the detail prefetches them.
        cache = getattr(obj, "_prefetched_objects_cache", {})
        return list(cache["attachments"]) if "attachments" in cache else []


class WorkResultListQuery(InSchema):
    queue: Literal["mine", "confirm"] = Field("mine", description="confirm: the results the caller may confirm")
    status: Literal["", "pending", "confirmed", "rejected", "withdrawn"] = ""


class WorkResultDecisionIn(InSchema):
    note: str = Field("", max_length=1000, description="required to reject")


class SettingOut(Schema):
    kind: str
    trusted: bool
    metric: str | None

    @staticmethod
    def resolve_metric(obj) -> str | None:
        return obj.metric.key if obj.metric_id else None


class KindSettingIn(InSchema):
    trusted: bool = False
    metric: str | None = Field(None, max_length=60, description="the key of an active metric about people "
                               "(customer feedback: the score's metric; project report: a count metric)")


class WorkResultSettingsIn(InSchema):
    """Only the kinds named change."""

    project_report: KindSettingIn | None = None
    customer_feedback: KindSettingIn | None = None
    skill_test: KindSettingIn | None = None


_MULTIPART_DOC = {
    "requestBody": {"content": {
        "application/json": {"schema": WorkResultIn.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            **WorkResultIn.model_json_schema()["properties"],
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "maxItems": 5}}}},
    }, "required": True},
}


def _parse(request) -> tuple[WorkResultIn, list]:
    content_type = (request.content_type or "").lower()
    try:
        if content_type.startswith("multipart/form-data"):
            raw = {k: v for k, v in request.POST.items() if v != "" or k not in ("score",)}
            return WorkResultIn.model_validate(raw), request.FILES.getlist("files")
        try:
            raw = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidInput(_("The request body is not valid JSON."), {"__all__": [_("Send a JSON object.")]}) \
                from exc
        if not isinstance(raw, dict):
            raise InvalidInput(_("The request is not valid."), {"__all__": [_("Send a JSON object.")]})
        return WorkResultIn.model_validate(raw), []
    except ValidationError as exc:
        raise NinjaValidationError(exc.errors(include_url=False)) from exc


@router.post("/work-results", response={201: WorkResultOut, **ERRORS}, summary="Submit a work result",
             openapi_extra=_MULTIPART_DOC)
def work_result_submit(request):
    data, files = _parse(request)
    result = services.work_result_submit(actor=request.actor, files=files, **data.dict())
    return Status(201, selectors_results.work_result_get(request.actor, result.pk))


@router.get("/work-results", response={200: list[WorkResultOut], **ERRORS},
            summary="My work results, or (queue=confirm) those I may confirm", description=PAGED)
@paginated(default=50, max_limit=200)
def work_result_list(request, query: Query[WorkResultListQuery]):
    if query.queue == "confirm":
        return SelectorPage(lambda limit, offset: selectors_results.work_result_queue_page(
            request.actor, limit=limit, offset=offset))
    return SelectorPage(lambda limit, offset: selectors_results.my_work_results(
        request.actor, status=query.status, limit=limit, offset=offset))


@router.get("/work-results/settings", response={200: list[SettingOut], **ERRORS},
            summary="HR's settings per kind of result", description=PAGED_WAS_ARRAY)
@paginated(default=200, max_limit=1000)
def work_result_settings_get(request):
    if not access.can_manage_work_result_settings(request.actor):
        raise PermissionDenied(_("Only HR manages the work result settings."))
    return selectors_results.work_result_settings_list(request.actor)


@router.put("/work-results/settings", response={200: list[SettingOut], **ERRORS},
            summary="Change the settings of some kinds")
def work_result_settings_put(request, data: WorkResultSettingsIn):
    if not access.can_manage_work_result_settings(request.actor):
        raise PermissionDenied(_("Only HR manages the work result settings."))
    values: dict[str, dict] = {}
    metrics = access.visible_metrics(request.actor)
    for kind in WorkResultKind.values:
        item = getattr(data, kind)
        if item is None:
            continue
        metric = None
        if item.metric:
            metric = metrics.filter(key=item.metric).first()
            if metric is None:
                raise InvalidInput(_("Please correct the errors below."), {f"{kind}_metric": [_("Unknown metric.")]})
        values[kind] = {"trusted": item.trusted, "metric": metric}
    services.work_result_settings_update(actor=request.actor, values=values)
    return selectors_results.work_result_settings_list(request.actor)


def _result(request, result_id: int):
    result = selectors_results.work_result_get(request.actor, result_id)
    if result is None:
        raise Http404
    return result


@router.get("/work-results/{int:result_id}", response={200: WorkResultOut, **ERRORS}, summary="One work result")
def work_result_get(request, result_id: int):
    return _result(request, result_id)


@router.post("/work-results/{int:result_id}/confirm", response={200: WorkResultOut, **ERRORS},
             summary="Confirm a work result (the person's manager or HR)")
def work_result_confirm(request, result_id: int, data: WorkResultDecisionIn):
    result = services.work_result_confirm(actor=request.actor, result=_result(request, result_id), note=data.note)
    return _result(request, result.pk)


@router.post("/work-results/{int:result_id}/reject", response={200: WorkResultOut, **ERRORS},
             summary="Reject a work result, saying why")
def work_result_reject(request, result_id: int, data: WorkResultDecisionIn):
    result = services.work_result_reject(actor=request.actor, result=_result(request, result_id), note=data.note)
    return _result(request, result.pk)


@router.post("/work-results/{int:result_id}/withdraw", response={200: WorkResultOut, **ERRORS},
             summary="Withdraw one's own pending result")
def work_result_withdraw(request, result_id: int):
    result = services.work_result_withdraw(actor=request.actor, result=_result(request, result_id))
    return _result(request, result.pk)


@router.get("/work-results/{int:result_id}/attachments/{int:attachment_id}", response={200: None, **ERRORS},
            summary="Download an attachment")
def work_result_attachment(request, result_id: int, attachment_id: int):
    attachment = selectors_results.work_result_attachment_get(request.actor, result_id, attachment_id)
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    return response

