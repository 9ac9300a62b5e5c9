"""Time API: shifts (HR keeps them), work schedules (HR assigns them) and rosters (managers and HR
plan them; everyone reads their own)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import SkipValidation

from talentloop.attendance import access
from talentloop.attendance.selectors import rosters as roster_selectors
from talentloop.attendance.selectors import shifts as selectors
from talentloop.attendance.services import rosters as roster_services
from talentloop.attendance.services import shifts as services
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, ErrorOut, Id, InItem, InSchema
from talentloop.core.validation import item_errors

router = Router()

HHMM = "Local time, HH:MM"


class ShiftOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    start: dt.time
    end: dt.time
    crosses_midnight: bool
    break_minutes: int
    core_start: dt.time | None
    core_end: dt.time | None
    required_minutes: int | None
    grace_minutes: int
    late_absent_minutes: int
    early_absent_minutes: int
    min_rest_hours: int
    color: str
    is_active: bool


class ShiftIn(InSchema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=80)
    name_en: str = Field("", max_length=80)
    kind: Literal["fixed", "flexible"] = "fixed"
    start: dt.time = Field(..., description=HHMM)
    end: dt.time = Field(..., description=HHMM + "; at or before the start: the shift ends the next day")
    break_minutes: int = Field(60, ge=0, le=1440)
    core_start: dt.time | None = None
    core_end: dt.time | None = None
    required_minutes: int | None = Field(None, ge=1, le=1440)
    grace_minutes: int = Field(5, ge=0, le=1440)
    late_absent_minutes: int = Field(120, ge=0, le=1440)
    early_absent_minutes: int = Field(120, ge=0, le=1440)
    min_rest_hours: int = Field(11, ge=0, le=24)
    color: str = Field("#2f6feb", max_length=7)
    is_active: bool = True


class ShiftPatch(InSchema):
    code: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=80)
    name_en: str | None = Field(None, max_length=80)
    kind: Literal["fixed", "flexible"] | None = None
    start: dt.time | None = None
    end: dt.time | None = None
    break_minutes: int | None = Field(None, ge=0, le=1440)
    core_start: dt.time | None = None
    core_end: dt.time | None = None
    required_minutes: int | None = Field(None, ge=1, le=1440)
    grace_minutes: int | None = Field(None, ge=0, le=1440)
    late_absent_minutes: int | None = Field(None, ge=0, le=1440)
    early_absent_minutes: int | None = Field(None, ge=0, le=1440)
    min_rest_hours: int | None = Field(None, ge=0, le=24)
    color: str | None = Field(None, max_length=7)
    is_active: bool | None = None


def _shift_out(s) -> dict:
    return {**{f: getattr(s, f) for f in services.SHIFT_FIELDS}, "id": s.pk, "crosses_midnight": s.crosses_midnight}


def _shift(request, shift_id: int):
    shift = selectors.shift_get(request.actor, shift_id)
    if shift is None:
        raise Http404
    return shift


@router.get("/shifts", response={200: list[ShiftOut], **ERRORS}, summary="Shifts (active ones for everyone; all "
            "of them for HR, admins and roster planners)", description=PAGED)
@paginated(default=200, max_limit=500)
def shifts_list(request):
    return selectors.shift_list(request.actor)


@router.post("/shifts", response={201: ShiftOut, **ERRORS}, summary="Create a shift (HR)")
def shifts_post(request, data: ShiftIn):
    shift = services.shift_save(actor=request.actor, **data.dict())
    return Status(201, _shift_out(shift))


@router.patch("/shifts/{int:shift_id}", response={200: ShiftOut, **ERRORS},
              summary="Change a shift, or deactivate it with is_active false (HR)")
def shift_patch(request, shift_id: int, data: ShiftPatch):
    shift = _shift(request, shift_id)
    fields = data.dict(exclude_unset=True)
    nullable = {"core_start", "core_end", "required_minutes"}
    fields = {k: v for k, v in fields.items() if v is not None or k in nullable}
    return _shift_out(services.shift_save(actor=request.actor, shift=shift, **fields))


@router.delete("/shifts/{int:shift_id}", response={204: None, **ERRORS},
               summary="Delete a shift nobody was ever scheduled on (409 when in use: deactivate it)")
def shift_delete(request, shift_id: int):
    services.shift_delete(actor=request.actor, shift=_shift(request, shift_id))
    return Status(204, None)


# ---------------------------------------------------------------- work schedules


class ScheduleOut(Schema):
    id: int
    org_unit_id: int | None
    employee_id: int | None
    kind: str
    shift_id: int | None
    site_id: int | None
    effective_from: dt.date


class ScheduleIn(InSchema):
    org_unit_id: Id | None = Field(None, description="The unit (and its sub-units); or employee_id")
    employee_id: Id | None = Field(None, description="One person; or org_unit_id")
    kind: Literal["fixed", "roster"]
    shift_id: Id | None = Field(None, description="Required for a fixed schedule")
    site_id: Id | None = None
    effective_from: dt.date


def _schedule_out(s) -> dict:
    return {"id": s.pk, "org_unit_id": s.org_unit_id, "employee_id": s.employee_id, "kind": s.kind,
            "shift_id": s.shift_id, "site_id": s.site_id, "effective_from": s.effective_from}


@router.get("/schedules", response={200: list[ScheduleOut], **ERRORS},
            summary="Work schedules of the units and people HR covers, newest first (the history)", description=PAGED)
@paginated(default=200, max_limit=1000)
def schedules_list(request):
    if not access.can_view_attendance_settings(request.actor):
        raise PermissionDenied(_("Only HR reads work schedules."))
    return [_schedule_out(s) for s in selectors.schedule_list(request.actor)]


@router.post("/schedules", response={201: ScheduleOut, **ERRORS},
             summary="Assign a work schedule to an org unit or a person from a date (HR covering them)")
def schedules_post(request, data: ScheduleIn):
    actor = request.actor
    if not access.can_assign_schedules(actor):
        raise PermissionDenied(_("Only HR covering them assigns a work schedule."))
    errors: dict[str, list[str]] = {}
    unit = employee = shift = site = None
    if data.org_unit_id is not None:
        unit = selectors.schedule_units(actor).filter(pk=data.org_unit_id).first()
        if unit is None:
            errors["org_unit_id"] = [_("No such org unit in your scope.")]
    if data.employee_id is not None:
        employee = selectors.schedule_people(actor).filter(pk=data.employee_id).first()
        if employee is None:
            errors["employee_id"] = [_("No such person in your scope.")]
    if data.shift_id is not None:
        shift = selectors.shift_list(actor).filter(pk=data.shift_id).first()
        if shift is None:
            errors["shift_id"] = [_("No such shift.")]
    if data.site_id is not None:
        site = selectors.active_sites().filter(pk=data.site_id).first()
        if site is None:
            errors["site_id"] = [_("No such work site.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    row = services.work_schedule_assign(actor=actor, org_unit=unit, employee=employee, kind=data.kind, shift=shift,
                                        site=site, effective_from=data.effective_from)
    return Status(201, _schedule_out(row))


# ---------------------------------------------------------------- rosters


class RosterEntryOut(Schema):
    employee_id: int
    date: dt.date
    shift_id: int | None = Field(description="Null: a planned rest day")
    shift_code: str | None


class RosterQuery(InSchema):
    start: dt.date | None = Field(None, description="Default: this week's Monday")
    end: dt.date | None = Field(None, description="Default: six days after the start")
    org_unit: Id | None = Field(None, description="Only the people of this unit and its sub-units")


class CellIn(InItem):
    employee_id: int = Field(ge=1, le=2**53)
    date: dt.date
    shift_id: int | None = Field(None, ge=1, le=2**53, description="Null: a rest day")
    clear: bool = Field(False, description="Remove the cell (nothing planned) instead")


class CellsIn(InSchema):
    items: list[SkipValidation[CellIn]] = Field(
        ..., description=f"Up to {roster_services.MAX_CELLS:,} cells. Each is validated on its own and a bad one is "
        "reported by its index in `rejected`; with `partial` the good ones are kept, without it nothing is written.")
    partial: bool = False


class CellRejectedOut(Schema):
    index: int
    errors: dict[str, list[str]]


class RestWarningOut(Schema):
    employee_id: int
    date: dt.date
    rest_hours: float = Field(description="Hours between the previous shift's end and this one's start, under "
                              "the shift's minimum rest")


class RosterSetOut(Schema):
    saved: int
    cleared: int
    rejected: list[CellRejectedOut]
    warnings: list[RestWarningOut]


class RosterErrorOut(ErrorOut):
    rejected: list[CellRejectedOut] = []


class CopyIn(InSchema):
    from_week: dt.date = Field(..., description="Any date of the week copied (read as its Monday)")
    to_week: dt.date = Field(..., description="Any date of the week planned")
    org_unit_id: Id | None = Field(None, description="The team: this unit's people you plan; without it every "
                                   "person you plan, or employee_ids")
    employee_ids: list[Id] | None = Field(None, max_length=1000)
    overwrite: bool = Field(False, description="Replace cells already planned in the target week")


class SkippedOut(Schema):
    date: dt.date
    reason: str


class CopyPersonOut(Schema):
    employee_id: int
    copied: int
    skipped: list[SkippedOut]


class CopyOut(Schema):
    copied: int
    skipped: int
    people: list[CopyPersonOut]


@router.get("/rosters", response={200: list[RosterEntryOut], **ERRORS},
            summary="Roster cells from start to end of the people I plan, and my own", description=PAGED)
@paginated(default=500, max_limit=5000)
def rosters_list(request, query: Query[RosterQuery]):
    start = query.start or roster_services.week_start(timezone.localdate())
    end = query.end or (start + dt.timedelta(days=6) if start <= dt.date.max - dt.timedelta(days=6) else dt.date.max)
    unit = None
    if query.org_unit is not None:
        unit = roster_selectors.unit_get(request.actor, query.org_unit)
        if unit is None:  # a unit the reader does not plan: nothing of it to show
            return []
    return [{"employee_id": e.employee_id, "date": e.date, "shift_id": e.shift_id,
             "shift_code": e.shift.code if e.shift else None}
            for e in roster_selectors.roster_entries(request.actor, start=start, end=end, unit=unit)]


@router.put("/rosters", response={200: RosterSetOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                  422: RosterErrorOut}, summary="Plan roster cells in bulk (a shift, a rest day or "
            "clear), per-cell errors by index")
def rosters_put(request, data: CellsIn):
    actor = request.actor
    if not access.can_plan_rosters(actor):
        raise PermissionDenied(_("Only managers and HR plan rosters."))
    items = data.items
    if len(items) > roster_services.MAX_CELLS:
        raise InvalidInput(_("Please correct the errors below."),
                           {"items": [_("At most %(n)d cells at once.") % {"n": roster_services.MAX_CELLS}]})
    refused = item_errors(CellIn, items)
    # A cell the schema refused stays in its place (as an empty cell the service rejects too), so the
    # service's indexes are the client's; its errors are then the schema's.
    cells = [roster_services.Cell(None, None) if i in refused else roster_services.Cell(
        **CellIn.model_validate(raw).model_dump()) for i, raw in enumerate(items)]
    try:
        result = roster_services.roster_set(actor=actor, cells=cells, partial=data.partial)
    except InvalidInput as exc:
        if "rejected" in exc.extra:
            exc.extra["rejected"] = _merge(refused, exc.extra["rejected"])
        raise
    answer = result.as_dict()
    answer["rejected"] = _merge(refused, result.rejected)
    return answer


def _merge(refused: dict[int, dict[str, list[str]]], found: list[dict]) -> list[dict]:
    """The service's rejections, with the schema's messages for the cells the schema refused."""
    return [{"index": r["index"], "errors": refused.get(r["index"], r["errors"])} for r in found]


@router.post("/rosters/copy-week", response={200: CopyOut, **ERRORS},
             summary="Copy a week of the team's roster to another week; cells already planned are kept unless "
             "overwrite, and each person's skipped days are reported")
def rosters_copy_week(request, data: CopyIn):
    actor = request.actor
    if not access.can_plan_rosters(actor):
        raise PermissionDenied(_("Only managers and HR plan rosters."))
    unit = None
    if data.org_unit_id is not None:
        unit = roster_selectors.unit_get(actor, data.org_unit_id)
        if unit is None:
            raise InvalidInput(_("Please correct the errors below."), {"org_unit_id": [_("No such org unit.")]})
    people_qs = roster_selectors.team_people(actor, unit=unit)
    if data.employee_ids is not None:
        people_qs = people_qs.filter(pk__in=data.employee_ids)
        people = list(people_qs)
        missing = set(data.employee_ids) - {p.pk for p in people}
        if missing:
            raise InvalidInput(_("Please correct the errors below."),
                               {"employee_ids": [_("No person whose roster you plan with id %(id)s.")
                                                 % {"id": min(missing)}]})
    else:
        people = list(people_qs)
    report = roster_services.roster_copy_week(actor, people=people, from_week=data.from_week, to_week=data.to_week,
                                              overwrite=data.overwrite)
    return {"copied": report.total_copied, "skipped": report.total_skipped,
            "people": [{"employee_id": p.pk, "copied": report.copied.get(p.pk, 0),
                        "skipped": report.skipped.get(p.pk, [])} for p in people]}


class StaffingOut(Schema):
    org_unit_id: int
    shift_id: int
    shift_code: str
    weekday: int = Field(description="0 Monday .. 6 Sunday")
    min_people: int


class StaffingQuery(InSchema):
    org_unit: Id | None = Field(None, description="Default: every unit whose staffing you set")


class StaffingIn(InSchema):
    org_unit_id: Id
    shift_id: Id
    weekdays: list[int] = Field(..., min_length=1, max_length=7, description="0 Monday .. 6 Sunday")
    min_people: int = Field(..., ge=0, le=999, description="0 removes the requirement on those days")


def _staffed_unit(request, pk: int, field: str):
    if not access.can_plan_rosters(request.actor):
        raise PermissionDenied(_("Only managers and HR plan rosters."))
    unit = roster_selectors.unit_get(request.actor, pk)
    if unit is None:
        raise InvalidInput(_("Please correct the errors below."), {field: [_("No such org unit.")]})
    return unit


def _requirements(request, unit) -> list[dict]:
    return [{"org_unit_id": r.org_unit_id, "shift_id": r.shift_id, "shift_code": r.shift.code, "weekday": r.weekday,
             "min_people": r.min_people} for r in roster_selectors.requirement_list(request.actor, unit=unit)]


@router.get("/rosters/requirements", response={200: list[StaffingOut], **ERRORS},
            summary="A team's minimum staffing per shift and weekday", description=PAGED)
@paginated(default=100, max_limit=500)
def requirements_list(request, query: Query[StaffingQuery]):
    if not access.can_plan_rosters(request.actor):
        raise PermissionDenied(_("Only managers and HR plan rosters."))
    if query.org_unit is None:
        return _requirements(request, None)
    unit = roster_selectors.unit_get(request.actor, query.org_unit)
    return _requirements(request, unit) if unit is not None else []  # a unit one does not staff: nothing


@router.put("/rosters/requirements", response={200: list[StaffingOut], **ERRORS},
            summary="Set a team's minimum staffing of a shift on some weekdays (0 people removes it); answers the "
            "team's requirements")
def requirements_put(request, data: StaffingIn):
    unit = _staffed_unit(request, data.org_unit_id, "org_unit_id")
    shift = selectors.shift_list(request.actor).filter(pk=data.shift_id).first()
    if shift is None:
        raise InvalidInput(_("Please correct the errors below."), {"shift_id": [_("No such shift.")]})
    roster_services.shift_requirement_set(actor=request.actor, org_unit=unit, shift=shift, weekdays=data.weekdays,
                                          min_people=data.min_people)
    return _requirements(request, unit)
