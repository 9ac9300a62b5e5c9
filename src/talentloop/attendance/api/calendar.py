"""Time API: the holiday calendar (every date of a year, HR sets and removes days) and the attendance
policy. The pages call the same services."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.attendance import access
from talentloop.attendance.selectors import calendar as selectors
from talentloop.attendance.selectors.policy import attendance_policy
from talentloop.attendance.services import calendar as services
from talentloop.core.errors import InvalidInput, NotFound, PermissionDenied
from talentloop.core.schemas import ERRORS, Id, InSchema

router = Router()

KindLiteral = Literal["workday", "rest", "statutory"]


class CalendarDayOut(Schema):
    date: dt.date
    kind: KindLiteral
    name: str
    name_en: str
    source: Literal["pattern", "official", "site"] = Field(
        description="pattern: the weekly pattern (no row); official: the organisation's calendar; site: the "
                    "site's own day")
    official: bool = Field(description="true for a day of the State Council notice as shipped")


class CalendarYearOut(Schema):
    year: int
    site_id: int | None
    days: list[CalendarDayOut]


class CalendarQuery(InSchema):
    site: Id | None = Field(None, description="a work site: its own days win over the official ones")


class CalendarDaySetIn(InSchema):
    kind: KindLiteral
    name: str = Field("", max_length=80)
    name_en: str = Field("", max_length=80)
    site_id: Id | None = None


class CalendarDayRowOut(Schema):
    date: dt.date
    kind: KindLiteral
    name: str
    name_en: str
    site_id: int | None
    official: bool


class AttendancePolicyOut(Schema):
    clock_window_days: int
    location_retention_days: int
    overtime_after_allowed: bool
    rest_day_in_lieu: bool
    daily_overtime_cap_minutes: int
    monthly_overtime_cap_minutes: int
    default_shift_id: int | None


class AttendancePolicyIn(InSchema):
    """Send only the fields that change."""

    clock_window_days: int | None = Field(None, ge=0, le=services.MAX_CLOCK_WINDOW_DAYS)
    location_retention_days: int | None = Field(None, ge=1, le=services.MAX_RETENTION_DAYS)
    overtime_after_allowed: bool | None = None
    rest_day_in_lieu: bool | None = None
    daily_overtime_cap_minutes: int | None = Field(None, ge=1, le=services.LEGAL_DAILY_CAP)
    monthly_overtime_cap_minutes: int | None = Field(None, ge=1, le=services.LEGAL_MONTHLY_CAP)
    default_shift_id: Id | None = None


# The years the calendar keeps, documented so that a year outside them is refused as the document says.
Year = Annotated[int, Field(ge=selectors.FIRST_YEAR, le=selectors.LAST_YEAR,
                            description=f"{selectors.FIRST_YEAR} to {selectors.LAST_YEAR}")]


def _year(year: int) -> None:
    if not selectors.valid_year(year):
        msg = _("Enter a year from %(first)s to %(last)s.") % {"first": selectors.FIRST_YEAR,
                                                                "last": selectors.LAST_YEAR}
        raise InvalidInput(msg, {"year": [msg]})


def _site(request, site_id: int | None, field: str):
    site = selectors.calendar_site_get(request.actor, site_id)
    if site_id is not None and site is None:
        raise InvalidInput(_("Please correct the errors below."), {field: [_("No such work site.")]})
    return site


def _in_year(year: int, date: dt.date) -> None:
    if date.year != year:
        msg = _("The date is not in %(year)s.") % {"year": year}
        raise InvalidInput(msg, {"date": [msg]})


@router.get("/calendar/{int:year}", response={200: CalendarYearOut, **ERRORS},
            summary="Every date of a year: workday, rest day or statutory holiday, with its name")
def calendar_year(request, year: Year, query: Query[CalendarQuery]):
    if not access.can_view_calendar(request.actor):
        raise PermissionDenied(_("Sign in to see the calendar."))
    _year(year)
    site = selectors.calendar_site_get(request.actor, query.site)
    if query.site is not None and site is None:  # reading a site one may not see, as one that does not exist
        raise NotFound(_("No such work site."))
    days = selectors.calendar_year(year, site)
    return {"year": year, "site_id": site.pk if site else None,
            "days": [{"date": d.date, "kind": d.kind, "name": d.name, "name_en": d.name_en, "source": d.source,
                      "official": d.official} for d in days]}


@router.put("/calendar/{int:year}/days/{date}", response={200: CalendarDayRowOut, **ERRORS},
            summary="Set a day of the organisation's calendar or of a site's (HR)")
def calendar_day_put(request, year: Year, date: dt.date, data: CalendarDaySetIn):
    if not access.can_manage_attendance(request.actor):
        raise PermissionDenied(_("Only HR for the whole organisation keeps the calendar and the attendance policy."))
    _year(year)
    _in_year(year, date)
    site = _site(request, data.site_id, "site_id")
    row = services.calendar_day_set(actor=request.actor, date=date, kind=data.kind, name=data.name,
                                    name_en=data.name_en, site=site)
    return row


@router.delete("/calendar/{int:year}/days/{date}", response={204: None, **ERRORS},
               summary="Remove a day HR set (the notice's days stay)")
def calendar_day_delete(request, year: Year, date: dt.date, query: Query[CalendarQuery]):
    if not access.can_manage_attendance(request.actor):
        raise PermissionDenied(_("Only HR for the whole organisation keeps the calendar and the attendance policy."))
    _year(year)
    _in_year(year, date)
    site = _site(request, query.site, "site")
    services.calendar_day_remove(actor=request.actor, date=date, site=site)
    return Status(204, None)


@router.get("/policy", response={200: AttendancePolicyOut, **ERRORS}, summary="The attendance policy")
def policy_get(request):
    if not access.can_view_attendance_settings(request.actor):
        raise PermissionDenied(_("Only HR and administrators see the attendance policy."))
    return attendance_policy()


@router.patch("/policy", response={200: AttendancePolicyOut, **ERRORS}, summary="Change the attendance policy (HR)")
def policy_patch(request, data: AttendancePolicyIn):
    if not access.can_manage_attendance(request.actor):
        raise PermissionDenied(_("Only HR for the whole organisation keeps the calendar and the attendance policy."))
    changes = data.model_dump(exclude_unset=True)
    if "default_shift_id" in changes:
        shift_id = changes.pop("default_shift_id")
        shift = selectors.policy_shift_get(shift_id) if shift_id is not None else None
        if shift_id is not None and shift is None:
            raise InvalidInput(_("Please correct the errors below."), {"default_shift_id": [_("No such shift.")]})
        changes["default_shift"] = shift
    nulls = [key for key, value in changes.items() if value is None and key != "default_shift"]
    if nulls:
        raise InvalidInput(_("Please correct the errors below."), {k: [_("This field cannot be null.")] for k in nulls})
    try:
        return services.attendance_policy_update(actor=request.actor, data=changes)
    except InvalidInput as exc:
        if "default_shift" in exc.errors:
            exc.errors["default_shift_id"] = exc.errors.pop("default_shift")
        raise
