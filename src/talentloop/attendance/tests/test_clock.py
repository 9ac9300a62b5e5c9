"""Clocking: where a punch is placed (geofence, office network, outside with a reason), the refused
punches, the same punch twice, the night shift's work date, the purge of raw positions, the work
sites' service. Distances are worked out by hand below.

Sites: ``HQ`` of the whole company at 31.230416 N, 121.473701 E, radius 200 m; ``Lab`` of platform
(the employee's unit) at 31.200000 N, 121.600000 E, radius 100 m, office network 10.8.0.0/16; ``Shop``
of sales (not above the employee: never theirs) at 31.100000 N, 121.400000 E.

Along a meridian the great-circle distance is R·Δφ: 6,371,008.8 m × (0.001° × π/180) = 111.19 m per
thousandth of a degree. So 0.001° north of HQ's centre is 111 m away (inside 200 m), 0.002° north is
222.39 m away: outside by 22.39 m, reported as 23 m (rounded up: never "inside" by rounding).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from talentloop.attendance.models import AttendancePolicy, ClockEvent, Shift, WorkSchedule, WorkSite
from talentloop.attendance.services.clock import clock_event_record, clock_positions_purge, haversine_m
from talentloop.attendance.services.sites import work_site_save
from talentloop.core.access import actor_for
from talentloop.core.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 5, 9, 0, tzinfo=SH)  # a Thursday


@pytest.fixture
def sites(world):
    hq = WorkSite.objects.create(org_unit=world.company, name="总部", name_en="HQ", latitude=Decimal("31.230416"),
                                 longitude=Decimal("121.473701"), radius_m=200)
    lab = WorkSite.objects.create(org_unit=world.platform, name="实验室", name_en="Lab", latitude=Decimal("31.2"),
                                  longitude=Decimal("121.6"), radius_m=100, networks="10.8.0.0/16")
    shop = WorkSite.objects.create(org_unit=world.sales, name="门店", name_en="Shop", latitude=Decimal("31.1"),
                                   longitude=Decimal("121.4"), radius_m=300, networks="192.168.9.0/24")
    return {"hq": hq, "lab": lab, "shop": shop}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _actor(world, persona="employee", ip=""):
    return actor_for(getattr(world, persona), ip)


def test_haversine_along_a_meridian():
    assert round(haversine_m(31.230416, 121.473701, 31.232416, 121.473701), 2) == 222.39


def test_inside_a_geofence_is_at_that_site(world, sites, frozen):
    clocked = clock_event_record(_actor(world), direction="in", latitude=31.231416, longitude=121.473701,
                                 accuracy_m=15)
    e = clocked.event
    assert clocked.created and e.site == sites["hq"] and not e.outside and e.distance_m is None
    assert (e.latitude, e.accuracy_m, e.source, e.work_date) == (Decimal("31.231416"), 15, "phone", NOW.date())


def test_outside_needs_a_reason_and_records_how_far(world, sites, frozen):
    with pytest.raises(InvalidInput) as exc:
        clock_event_record(_actor(world), direction="in", latitude=31.232416, longitude=121.473701)
    assert "reason" in exc.value.errors and exc.value.extra["distance_m"] == 23
    assert not ClockEvent.objects.exists()  # nothing recorded
    e = clock_event_record(_actor(world), direction="in", latitude=31.232416, longitude=121.473701,
                           reason="客户现场").event
    assert (e.site, e.outside, e.distance_m, e.reason) == (None, True, 23, "客户现场")


def test_office_network_places_the_punch_without_a_position(world, sites, frozen):
    e = clock_event_record(_actor(world, ip="10.8.3.4"), direction="in").event
    assert (e.site, e.via_network, e.outside, e.latitude) == (sites["lab"], True, False, None)
    # A position outside every geofence from the office network: the network decides.
    e = clock_event_record(_actor(world, ip="10.8.3.4"), direction="out", latitude=30.0, longitude=120.0).event
    assert (e.site, e.via_network) == (sites["lab"], True)


def test_sites_of_other_branches_do_not_count(world, sites, frozen):
    # At the centre of the sales shop, from its network: not the employee's site (platform is not below sales).
    with pytest.raises(InvalidInput):
        clock_event_record(_actor(world, ip="192.168.9.7"), direction="in", latitude=31.1, longitude=121.4)
    # The outsider works in sales: the same punch is at the shop.
    e = clock_event_record(_actor(world, "outsider"), direction="in", latitude=31.1, longitude=121.4).event
    assert e.site == sites["shop"]


def test_no_site_no_position_still_clocks_with_a_reason(world, frozen):
    with pytest.raises(InvalidInput) as exc:
        clock_event_record(_actor(world), direction="in")
    assert exc.value.extra["distance_m"] is None
    e = clock_event_record(_actor(world), direction="in", reason="定位不可用").event
    assert e.outside and e.distance_m is None


@pytest.mark.parametrize(("delta", "ok"), [
    (dt.timedelta(minutes=3), False),  # beyond the 2 minutes of clock skew
    (dt.timedelta(minutes=1), True),
    (-dt.timedelta(days=2), True),
    (-dt.timedelta(days=3, minutes=1), False),  # the policy's window is 3 days
])
def test_future_and_too_old_are_refused(world, sites, frozen, delta, ok):
    kwargs = {"direction": "in", "at": NOW + delta, "reason": "补打"}
    if ok:
        assert clock_event_record(_actor(world), **kwargs).created
    else:
        with pytest.raises(InvalidInput) as exc:
            clock_event_record(_actor(world), **kwargs)
        assert "at" in exc.value.errors
        assert not ClockEvent.objects.exists()


def test_window_follows_the_policy(world, frozen):
    AttendancePolicy.objects.create(clock_window_days=1)
    with pytest.raises(InvalidInput):
        clock_event_record(_actor(world), direction="in", at=NOW - dt.timedelta(days=1, minutes=1), reason="x")


@pytest.mark.parametrize("kwargs", [
    {"direction": "punch"},
    {"direction": "in", "latitude": 31.2},  # longitude missing
    {"direction": "in", "latitude": 91, "longitude": 121},
    {"direction": "in", "accuracy_m": -1},
    {"direction": "in", "reason": "x" * 301},
])
def test_bad_input_changes_nothing(world, sites, frozen, kwargs):
    with pytest.raises(InvalidInput):
        clock_event_record(_actor(world), **{"reason": "r", **kwargs})
    assert not ClockEvent.objects.exists()


def test_only_people_with_an_employee_record_clock(world, frozen):
    with pytest.raises(PermissionDenied):
        clock_event_record(_actor(world, "admin"), direction="in", reason="x")


def test_the_same_punch_within_a_minute_is_one(world, sites, frozen):
    first = clock_event_record(_actor(world), direction="in", latitude=31.231416, longitude=121.473701)
    again = clock_event_record(_actor(world), direction="in", at=NOW + dt.timedelta(seconds=59),
                               latitude=31.231416, longitude=121.473701)
    assert (again.created, again.event.pk) == (False, first.event.pk)
    # The other direction, or a minute and a second later, is a new punch.
    assert clock_event_record(_actor(world), direction="out", latitude=31.231416, longitude=121.473701).created
    later = NOW - dt.timedelta(seconds=61)
    assert clock_event_record(_actor(world), direction="in", at=later, latitude=31.231416,
                              longitude=121.473701).created
    assert ClockEvent.objects.count() == 3


@pytest.fixture
def night(world):
    shift = Shift.objects.create(code="night", name="夜班", start=dt.time(22), end=dt.time(6), break_minutes=30)
    WorkSchedule.objects.create(employee=world.emp(world.employee), kind="fixed", shift=shift,
                                effective_from=dt.date(2026, 1, 1))
    return shift


@pytest.mark.parametrize(("local", "work_date"), [
    # Wednesday 4 Nov was a workday on the night shift (22:00-06:00): its punches until 06:00 + 4 h on
    # Thursday morning count to Wednesday.
    (dt.datetime(2026, 11, 5, 6, 5), dt.date(2026, 11, 4)),
    (dt.datetime(2026, 11, 5, 9, 59), dt.date(2026, 11, 4)),
    (dt.datetime(2026, 11, 5, 10, 0), dt.date(2026, 11, 5)),  # 06:00 + 4 h: no longer
    (dt.datetime(2026, 11, 5, 22, 1), dt.date(2026, 11, 5)),  # Thursday's own shift starts
    # Sunday 8 Nov is a rest day: Monday morning's punch is Monday's.
    (dt.datetime(2026, 11, 9, 6, 5), dt.date(2026, 11, 9)),
    # Friday 6 Nov is a workday: Saturday morning's punch is Friday's.
    (dt.datetime(2026, 11, 7, 6, 5), dt.date(2026, 11, 6)),
])
def test_night_shift_morning_counts_to_the_day_before(world, night, local, work_date):
    at = local.replace(tzinfo=SH)
    with time_machine.travel(at, tick=False):
        e = clock_event_record(_actor(world), direction="out", reason="夜班").event
    assert e.work_date == work_date


def test_without_night_shifts_the_local_date_counts(world, frozen):
    # 00:30 local on 5 Nov is 16:30 UTC on 4 Nov: the work date is the local date.
    at = dt.datetime(2026, 11, 5, 0, 30, tzinfo=SH)
    e = clock_event_record(_actor(world), direction="out", at=at, reason="加班").event
    assert e.work_date == dt.date(2026, 11, 5)


def test_purge_empties_raw_positions_older_than_the_retention(world, sites, frozen):
    emp = world.emp(world.employee)
    common = {"employee": emp, "direction": "in", "source": "phone", "latitude": Decimal("31.2"),
              "longitude": Decimal("121.6"), "accuracy_m": 12}
    old = ClockEvent.objects.create(at=NOW - dt.timedelta(days=30, minutes=1), work_date=dt.date(2026, 10, 6),
                                    site=sites["lab"], **common)
    outside = ClockEvent.objects.create(at=NOW - dt.timedelta(days=45), work_date=dt.date(2026, 9, 21),
                                        outside=True, distance_m=812, reason="客户", **common)
    recent = ClockEvent.objects.create(at=NOW - dt.timedelta(days=29), work_date=dt.date(2026, 10, 7),
                                       site=sites["lab"], **common)
    assert clock_positions_purge(now=NOW) == 2
    old.refresh_from_db(), outside.refresh_from_db(), recent.refresh_from_db()
    assert (old.latitude, old.longitude, old.accuracy_m, old.site) == (None, None, None, sites["lab"])
    assert (outside.latitude, outside.outside, outside.distance_m, outside.reason) == (None, True, 812, "客户")
    assert recent.latitude == Decimal("31.2") and recent.accuracy_m == 12
    assert clock_positions_purge(now=NOW) == 0  # twice: nothing more


def test_purge_follows_the_policy(world, frozen):
    AttendancePolicy.objects.create(location_retention_days=7)
    ClockEvent.objects.create(employee=world.emp(world.employee), at=NOW - dt.timedelta(days=8), direction="in",
                              source="phone", work_date=dt.date(2026, 10, 28), latitude=1, longitude=1)
    assert clock_positions_purge(now=NOW) == 1


def test_the_purge_job_runs_daily_at_0340_local_time():
    from huey.contrib.djhuey import HUEY

    # 03:40 in Shanghai is 19:40 UTC the day before (Huey hands naive UTC times).
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 11, 4, 19, 40))}
    assert "clock_positions_purge_daily" in due
    due = {t.name.rsplit(".", 1)[-1] for t in HUEY.read_periodic(dt.datetime(2026, 11, 5, 3, 40))}
    assert "clock_positions_purge_daily" not in due


# ---------------------------------------------------------------- sites


def test_site_networks_are_checked_line_by_line(world):
    hr = _actor(world, "hr")
    with pytest.raises(InvalidInput) as exc:
        work_site_save(hr, org_unit=world.company, name="总部", latitude="31.2", longitude="121.4", radius_m=5,
                       networks="10.8.0.0/16\nnot-a-network\n\n10.9.0.0/33")
    assert len(exc.value.errors["networks"]) == 2
    assert "Line 2" in exc.value.errors["networks"][0] and "Line 4" in exc.value.errors["networks"][1]
    assert "radius_m" in exc.value.errors
    assert not WorkSite.objects.exists()
    site = work_site_save(hr, org_unit=world.company, name="总部", latitude="31.2", longitude="121.4", radius_m=150,
                          networks=" 10.8.1.7/16 \n2001:db8::/48\n10.8.0.0/16")
    assert site.networks == "10.8.0.0/16\n2001:db8::/48"  # canonical, once each


@pytest.mark.parametrize("persona", ["employee", "manager", "admin"])
def test_only_hr_for_everyone_keeps_sites(world, persona):
    with pytest.raises(PermissionDenied):
        work_site_save(_actor(world, persona), org_unit=world.company, name="x", latitude=1, longitude=1,
                       radius_m=100)
