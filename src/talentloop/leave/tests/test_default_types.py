"""The leave types shipped by the data migration."""

from decimal import Decimal

import pytest

from talentloop.leave.models import LeaveEntitlement, LeaveType

pytestmark = pytest.mark.django_db


def test_default_types_tiers_and_provincial_entitlements():
    annual = LeaveType.objects.get(code="annual")
    assert annual.tracks_balance and annual.counting == "workdays"
    assert [(t.min_years, t.days) for t in annual.tiers.all()] == [(1, 5), (10, 10), (20, 15)]
    assert LeaveType.objects.get(code="maternity").counting == "calendar"
    assert LeaveType.objects.get(code="personal").paid is False
    assert LeaveType.objects.get(code="in_lieu").unit == "hour"
    days = {(e.leave_type.code, e.province): e.days for e in LeaveEntitlement.objects.select_related("leave_type")}
    assert days[("maternity", "")] == Decimal("98")
    assert days[("maternity", "广东")] == Decimal("178")  # 98 + 80
    assert days[("paternity", "北京")] == Decimal("15")
