"""Helpers of the leave request tests: leave types, balances and the frozen clock.

The dates sit around National Day 2026 (the official calendar of migration attendance 0003):
Mon 28 Sep and Tue 29, Wed 30 Sep are workdays; Thu 1 – Sat 3 Oct statutory holidays; Sun 4 Oct a
rest day; Mon 5 – Wed 7 Oct rest days (调休); Thu 8, Fri 9 Oct workdays; Sat 10 Oct an adjusted
workday (调休上班); Sun 11 Oct a rest day; Mon 12 Oct a workday."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from talentloop.leave.models import DayCounting, EntryKind, LeaveType, LeaveUnit
from talentloop.leave.services.ledger import ledger_post

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 9, 28)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def frozen(day: dt.date = TODAY, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False)


def leave_type(code: str = "annual-t", **fields) -> LeaveType:
    defaults = {"name": "年假", "name_en": "Annual leave", "category": "annual", "counting": DayCounting.WORKDAYS,
                "unit": LeaveUnit.HALF_DAY, "tracks_balance": True}
    defaults.update(fields)
    return LeaveType.objects.create(code=code, **defaults)


def grant(employee, leave_type: LeaveType, days: str, on: dt.date = dt.date(2026, 1, 1)) -> None:
    ledger_post(by=None, employee_id=employee.pk, leave_type_id=leave_type.pk, kind=EntryKind.ACCRUAL,
                effective_date=on, days=Decimal(days), reason="test grant",
                key=f"test:{employee.pk}:{leave_type.pk}:{on}:{days}")
