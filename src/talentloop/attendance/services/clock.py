"""Clocking in and out from the phone (and the API), and the purge of raw positions.

A punch is checked against the work sites of the person's org unit and of every unit above it: inside
a site's geofence (great-circle distance to its centre within its radius) it is at that site; else, a
request from one of a site's office networks is at that site "via network"; else it is outside, which
needs a reason and is marked for the manager with the distance to the nearest geofence's edge.

The raw position is kept ``location_retention_days`` (30 by default) so that a disputed punch can be
checked; then :func:`clock_positions_purge` empties it and only the result stays. Nothing is recorded
between punches: there is no movement trail.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.calendar import plan
from talentloop.attendance.daily import DAY, shift_rules
from talentloop.attendance.models import ClockDirection, ClockEvent, ClockSource, WorkSite
from talentloop.attendance.selectors.policy import attendance_policy
from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee

FUTURE_SKEW = dt.timedelta(minutes=2)  # a phone's clock may run a little ahead of the server's
SAME_PUNCH = dt.timedelta(seconds=60)  # the same button twice within a minute is one punch
NIGHT_SHIFT_TAIL = dt.timedelta(hours=4)  # a night shift's punches up to 4 h after its end count to its day
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
MAX_REASON = 300


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def unit_ancestor_ids(path: str) -> list[int]:
    """The ids of a unit and every unit above it, from its materialised path "/1/4/9/"."""
    return [int(part) for part in (path or "").strip("/").split("/") if part]


def _active_sites() -> list[WorkSite]:
    return list(WorkSite.objects.filter(is_active=True).order_by("pk"))


def active_sites() -> list[WorkSite]:
    """Every active work site, kept with attendance's configuration (core.cache, name "attendance"):
    a company has a handful, edited a few times a year, and every punch reads them."""
    return cache.cached("attendance-sites", _active_sites, depends=("attendance",))


def sites_for(employee: Employee) -> list[WorkSite]:
    """The active sites of the person's org unit and of every unit above it."""
    units = set(unit_ancestor_ids(employee.org_unit.path))
    return [site for site in active_sites() if site.org_unit_id in units]


def _clock_window_days() -> int:
    return attendance_policy().clock_window_days


def clock_window_days() -> int:
    """How many days back a punch is accepted (the policy's, kept with attendance's configuration)."""
    return cache.cached("attendance-clock-window", _clock_window_days, depends=("attendance",))


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The valid CIDR lines of a site's ``networks`` (validated when saved; a bad line is skipped here)."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            out.append(ipaddress.ip_network(line, strict=False))
        except ValueError:
            continue
    return out


@dataclass(frozen=True)
class Placement:
    """Where a punch was: at ``site`` (by position or, ``via_network``, by office network), or outside,
    ``distance_m`` beyond the nearest geofence's edge (None: no position and no site to measure to)."""

    site: WorkSite | None
    via_network: bool
    outside: bool
    distance_m: int | None


def place(sites: list[WorkSite], latitude: float | None, longitude: float | None, ip: str) -> Placement:
    nearest_edge: float | None = None
    if latitude is not None and longitude is not None:
        inside: list[tuple[float, WorkSite]] = []
        for site in sites:
            d = haversine_m(latitude, longitude, float(site.latitude), float(site.longitude))
            if d <= site.radius_m:
                inside.append((d, site))
            edge = d - site.radius_m
            nearest_edge = edge if nearest_edge is None else min(nearest_edge, edge)
        if inside:
            inside.sort(key=lambda t: (t[0], t[1].pk))
            return Placement(inside[0][1], False, False, None)
    try:
        address = ipaddress.ip_address(ip) if ip else None
    except ValueError:
        address = None
    if address is not None:
        for site in sites:
            if any(address.version == net.version and address in net for net in parse_networks(site.networks)):
                return Placement(site, True, False, None)
    distance = None if nearest_edge is None else max(1, math.ceil(nearest_edge))
    return Placement(None, False, True, distance)


def work_date_for(employee: Employee, at: dt.datetime) -> dt.date:
    """The day a punch counts to: its local date, unless yesterday's planned shift crosses midnight
    and the punch comes before that shift's end (this morning) plus four hours — then yesterday.
    No query when no shift crosses midnight (the shifts are kept configuration); else the plan of
    yesterday, from kept configuration too."""
    local = timezone.localtime(at)
    today = local.date()
    # A shift crossing midnight ends past 24:00 in its rule (its end is at or before its start).
    night = {rule.id: rule.end - DAY for rule in shift_rules().values() if rule.end > DAY}
    if not night:  # no shift crosses midnight: nothing to look up (the usual case)
        return today
    yesterday = today - dt.timedelta(days=1)
    planned = plan([employee.pk], yesterday, yesterday, paths={employee.pk: employee.org_unit.path}
                   ).get(employee.pk) or []
    shift_id = planned[0].shift_id if planned else None
    if shift_id in night:
        end = night[shift_id]
        shift_end = timezone.make_aware(dt.datetime.combine(today, dt.time(end // 3600, end % 3600 // 60,
                                                                            end % 60)), local.tzinfo)
        if local < shift_end + NIGHT_SHIFT_TAIL:
            return yesterday
    return today


def _decimal(value: float | Decimal | str | None, field: str, low: int, high: int,
             errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not number.is_finite() or not low <= number <= high:
        errors[field] = [_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}]
        return None
    return number.quantize(Decimal("0.000001"))


@dataclass(frozen=True)
class Clocked:
    event: ClockEvent
    created: bool  # False: the same punch within a minute, answered with the one already recorded
    # Every punch of the event's work date, this one included, in time order: the day's state is
    # judged from them without reading them again.
    day_events: list[ClockEvent] = field(default_factory=list)


@transaction.atomic
def clock_event_record(actor: Actor, *, direction: str, at: dt.datetime | None = None,
                       latitude: float | Decimal | str | None = None, longitude: float | Decimal | str | None = None,
                       accuracy_m: int | None = None, reason: str = "", ip: str | None = None) -> Clocked:
    """Record the actor's own punch from the phone or the API."""
    if not access.can_clock(actor):
        raise PermissionDenied(_("Only people with an employee record clock in and out."))
    employee = actor.employee
    assert employee is not None  # can_clock says so
    now = timezone.now()
    window_days = clock_window_days()
    errors: dict[str, list[str]] = {}
    if direction not in (ClockDirection.IN, ClockDirection.OUT):
        errors["direction"] = [_("Choose in or out.")]
    if at is None:
        at = now
    elif timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + FUTURE_SKEW:
        errors["at"] = [_("A clock event cannot be in the future.")]
    elif at < now - dt.timedelta(days=window_days):
        errors["at"] = [_("Clock events are accepted up to %(days)d days back; ask for a correction instead.")
                        % {"days": window_days}]
    lat = _decimal(latitude, "latitude", -90, 90, errors)
    lon = _decimal(longitude, "longitude", -180, 180, errors)
    if (lat is None) != (lon is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude" if lat is None else "longitude"] = [_("Send both latitude and longitude, or neither.")]
    if accuracy_m is not None and (isinstance(accuracy_m, bool) or not 0 <= int(accuracy_m) <= 100_000):
        errors["accuracy_m"] = [_("Enter a number of metres from 0 to 100000.")]
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": MAX_REASON}]
    if errors:
        raise InvalidInput(_("The clock event was not recorded."), errors)

    # One punch at a time per person (two quick taps, two tabs): the person's row is the lock. On
    # SQLite the transaction already holds the database's write lock (IMMEDIATE), so no row lock.
    if connection.vendor != "sqlite":
        Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk", flat=True).first()
    # A punch counts to its local date or the day before (a night shift): the work dates bound the
    # read to the person's index on (employee, work_date). One read gives both the same punch within
    # a minute and the day's punches the answer judges.
    first_day = timezone.localtime(at - SAME_PUNCH).date() - dt.timedelta(days=1)
    last_day = timezone.localtime(at + SAME_PUNCH).date()
    nearby = list(ClockEvent.objects.filter(employee=employee, work_date__range=(first_day, last_day))
                  .order_by("at", "pk"))
    sites = sites_for(employee)
    by_id = {site.pk: site for site in active_sites()}
    for event in nearby:  # the site from kept configuration, not one more read
        if event.site_id is not None and event.site_id in by_id:
            event.site = by_id[event.site_id]
    same = next((e for e in nearby if e.direction == direction and e.source == ClockSource.PHONE
                 and at - SAME_PUNCH <= e.at <= at + SAME_PUNCH), None)
    if same is not None:
        return Clocked(same, False, [e for e in nearby if e.work_date == same.work_date])

    placement = place(sites, None if lat is None else float(lat), None if lon is None else float(lon),
                      actor.ip if ip is None else ip)
    if placement.outside and not reason:
        if placement.distance_m is not None:
            message = _("You are %(m)d m outside the nearest work site: say why you clock here.") % {
                "m": placement.distance_m}
        else:
            message = _("Your position is not at a work site nor on an office network: say why you clock here.")
        raise InvalidInput(message, {"reason": [_("A reason is required when clocking outside the work sites.")]},
                           outside=True, distance_m=placement.distance_m)
    event = ClockEvent(employee=employee, at=at, work_date=work_date_for(employee, at), direction=direction,
                       source=ClockSource.PHONE, site=placement.site, via_network=placement.via_network,
                       outside=placement.outside, distance_m=placement.distance_m,
                       reason=reason if placement.outside else "",
                       latitude=lat, longitude=lon, accuracy_m=None if accuracy_m is None else int(accuracy_m))
    event.save()
    day = [e for e in nearby if e.work_date == event.work_date] + [event]
    day.sort(key=lambda e: (e.at, e.pk))
    return Clocked(event, True, day)


def clock_positions_purge(*, now: dt.datetime | None = None) -> int:
    """Empty the raw position of every event older than the policy's retention, in one UPDATE; the
    result (site, outside, distance, reason) stays. Answers how many events were emptied."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=attendance_policy().location_retention_days)
    return (ClockEvent.objects.filter(at__lt=cutoff, latitude__isnull=False)
            .update(latitude=None, longitude=None, accuracy_m=None))
