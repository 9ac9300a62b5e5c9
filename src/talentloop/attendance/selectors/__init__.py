"""Reads of attendance that are more than a lookup. ``monthly_summaries`` is what payroll reads."""

from talentloop.attendance.selectors.summaries import MonthNotLocked, monthly_summaries

__all__ = ["MonthNotLocked", "monthly_summaries"]
