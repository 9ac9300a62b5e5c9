"""Pulling punches from WeCom, DingTalk and Feishu with the organisation's credentials.

HR keeps one row of credentials per vendor (the secret encrypted, never shown again once saved; a new
one replaces it). Every 30 minutes (``tasks_vendors``), and when HR asks, each enabled vendor is asked
for the punches since ``pulled_until`` (minus an overlap for records that reach the vendor late),
a local day at a time. Each day is fetched first (HTTP outside any transaction), then written in one
transaction that also advances ``pulled_until``: a pull that crashes half-way leaves the days it
committed, and the next one asks again from there — the vendor's record id makes the same punch one
event, so asking twice adds nothing.

People are known to a vendor by their chat identity (``notifications.ImIdentity``: the WeCom or
DingTalk userid, the Feishu user id) or else by their employee number (many companies make it the
userid; Feishu is asked by 工号 then). A punch of a user id that matches nobody is reported on the
pull's record with the id, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.models import ClockImport, ClockSource, VendorAttendance
from talentloop.attendance.services.imports import (
    MAX_REPORTED_ERRORS,
    adapters,
    insert_events,
    locked_months,
    work_dates_for,
)
from talentloop.attendance.vendors import dingtalk, feishu, wecom
from talentloop.attendance.vendors.base import Punch, VendorError, with_token
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.notifications.models import DEFAULT_API_BASE, ImCredentials, ImIdentity, Vendor
from talentloop.organisation.models import Employee

MODULES: dict[str, ModuleType] = {ClockSource.WECOM: wecom, ClockSource.DINGTALK: dingtalk,
                                  ClockSource.FEISHU: feishu}
INITIAL_LOOKBACK = dt.timedelta(days=7)  # the first pull reaches this far back
OVERLAP = dt.timedelta(hours=2)  # asked again each time: punches that reach the vendor late
MAX_DAYS_PER_PULL = 31  # a longer backlog is caught up over the next runs


def _require_manager(actor: Actor) -> None:
    if not access.can_manage_attendance(actor):
        raise PermissionDenied(_("Only HR covering the whole organisation manages the attendance apps."))


def base_url_of(settings_row: VendorAttendance) -> str:
    return (settings_row.base_url or DEFAULT_API_BASE[Vendor(settings_row.vendor)]).rstrip("/")


@transaction.atomic
def vendor_save(actor: Actor, *, vendor: str, app_id: str, secret: str = "", base_url: str = "",
                enabled: bool = True) -> VendorAttendance:
    """Create or change a vendor's credentials. An empty ``secret`` keeps the one saved; a new one
    replaces it (rotation) and clears the last error."""
    _require_manager(actor)
    if vendor not in MODULES:
        raise InvalidInput(_("Unknown attendance app."), {"vendor": [_("Choose WeCom, DingTalk or Feishu.")]})
    row = VendorAttendance.objects.select_for_update().filter(vendor=vendor).first()
    errors: dict[str, list[str]] = {}
    app_id, secret, base_url = app_id.strip(), secret.strip(), base_url.strip()
    if not app_id:
        errors["app_id"] = [_("Enter the corp ID, AppKey or App ID of the app.")]
    elif len(app_id) > 120:
        errors["app_id"] = [_("At most 120 characters.")]
    if row is None and not secret:
        errors["secret"] = [_("Enter the app's secret.")]
    elif len(secret) > 500:
        errors["secret"] = [_("At most 500 characters.")]
    if base_url and not base_url.startswith(("https://", "http://")):
        errors["base_url"] = [_("Enter an address starting with https://, or leave it empty.")]
    elif len(base_url) > 200:
        errors["base_url"] = [_("At most 200 characters.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    created = row is None
    if row is None:
        row = VendorAttendance(vendor=vendor)
    row.app_id, row.base_url, row.enabled = app_id, base_url, enabled
    if secret:
        row.secret = secret
        row.last_error = ""
    row.save()
    audit_record(actor=actor, action="create" if created else "update", obj=row,
                 summary=f"attendance app {vendor}",
                 changes={"app_id": app_id, "base_url": base_url, "enabled": enabled,
                          "secret": "replaced" if secret else "kept"})
    return row


def vendor_pull_request(actor: Actor, *, vendor: VendorAttendance) -> None:
    """HR's "pull now": the pull runs in the worker once this request has committed."""
    _require_manager(actor)
    if not vendor.enabled:
        raise InvalidInput(_("This app is switched off."), {"enabled": [_("Switch the app on first.")]})
    from talentloop.attendance import tasks_vendors  # the tasks module imports this one

    vendor_id = vendor.pk
    transaction.on_commit(lambda: tasks_vendors.vendor_pull_now(vendor_id))


# ---------------------------------------------------------------- pulling


def _directory(vendor: str, since: dt.date) -> dict[str, dict[str, int]]:
    """The people to ask about, by the kind of id the vendor is asked with: ``{id_type: {user id:
    employee id}}``. Everyone employed on or after ``since``."""
    people = dict(Employee.objects.filter(Q(termination_date__isnull=True) | Q(termination_date__gte=since))
                  .values_list("id", "employee_number"))
    identities = dict(ImIdentity.objects.filter(vendor=vendor, employee_id__in=list(people))
                      .values_list("employee_id", "external_id"))
    if vendor == ClockSource.FEISHU:
        # Feishu is asked by its user id only when the chat identities hold user ids (not open ids).
        kind = ImCredentials.objects.filter(vendor=vendor).values_list("receive_id_type", flat=True).first()
        if kind != ImCredentials.ReceiveIdType.USER_ID:
            identities = {}
        by_id = {identities[pid]: pid for pid in people if pid in identities}
        by_number = {number: pid for pid, number in people.items() if pid not in identities}
        return {feishu.EMPLOYEE_ID: by_id, feishu.EMPLOYEE_NO: by_number}
    return {"": {identities.get(pid) or str(number): pid for pid, number in people.items()}}


def _days(start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> list[tuple[dt.datetime, dt.datetime]]:
    """[start, end) cut at local midnights."""
    out = []
    cursor = start
    while cursor < end:
        local = cursor.astimezone(zone)
        midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        stop = min(end, midnight.astimezone(dt.UTC))
        out.append((cursor, stop))
        cursor = stop
    return out


def vendor_pull(actor: Actor | None, *, vendor: VendorAttendance, now: dt.datetime | None = None
                ) -> ClockImport | None:
    """Pull one vendor's punches up to ``now``; ``actor`` None is the schedule. Returns the pull's record
    (None when nothing was committed). A vendor's failure is kept in ``last_error`` and stops the pull;
    the days before it stay committed."""
    if actor is not None:
        _require_manager(actor)
    if not vendor.enabled:
        return None
    module = MODULES[vendor.vendor]
    zone = ZoneInfo(settings.TIME_ZONE)
    now = (now or timezone.now()).astimezone(dt.UTC)
    start = (vendor.pulled_until - OVERLAP) if vendor.pulled_until else now - INITIAL_LOOKBACK
    days = _days(start, now, zone)[:MAX_DAYS_PER_PULL]
    if not days:
        return None
    directory = _directory(vendor.vendor, start.astimezone(zone).date())
    base, app_id, secret = base_url_of(vendor), vendor.app_id, vendor.secret
    pull: ClockImport | None = None
    for day_start, day_end in days:
        try:
            punches: list[tuple[str, Punch]] = []
            for id_type, users in directory.items():
                ids = sorted(users)
                for first in range(0, len(ids), module.BATCH):
                    group = ids[first:first + module.BATCH]

                    def call(token: str, group: list[str] = group, id_type: str = id_type,
                             day_start: dt.datetime = day_start, day_end: dt.datetime = day_end) -> list[Punch]:
                        return module.punches(base, token, group, day_start, day_end, id_type)

                    found = with_token(vendor.vendor, base, app_id, secret, module.fetch_token, call)
                    punches += [(id_type, p) for p in found]
        except VendorError as exc:
            VendorAttendance.objects.filter(pk=vendor.pk).update(last_error=str(exc)[:500], updated_at=timezone.now())
            vendor.last_error = str(exc)[:500]
            return pull
        pull = _commit_day(actor, vendor, pull, directory, punches, day_start, day_end, now)
    return pull


@transaction.atomic
def _commit_day(actor: Actor | None, vendor: VendorAttendance, pull: ClockImport | None,
                directory: dict[str, dict[str, int]], punches: list[tuple[str, Punch]], day_start: dt.datetime,
                day_end: dt.datetime, now: dt.datetime) -> ClockImport:
    """Write one day's punches and advance ``pulled_until`` to its end, together."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if pull is None:
        pull = ClockImport.objects.create(source=vendor.vendor, by=actor.user if actor is not None else None,
                                          file_name=f"{day_start.astimezone(zone):%Y-%m-%d %H:%M} – "
                                                    f"{now.astimezone(zone):%Y-%m-%d %H:%M}")
    matched: list[tuple[int, Punch]] = []
    errors: list[dict] = list(pull.errors)
    rejected = 0
    for id_type, punch in punches:
        person = directory.get(id_type, {}).get(punch.user_id)
        if person is None:
            rejected += 1
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.append({"line": 0, "employee_number": punch.user_id, "device": punch.device,
                               "timestamp": f"{punch.at.astimezone(zone):%Y-%m-%d %H:%M:%S}",
                               "reasons": [_("No employee matches this user id of the app.")]})
            continue
        matched.append((person, punch))
    computed = work_dates_for([(pid, p.at.astimezone(zone).replace(tzinfo=None)) for pid, p in matched])
    locked = locked_months()
    at_value, date_value = adapters()
    recorded = at_value(now.replace(tzinfo=None))
    rows = []
    for (pid, punch), work_date in zip(matched, computed, strict=True):
        day = punch.work_date or work_date
        if day.replace(day=1) in locked:
            rejected += 1
            if len(errors) < MAX_REPORTED_ERRORS:
                errors.append({"line": 0, "employee_number": punch.user_id, "device": punch.device,
                               "timestamp": f"{punch.at.astimezone(zone):%Y-%m-%d %H:%M:%S}",
                               "reasons": [_("The month %(month)s is locked: its punches can no longer be "
                                             "imported.") % {"month": day.strftime("%Y-%m")}]})
            continue
        rows.append((pid, at_value(punch.at.astimezone(dt.UTC).replace(tzinfo=None)), date_value(day),
                     punch.direction, vendor.vendor, punch.device, punch.record_id[:120], pull.pk, False, False,
                     "", recorded))
    added = insert_events(rows)
    pull.rows += len(punches)
    pull.added += added
    pull.duplicates += len(rows) - added
    pull.rejected += rejected
    pull.errors = errors
    pull.save(update_fields=["rows", "added", "duplicates", "rejected", "errors"])
    current = VendorAttendance.objects.select_for_update().get(pk=vendor.pk)
    until = max(day_end, current.pulled_until) if current.pulled_until else day_end
    VendorAttendance.objects.filter(pk=vendor.pk).update(pulled_until=until, last_error="",
                                                         updated_at=timezone.now())
    vendor.pulled_until, vendor.last_error = until, ""
    return pull


def vendor_pull_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The schedule's run: every enabled vendor; punches added per vendor."""
    out = {}
    for vendor in VendorAttendance.objects.filter(enabled=True).order_by("vendor"):
        pull = vendor_pull(None, vendor=vendor, now=now)
        out[vendor.vendor] = pull.added if pull is not None else 0
    return out


def vendor_pull_by_id(vendor_id: int) -> int:
    """The "pull now" job: the vendor's punches up to now; punches added."""
    vendor = VendorAttendance.objects.filter(pk=vendor_id, enabled=True).first()
    if vendor is None:
        return 0
    pull = vendor_pull(None, vendor=vendor)
    return pull.added if pull is not None else 0
