"""Time API: clocking in and out (``/clock``) and the work sites (``/sites``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from talentloop.attendance import access
from talentloop.attendance.models import WorkSite
from talentloop.attendance.selectors import clock as selectors
from talentloop.attendance.services.clock import clock_event_record
from talentloop.attendance.services.sites import work_site_save
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.core.paging import PAGED, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema

router = Router()


class ClockIn(InSchema):
    direction: Literal["in", "out"]
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy_m: int | None = Field(None, ge=0, le=100_000)
    reason: str = Field("", max_length=300)
    at: dt.datetime | None = Field(None, description="When the punch happened (a phone that was offline); "
                                                     "empty: now. Refused in the future or beyond the "
                                                     "policy's window in the past.")


class ClockEventOut(Schema):
    id: int
    at: dt.datetime
    work_date: dt.date
    direction: str
    source: str
    site_id: int | None
    site_name: str = ""
    via_network: bool
    outside: bool
    distance_m: int | None
    reason: str
    latitude: Decimal | None = Field(None, description="The raw position, kept for the retention period only")
    longitude: Decimal | None = None
    accuracy_m: int | None = None

    @staticmethod
    def resolve_site_name(obj) -> str:
        if isinstance(obj, dict):
            return obj.get("site_name", "")
        return obj.site.label if obj.site_id else ""


class DayOut(Schema):
    date: dt.date
    scheduled: bool | None
    state: str = Field(description="Empty while nothing can be said yet; else rest, leave, absent, half_absent, "
                                   "missing_punch, late, early, late_early or normal")
    state_label: str
    late_minutes: int
    early_minutes: int
    outside: int = Field(description="Punches of the day outside every site")
    next_direction: str
    in_progress: bool


class ClockOut(Schema):
    event: ClockEventOut
    created: bool = Field(description="False: the same punch within a minute, answered with the one recorded")
    day: DayOut


class ClockQuery(InSchema):
    start: dt.date | None = Field(None, description="First work date, included")
    end: dt.date | None = Field(None, description="Last work date, included")


def event_out(event) -> dict:
    return {"id": event.pk, "at": event.at, "work_date": event.work_date, "direction": event.direction,
            "source": event.source, "site_id": event.site_id, "site_name": event.site.label if event.site else "",
            "via_network": event.via_network, "outside": event.outside, "distance_m": event.distance_m,
            "reason": event.reason, "latitude": event.latitude, "longitude": event.longitude,
            "accuracy_m": event.accuracy_m}


def day_out(view: selectors.DayView) -> dict:
    result = view.result
    return {"date": view.date, "scheduled": view.planned.scheduled if view.planned else None,
            "state": result.state if result else "", "state_label": str(result.state_label) if result else "",
            "late_minutes": result.late_minutes if result else 0,
            "early_minutes": result.early_minutes if result else 0, "outside": len(view.outside),
            "next_direction": view.next_direction, "in_progress": view.in_progress}


@router.post("/clock", response={201: ClockOut, 200: ClockOut, **ERRORS},
             summary="Clock in or out: placed at a work site by position or office network, else outside "
                     "with a reason; answers the event and the day's state",
             description="The position is checked against the geofences of the sites of the person's unit and "
                         "the units above it; the raw position is kept for the policy's retention (30 days) "
                         "and then deleted, the result (site, or outside by how far) is kept. Outside without a "
                         "reason is refused with 422 (`errors.reason`, and `distance_m`). The same punch "
                         "again within 60 seconds answers 200 with the event already recorded.")
def clock_post(request, data: ClockIn):
    actor = request.actor
    clocked = clock_event_record(actor, direction=data.direction, at=data.at, latitude=data.latitude,
                                 longitude=data.longitude, accuracy_m=data.accuracy_m, reason=data.reason)
    view = selectors.day_view(actor.employee, clocked.event.work_date, events=clocked.day_events)
    body = {"event": event_out(clocked.event), "created": clocked.created, "day": day_out(view)}
    return Status(201 if clocked.created else 200, body)


@router.get("/clock", response={200: list[ClockEventOut], **ERRORS},
            summary="My clock events by work date, oldest first", description=PAGED)
@paginated(default=100, max_limit=500)
def clock_list(request, query: Query[ClockQuery]):
    actor = request.actor
    if not access.can_clock(actor):
        raise PermissionDenied(_("Only people with an employee record clock in and out."))
    if query.start and query.end and query.start > query.end:
        raise InvalidInput(_("Please correct the errors below."), {"end": [_("The end is before the start.")]})
    return selectors.my_events(actor, start=query.start, end=query.end)


# ---------------------------------------------------------------- work sites


class SiteIn(InSchema):
    org_unit_id: Id
    name: str = Field(..., min_length=1, max_length=120)
    name_en: str = Field("", max_length=120)
    latitude: Decimal = Field(..., ge=-90, le=90)
    longitude: Decimal = Field(..., ge=-180, le=180)
    radius_m: int = Field(200, ge=10, le=50_000)
    networks: list[str] = Field(default_factory=list, max_length=100,
                                description="Office network ranges in CIDR notation, e.g. 10.8.0.0/16")
    is_active: bool = True


class SitePatchIn(InSchema):
    org_unit_id: Id | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    name_en: str | None = Field(None, max_length=120)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    radius_m: int | None = Field(None, ge=10, le=50_000)
    networks: list[str] | None = Field(None, max_length=100)
    is_active: bool | None = None


class SiteOut(Schema):
    id: int
    org_unit_id: int
    org_unit_name: str
    name: str
    name_en: str
    latitude: Decimal
    longitude: Decimal
    radius_m: int
    networks: list[str]
    is_active: bool


def site_out(site: WorkSite) -> dict:
    return {"id": site.pk, "org_unit_id": site.org_unit_id, "org_unit_name": site.org_unit.label, "name": site.name,
            "name_en": site.name_en, "latitude": site.latitude, "longitude": site.longitude,
            "radius_m": site.radius_m, "networks": [n for n in site.networks.splitlines() if n.strip()],
            "is_active": site.is_active}


def _unit(org_unit_id: int):
    unit = selectors.site_unit_get(org_unit_id)
    if unit is None:
        raise InvalidInput(_("Please correct the errors below."), {"org_unit_id": [_("No such active org unit.")]})
    return unit


@router.get("/sites", response={200: list[SiteOut], **ERRORS}, summary="Work sites (HR and admins)",
            description=PAGED)
@paginated(default=100, max_limit=500)
def sites_list(request):
    if not access.can_view_attendance_settings(request.actor):
        raise PermissionDenied(_("Only HR and administrators see the work sites."))
    return [site_out(s) for s in selectors.site_list(request.actor)]


@router.post("/sites", response={201: SiteOut, **ERRORS}, summary="Add a work site (HR for the whole organisation)")
def sites_post(request, data: SiteIn):
    if not access.can_manage_attendance(request.actor):
        raise PermissionDenied(_("Only HR for the whole organisation keeps the work sites."))
    site = work_site_save(request.actor, org_unit=_unit(data.org_unit_id), name=data.name, name_en=data.name_en,
                          latitude=data.latitude, longitude=data.longitude, radius_m=data.radius_m,
                          networks="\n".join(data.networks), is_active=data.is_active)
    return Status(201, site_out(selectors.site_get(request.actor, site.pk)))


@router.patch("/sites/{int:site_id}", response={200: SiteOut, **ERRORS},
              summary="Change a work site (HR for the whole organisation)")
def sites_patch(request, site_id: int, data: SitePatchIn):
    actor = request.actor
    site = selectors.site_get(actor, site_id)
    if site is None:
        raise Http404
    if not access.can_manage_attendance(actor):
        raise PermissionDenied(_("Only HR for the whole organisation keeps the work sites."))
    sent = data.model_dump(exclude_unset=True)
    unit = _unit(sent["org_unit_id"]) if sent.get("org_unit_id") is not None else site.org_unit
    networks = "\n".join(sent["networks"]) if sent.get("networks") is not None else site.networks

    def pick(name: str):
        return sent[name] if sent.get(name) is not None else getattr(site, name)

    work_site_save(actor, site=site, org_unit=unit, name=pick("name"), name_en=pick("name_en"),
                   latitude=pick("latitude"), longitude=pick("longitude"), radius_m=pick("radius_m"),
                   networks=networks, is_active=pick("is_active"))
    return site_out(selectors.site_get(actor, site_id))

