"""The organisation's attendance policy: one row, read by clocking, overtime, summaries and the
settings page."""

from __future__ import annotations

from talentloop.attendance.models import AttendancePolicy


def attendance_policy() -> AttendancePolicy:
    """The policy row. Missing, it is created once with the model's defaults. Should two first
    readers ever race and create two rows, the lowest id is the policy for every reader and writer
    (``attendance_policy_update`` changes this same row), so the answer stays one."""
    policy = AttendancePolicy.objects.select_related("default_shift").order_by("pk").first()
    if policy is None:
        policy = AttendancePolicy.objects.create()
    return policy
