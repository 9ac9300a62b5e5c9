"""Reads of the import and vendor-pull pages: the history of clock imports and the vendor settings."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.attendance import access
from talentloop.attendance.models import ClockImport, ClockSource, VendorAttendance
from talentloop.core.access import Actor

VENDORS = (ClockSource.WECOM, ClockSource.DINGTALK, ClockSource.FEISHU)


def clock_import_list(actor: Actor) -> QuerySet[ClockImport]:
    """Every import and pull, newest first, with who started it (one query per page)."""
    if not access.can_view_clock_imports(actor):
        return ClockImport.objects.none()
    return ClockImport.objects.select_related("by").order_by("-at", "-id")


def clock_import_get(actor: Actor, pk: int) -> ClockImport | None:
    return clock_import_list(actor).filter(pk=pk).first()


def vendor_settings(actor: Actor) -> list[dict]:
    """Each vendor's credentials (or None) with its latest pull: a fixed number of queries."""
    if not access.can_view_clock_imports(actor):
        return []
    configured = {v.vendor: v for v in VendorAttendance.objects.all()}
    latest: dict[str, ClockImport] = {}
    for vendor in VENDORS:
        pull = ClockImport.objects.filter(source=vendor).order_by("-at", "-id").first()
        if pull is not None:
            latest[vendor] = pull
    return [{"vendor": vendor.value, "label": vendor.label, "settings": configured.get(vendor.value),
             "last_pull": latest.get(vendor.value)} for vendor in VENDORS]


def vendor_get(actor: Actor, vendor: str) -> VendorAttendance | None:
    if not access.can_view_clock_imports(actor):
        return None
    return VendorAttendance.objects.filter(vendor=vendor).first()
