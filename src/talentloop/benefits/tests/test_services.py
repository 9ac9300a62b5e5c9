"""Plans, windows, joining and leaving: every rule of the services, on 10 March 2026 (Shanghai)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from talentloop.benefits import services
from talentloop.benefits.models import BenefitPlan, Enrolment, EnrolmentState, EnrolmentWindow
from talentloop.benefits.tests.scene import FROZEN, Scene, build_scene, frozen_clock
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.organisation.models import Employee

pytestmark = pytest.mark.django_db

APRIL, MARCH = dt.date(2026, 4, 1), dt.date(2026, 3, 1)


@pytest.fixture
def scene(world) -> Scene:
    with frozen_clock():
        yield build_scene(world)


def _plan_args(**values):
    return {
        "key": "phone",
        "name": "通讯补贴",
        "kind": "transport_allowance",
        "effective_from": dt.date(2026, 1, 1),
        **values,
    }


# ------------------------------------------------------------------------------------------------ plans


@pytest.mark.parametrize("persona", ["hr", "admin"])
def test_managers_create_and_change_plans(scene, persona):
    actor = scene.actor(persona)
    plan, created = services.benefit_plan_save(
        actor=actor,
        **_plan_args(
            employer_amount=Decimal("200.00"), job_families=["sales"], windows=[(MARCH, dt.date(2026, 3, 20))]
        ),
    )
    assert created
    assert [f.code for f in plan.job_families.all()] == ["sales"]
    assert plan.windows.count() == 1
    again, created = services.benefit_plan_save(
        actor=actor, **_plan_args(employer_amount=Decimal("250.00"), job_families=[])
    )
    assert (again.pk, created, again.employer_amount, again.job_families.count()) == (
        plan.pk,
        False,
        Decimal("250.00"),
        0,
    )
    entry = AuditEntry.objects.filter(entity_id=str(plan.pk), action="update").get()
    assert entry.changes["employer_amount"] == {"before": "200.00", "after": "250.00"}


@pytest.mark.parametrize("persona", ["employee", "manager", "outsider"])
def test_others_may_not_manage_plans(scene, persona):
    with pytest.raises(PermissionDenied):
        services.benefit_plan_save(actor=scene.actor(persona), **_plan_args())
    with pytest.raises(PermissionDenied):
        services.enrolment_window_create(actor=scene.actor(persona), plan=scene.meal, opens_on=APRIL, closes_on=APRIL)


def test_a_bad_plan_is_refused_whole(scene):
    with pytest.raises(InvalidInput) as exc:
        services.benefit_plan_save(
            actor=scene.actor("hr"),
            **_plan_args(
                key="new-plan",
                employee_amount=Decimal("1.001"),
                employer_rate=Decimal("101"),
                tax_treatment="exempt_up_to_cap",
                job_families=["nope"],
                min_level=5,
                max_level=2,
                effective_to=dt.date(2025, 12, 31),
                windows=[(APRIL, MARCH)],
            ),
        )
    assert set(exc.value.errors) == {
        "employee_amount",
        "employer_rate",
        "exempt_cap",
        "job_families",
        "max_level",
        "effective_to",
        "windows.0.closes_on",
    }
    assert not BenefitPlan.objects.filter(key="new-plan").exists()


def test_a_taxable_plan_has_no_exempt_cap(scene):
    with pytest.raises(InvalidInput) as exc:
        services.benefit_plan_save(actor=scene.actor("hr"), **_plan_args(exempt_cap=Decimal("10.00")))
    assert set(exc.value.errors) == {"exempt_cap"}


def test_changing_a_plans_key_to_a_taken_one_is_refused(scene):
    with pytest.raises(InvalidInput) as exc:
        services.benefit_plan_save(actor=scene.actor("hr"), plan=scene.health, **_plan_args(key="meal"))
    assert set(exc.value.errors) == {"key"}


def test_windows_do_not_overlap(scene):
    actor = scene.actor("hr")
    with pytest.raises(InvalidInput) as exc:
        services.enrolment_window_create(
            actor=actor, plan=scene.meal, opens_on=dt.date(2026, 3, 31), closes_on=dt.date(2026, 4, 5)
        )
    assert set(exc.value.errors) == {"opens_on"}
    with pytest.raises(InvalidInput) as exc:
        services.enrolment_window_create(actor=actor, plan=scene.meal, opens_on=APRIL, closes_on=MARCH)
    assert set(exc.value.errors) == {"closes_on"}
    window = services.enrolment_window_create(
        actor=actor, plan=scene.meal, opens_on=APRIL, closes_on=dt.date(2026, 4, 5)
    )
    assert window.created_by == scene.world.hr
    with pytest.raises(InvalidInput) as exc:  # two windows of one request overlapping each other
        services.benefit_plan_save(
            actor=actor,
            **_plan_args(windows=[(APRIL, dt.date(2026, 4, 9)), (dt.date(2026, 4, 9), dt.date(2026, 5, 1))]),
        )
    assert set(exc.value.errors) == {"windows.1.opens_on"}


# ------------------------------------------------------------------------------------------------ joining


def test_join_inside_a_window_counts_from_next_month(scene):
    actor = scene.actor("employee")
    with frozen_clock():
        row = services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)
    assert (row.start_month, row.end_month, row.state) == (APRIL, None, EnrolmentState.ACTIVE)
    assert row.enrolled_by == scene.world.employee
    assert row.enrolled_at == FROZEN


def test_a_plan_not_yet_in_force_is_not_offered(scene):
    BenefitPlan.objects.filter(pk=scene.meal.pk).update(effective_from=dt.date(2026, 6, 15))
    actor = scene.actor("employee")
    with frozen_clock(), pytest.raises(InvalidInput, match="not offered now"):
        services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)


def test_a_plan_ending_this_month_cannot_be_joined(scene):
    BenefitPlan.objects.filter(pk=scene.meal.pk).update(effective_to=dt.date(2026, 3, 31))
    actor = scene.actor("employee")
    with frozen_clock(), pytest.raises(InvalidInput, match="ends before your first month"):
        services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)


def test_join_outside_a_window_is_refused_with_the_next_window(scene):
    actor = scene.actor("employee")
    with frozen_clock(), pytest.raises(InvalidInput) as exc:
        services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.health)
    assert "2026-06-01" in exc.value.detail
    assert list(exc.value.errors) == ["plan"]
    assert not Enrolment.objects.exists()


def test_join_without_any_window_to_come(scene):
    EnrolmentWindow.objects.filter(plan=scene.meal).delete()
    actor = scene.actor("employee")
    with frozen_clock(), pytest.raises(InvalidInput, match="no open enrolment window"):
        services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)


def test_join_on_the_windows_last_day_in_shanghai(scene):
    """31 March 23:30 in Shanghai is 15:30 UTC: still the window's last day."""
    actor = scene.actor("employee")
    late = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with frozen_clock(late):
        row = services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)
    assert row.start_month == APRIL
    with frozen_clock(late + dt.timedelta(hours=1)), pytest.raises(InvalidInput):
        services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.annuity)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"job_family_id": "sales"}, "job family"),
        ({"level": 2}, "level"),
        ({"hire_date": dt.date(2025, 3, 11)}, "12 months"),
        ({"status": "terminated"}, "employed"),
    ],
)
def test_not_eligible(scene, change, reason):
    employee = scene.world.emp(scene.world.employee)
    if change.get("job_family_id") == "sales":
        change = {"job_family_id": scene.world.sales_family.pk}
    Employee.objects.filter(pk=employee.pk).update(**change)
    actor = scene.actor("employee")
    with frozen_clock(), pytest.raises(InvalidInput) as exc:
        services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.annuity)
    assert reason in " ".join(exc.value.errors["plan"])


def test_tenure_counts_whole_months(scene):
    """Hired 10 March 2025: twelve months on 10 March 2026, so the annuity is open to them."""
    employee = scene.world.emp(scene.world.employee)
    Employee.objects.filter(pk=employee.pk).update(hire_date=dt.date(2025, 3, 10))
    actor = scene.actor("employee")
    with frozen_clock():
        row = services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.annuity)
    assert row.plan == scene.annuity


def test_join_twice_is_a_conflict(scene):
    actor = scene.actor("employee")
    with frozen_clock():
        services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)
        with pytest.raises(Conflict):
            services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)
    assert Enrolment.objects.count() == 1


@pytest.mark.parametrize("persona", ["hr", "manager", "admin", "outsider"])
def test_nobody_joins_for_someone_else(scene, persona):
    with frozen_clock(), pytest.raises(PermissionDenied):
        services.enrolment_create(
            actor=scene.actor(persona), employee=scene.world.emp(scene.world.employee), plan=scene.meal
        )


def test_inactive_plan_is_not_offered(scene):
    BenefitPlan.objects.filter(pk=scene.meal.pk).update(active=False)
    actor = scene.actor("employee")
    with frozen_clock(), pytest.raises(InvalidInput, match="not offered"):
        services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)


# ------------------------------------------------------------------------------------------------ leaving


def _enrol(scene, plan, start):
    employee = scene.world.emp(scene.world.employee)
    return Enrolment.objects.create(employee=employee, plan=plan, start_month=start)


def test_leave_ends_with_this_month(scene):
    row = _enrol(scene, scene.meal, dt.date(2026, 1, 1))
    with frozen_clock():
        row = services.enrolment_cancel(actor=scene.actor("employee"), enrolment=row)
    assert (row.state, row.start_month, row.end_month) == (EnrolmentState.ENDED, dt.date(2026, 1, 1), MARCH)
    assert row.closed_by == scene.world.employee
    assert row.closed_at == FROZEN
    # and joining again is a new row from April
    actor = scene.actor("employee")
    with frozen_clock():
        again = services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)
    assert again.pk != row.pk and again.start_month == APRIL


def test_leave_before_the_first_month_withdraws(scene):
    actor = scene.actor("employee")
    with frozen_clock():
        row = services.enrolment_create(actor=actor, employee=actor.employee, plan=scene.meal)
        row = services.enrolment_cancel(actor=actor, enrolment=row)
    assert (row.state, row.end_month) == (EnrolmentState.WITHDRAWN, None)


def test_leave_outside_a_window_is_refused(scene):
    row = _enrol(scene, scene.health, dt.date(2026, 2, 1))
    with frozen_clock(), pytest.raises(InvalidInput, match="next open window"):
        services.enrolment_cancel(actor=scene.actor("employee"), enrolment=row)
    row.refresh_from_db()
    assert row.state == EnrolmentState.ACTIVE


def test_leave_twice_is_a_conflict(scene):
    row = _enrol(scene, scene.meal, dt.date(2026, 1, 1))
    with frozen_clock():
        services.enrolment_cancel(actor=scene.actor("employee"), enrolment=row)
        with pytest.raises(Conflict):
            services.enrolment_cancel(actor=scene.actor("employee"), enrolment=row)


@pytest.mark.parametrize("persona", ["hr", "manager", "admin"])
def test_nobody_leaves_for_someone_else(scene, persona):
    row = _enrol(scene, scene.meal, dt.date(2026, 1, 1))
    with frozen_clock(), pytest.raises(PermissionDenied):
        services.enrolment_cancel(actor=scene.actor(persona), enrolment=row)
