"""Rule tests for the organisation services: hiring, personal edits, employment events, the
reporting tree and the org-unit tree.

The world (see ``core/testing/personas.py``)::

    company ── rnd (head: manager) ── platform: lead, mentor (report to manager), employee (reports to lead)
            ├─ sales: outsider
            └─ people: hr (HR for the whole organisation)
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation import access, services
from talentloop.organisation.models import Employee, EmploymentEvent, OrgUnit
from talentloop.testing.factories import EmployeeFactory, OrgUnitFactory, PositionFactory, grant

pytestmark = pytest.mark.django_db

NATIONAL_ID = "11010519491231002X"
BANK_ACCOUNT = "6222021234567890123"
TODAY = services.today()


def _hire(actor, world, **overrides):
    data = {"employee_number": "N-001", "name": "新同事", "name_en": "New Colleague", "hire_date": dt.date(2024, 7, 1),
            "org_unit": world.platform, "job_family": world.engineering, "level": 2,
            "manager": world.emp(world.lead), "national_id": NATIONAL_ID, "bank_account": BANK_ACCOUNT}
    data.update(overrides)
    return services.employee_create(actor=actor, **data)


def _visible_numbers(actor) -> set[str]:
    return set(access.visible_employees(actor).values_list("employee_number", flat=True))


# ---------------------------------------------------------------- employee_create


def test_employee_create_records_the_hire_and_an_audit_entry(world, actor_of):
    hr = actor_of("hr")
    manager_pk, lead_pk = world.emp(world.manager).pk, world.emp(world.lead).pk
    emp = _hire(hr, world)

    emp.refresh_from_db()
    # Reports to lead, who reports to manager: the chain from the top is /manager/lead/.
    assert emp.manager_path == f"/{manager_pk}/{lead_pk}/"
    assert emp.status == "active"
    assert emp.national_id == NATIONAL_ID  # decrypted transparently

    events = list(EmploymentEvent.objects.filter(employee=emp))
    assert len(events) == 1
    hire = events[0]
    assert (hire.kind, hire.effective_date, hire.level, hire.status) == ("hire", dt.date(2024, 7, 1), 2, "active")
    assert hire.org_unit == world.platform and hire.manager_id == lead_pk
    assert hire.applied_at is not None and hire.recorded_by == world.hr

    entry = AuditEntry.objects.get(entity_type="organisation.employee", entity_id=str(emp.pk), action="create")
    assert entry.actor == world.hr
    assert entry.changes["name"] == "新同事"
    assert entry.changes["level"] == 2
    assert entry.changes["org_unit"] == world.platform.pk
    # Sensitive fields: only that they were set, never the value.
    assert entry.changes["national_id"] == "changed"
    assert entry.changes["bank_account"] == "changed"


def test_sensitive_values_never_reach_the_audit_log(world, actor_of):
    emp = _hire(actor_of("hr"), world)
    services.employee_update(actor=actor_of("hr"), employee=emp,
                             data={"national_id": "310101198001010011", "bank_account": "6222000011112222"})
    everything = json.dumps(list(AuditEntry.objects.values("changes", "summary", "entity_label")),
                            ensure_ascii=False)
    for secret in (NATIONAL_ID, BANK_ACCOUNT, "310101198001010011", "6222000011112222",
                   NATIONAL_ID[-8:], BANK_ACCOUNT[-8:]):
        assert secret not in everything


def test_employee_create_without_sensitive_values_records_them_as_empty(world, actor_of):
    emp = _hire(actor_of("hr"), world, national_id="", bank_account="")
    entry = AuditEntry.objects.get(entity_id=str(emp.pk), entity_type="organisation.employee")
    assert entry.changes["national_id"] == "" and entry.changes["bank_account"] == ""


@pytest.mark.parametrize("persona", ["manager", "employee", "mentor", "admin", "outsider"])
def test_only_hr_hires(world, actor_of, persona):
    with pytest.raises(PermissionDenied):
        _hire(actor_of(persona), world)
    assert not Employee.objects.filter(employee_number="N-001").exists()


def test_scoped_hr_hires_only_inside_their_units(world, actor_of):
    grant(world.outsider, "hr", org_unit=world.sales)
    sales_hr = actor_of("outsider")
    with pytest.raises(PermissionDenied):
        _hire(sales_hr, world, manager=None)
    emp = _hire(sales_hr, world, org_unit=world.sales, manager=None)
    assert emp.manager_path == "/"


def test_employee_create_refuses_bad_input_and_writes_nothing(world, actor_of):
    hr = actor_of("hr")
    events, audits = EmploymentEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        _hire(hr, world, employee_number="T-employee")  # already taken by the employee persona
    assert "employee_number" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        _hire(hr, world, email="not-an-address")
    assert "email" in exc.value.errors
    other_family_position = PositionFactory(code="sales-rep", job_family=world.sales_family)
    with pytest.raises(InvalidInput) as exc:
        _hire(hr, world, position=other_family_position)
    assert "position" in exc.value.errors
    assert (EmploymentEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)
    assert not Employee.objects.filter(employee_number="N-001").exists()


def test_a_person_who_left_cannot_be_a_manager(world, actor_of):
    hr = actor_of("hr")
    lead = world.emp(world.lead)
    services.employment_event_record(actor=hr, employee=lead, kind="termination", effective_date=TODAY)
    lead.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        _hire(hr, world, manager=lead)
    assert list(exc.value.errors) == ["manager"]


# ---------------------------------------------------------------- employee_update

REFUSAL = "This field changes only through an employment event (transfer, promotion, ...)."


@pytest.mark.parametrize("field, value", [
    ("org_unit", "sales"), ("job_family", "sales_family"), ("position", "engineer_position"),
    ("level", 9), ("manager", "outsider"), ("status", "terminated"),
])
def test_employee_update_refuses_structural_fields(world, actor_of, field, value):
    emp = world.emp(world.employee)
    if isinstance(value, str) and hasattr(world, value):
        value = getattr(world, value)
        if field == "manager":
            value = world.emp(value)
    audits = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.employee_update(actor=actor_of("hr"), employee=emp, data={field: value, "phone": "123"})
    assert exc.value.errors == {field: [REFUSAL]}
    fresh = Employee.objects.get(pk=emp.pk)
    assert (fresh.org_unit_id, fresh.level, fresh.manager_id, fresh.status, fresh.phone) == (
        world.platform.pk, 3, world.emp(world.lead).pk, "active", "")
    assert AuditEntry.objects.count() == audits


def test_employee_update_names_every_refused_field(world, actor_of):
    with pytest.raises(InvalidInput) as exc:
        services.employee_update(actor=actor_of("hr"), employee=world.emp(world.employee),
                                 data={"level": 4, "status": "on_leave", "name": "x"})
    assert set(exc.value.errors) == {"level", "status"}


def test_employee_update_audits_before_and_after_and_masks_sensitive(world, actor_of):
    emp = world.emp(world.employee)
    services.employee_update(actor=actor_of("hr"), employee=emp,
                             data={"phone": "13800000000", "national_id": "310101198001010011"})
    fresh = Employee.objects.get(pk=emp.pk)
    assert fresh.phone == "13800000000" and fresh.national_id == "310101198001010011"
    entry = AuditEntry.objects.get(entity_id=str(emp.pk), entity_type="organisation.employee", action="update")
    assert entry.changes == {"phone": {"before": "", "after": "13800000000"}, "national_id": "changed"}


def test_employee_update_without_a_change_writes_no_audit_entry(world, actor_of):
    emp = world.emp(world.employee)
    audits = AuditEntry.objects.count()
    services.employee_update(actor=actor_of("hr"), employee=emp, data={"name": emp.name})
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("persona", ["employee", "manager", "admin"])
def test_employee_update_is_for_hr(world, actor_of, persona):
    with pytest.raises(PermissionDenied):
        services.employee_update(actor=actor_of(persona), employee=world.emp(world.employee),
                                 data={"phone": "1"})


def test_employee_update_refuses_unknown_fields(world, actor_of):
    with pytest.raises(InvalidInput) as exc:
        services.employee_update(actor=actor_of("hr"), employee=world.emp(world.employee),
                                 data={"employee_number": "X"})
    assert list(exc.value.errors) == ["employee_number"]


# ---------------------------------------------------------------- employment events


def _event(actor, employee, kind, when=TODAY, **changes):
    return services.employment_event_record(actor=actor, employee=employee, kind=kind, effective_date=when,
                                            **changes)


def test_transfer_moves_unit_and_manager_and_keeps_what_it_replaced(world, actor_of):
    emp = world.emp(world.employee)
    outsider = world.emp(world.outsider)
    event = _event(actor_of("hr"), emp, "transfer", org_unit=world.sales, manager=outsider,
                   job_family=world.sales_family, note="moves to sales")
    emp.refresh_from_db()
    assert (emp.org_unit, emp.manager, emp.job_family) == (world.sales, outsider, world.sales_family)
    # outsider is at the top ("/"), so the chain is /outsider/.
    assert emp.manager_path == f"/{outsider.pk}/"
    event.refresh_from_db()
    assert event.applied_at is not None
    assert event.before == {"org_unit": world.platform.pk, "job_family": world.engineering.pk, "position": None,
                            "level": 3, "manager": world.emp(world.lead).pk, "status": "active",
                            "termination_date": None}
    audit = AuditEntry.objects.get(entity_type="organisation.employmentevent", entity_id=str(event.pk))
    assert audit.changes["kind"] == "transfer" and audit.changes["org_unit"] == str(world.sales.pk)


def test_transfer_must_change_something(world, actor_of):
    with pytest.raises(InvalidInput) as exc:
        _event(actor_of("hr"), world.emp(world.employee), "transfer")
    assert "org_unit" in exc.value.errors


def test_promotion_and_demotion_levels(world, actor_of):
    hr, emp = actor_of("hr"), world.emp(world.employee)  # level 3
    for kind, level in [("promotion", 3), ("promotion", 2), ("promotion", None), ("demotion", 3),
                        ("demotion", 4), ("demotion", None)]:
        with pytest.raises(InvalidInput) as exc:
            _event(hr, emp, kind, level=level)
        assert "level" in exc.value.errors, (kind, level)
    _event(hr, emp, "promotion", level=4)  # 3 -> 4
    emp.refresh_from_db()
    assert emp.level == 4
    _event(hr, emp, "demotion", level=2)  # 4 -> 2
    emp.refresh_from_db()
    assert emp.level == 2
    assert list(emp.events.order_by("id").values_list("kind", "before__level")) == [
        ("promotion", 3), ("demotion", 4)]


def test_promotion_to_a_level_out_of_range_is_refused(world, actor_of):
    with pytest.raises(InvalidInput) as exc:
        _event(actor_of("hr"), world.emp(world.manager), "promotion", level=21)  # manager is L8
    assert "level" in exc.value.errors


def test_leave_return_and_termination_follow_the_status(world, actor_of):
    hr, emp = actor_of("hr"), world.emp(world.employee)
    with pytest.raises(InvalidInput):
        _event(hr, emp, "return")  # active: nothing to return from
    _event(hr, emp, "leave", when=TODAY - dt.timedelta(days=30))
    emp.refresh_from_db()
    assert emp.status == "on_leave"
    with pytest.raises(InvalidInput):
        _event(hr, emp, "leave")  # already on leave
    _event(hr, emp, "return")
    emp.refresh_from_db()
    assert emp.status == "active" and emp.termination_date is None
    _event(hr, emp, "termination", when=TODAY - dt.timedelta(days=1))
    emp.refresh_from_db()
    assert emp.status == "terminated" and emp.termination_date == TODAY - dt.timedelta(days=1)
    for kind, extra in [("transfer", {"org_unit": world.sales}), ("promotion", {"level": 5}), ("leave", {}),
                        ("termination", {})]:
        with pytest.raises(InvalidInput) as exc:
            _event(hr, emp, kind, **extra)
        assert "This person has already left." in exc.value.errors["kind"], kind
    with pytest.raises(InvalidInput) as exc:
        _event(hr, emp, "return")
    assert exc.value.errors["kind"] == ["Only an employee on leave can return."]
    assert list(emp.events.values_list("kind", flat=True).order_by("id")) == ["leave", "return", "termination"]


def test_someone_on_leave_may_be_terminated(world, actor_of):
    hr, emp = actor_of("hr"), world.emp(world.employee)
    _event(hr, emp, "leave")
    _event(hr, emp, "termination")
    emp.refresh_from_db()
    assert emp.status == "terminated"


def test_status_events_cannot_carry_changes_and_hire_is_not_an_event(world, actor_of):
    hr, emp = actor_of("hr"), world.emp(world.employee)
    with pytest.raises(InvalidInput) as exc:
        _event(hr, emp, "leave", org_unit=world.sales, level=4)
    assert set(exc.value.errors) == {"org_unit", "level"}
    with pytest.raises(InvalidInput) as exc:
        _event(hr, emp, "hire")
    assert list(exc.value.errors) == ["kind"]
    with pytest.raises(InvalidInput):
        _event(hr, emp, "sabbatical")
    assert not emp.events.exists()


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "admin", "outsider"])
def test_only_hr_records_events(world, actor_of, persona):
    with pytest.raises(PermissionDenied):
        _event(actor_of(persona), world.emp(world.employee), "promotion", level=4)


def test_scoped_hr_cannot_move_people_out_of_their_scope(world, actor_of):
    rnd_hr = world.lead
    grant(rnd_hr, "hr", org_unit=world.rnd)
    with pytest.raises(PermissionDenied):
        _event(actor_of("lead"), world.emp(world.employee), "transfer", org_unit=world.sales)
    with pytest.raises(PermissionDenied):  # outsider is in sales, outside the scope
        _event(actor_of("lead"), world.emp(world.outsider), "promotion", level=4)
    _event(actor_of("lead"), world.emp(world.employee), "transfer", org_unit=world.rnd)


def test_future_events_wait_for_the_daily_job(world, actor_of):
    hr, emp = actor_of("hr"), world.emp(world.employee)
    in_ten_days = TODAY + dt.timedelta(days=10)
    event = _event(hr, emp, "promotion", when=in_ten_days, level=5)
    emp.refresh_from_db()
    assert emp.level == 3 and event.applied_at is None
    assert services.employment_events_apply_due(on=TODAY) == 0
    assert services.employment_events_apply_due(on=in_ten_days - dt.timedelta(days=1)) == 0
    emp.refresh_from_db()
    assert emp.level == 3
    assert services.employment_events_apply_due(on=in_ten_days) == 1
    emp.refresh_from_db()
    event.refresh_from_db()
    assert emp.level == 5 and event.applied_at is not None and event.before["level"] == 3
    assert services.employment_events_apply_due(on=in_ten_days + dt.timedelta(days=5)) == 0


def test_due_events_apply_in_date_order(world, actor_of):
    hr, emp = actor_of("hr"), world.emp(world.employee)
    d1, d2 = TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=5)
    _event(hr, emp, "transfer", when=d2, org_unit=world.sales)
    _event(hr, emp, "transfer", when=d1, org_unit=world.rnd)
    # Both due: d1 (rnd) first, then d2 (sales), so the person ends in sales.
    assert services.employment_events_apply_due(on=d2) == 2
    emp.refresh_from_db()
    assert emp.org_unit == world.sales
    assert list(emp.events.order_by("effective_date").values_list("before__org_unit", flat=True)) == [
        world.platform.pk, world.rnd.pk]


def test_future_termination_keeps_the_person_active_until_the_day(world, actor_of):
    hr, emp = actor_of("hr"), world.emp(world.employee)
    last_day = TODAY + dt.timedelta(days=14)
    _event(hr, emp, "termination", when=last_day)
    emp.refresh_from_db()
    assert emp.status == "active" and emp.termination_date is None
    services.employment_events_apply_due(on=last_day)
    emp.refresh_from_db()
    assert emp.status == "terminated" and emp.termination_date == last_day


# ---------------------------------------------------------------- the reporting tree


def test_manager_change_moves_the_whole_subtree(world, actor_of):
    """lead (with employee below) moves from manager to a deeper chain under outsider.

    Before: manager=/, lead=/M/, employee=/M/L/.
    outsider gets a report X, X gets a report Y; then lead moves under Y:
    lead=/O/X/Y/, employee=/O/X/Y/L/ (a longer prefix than before, so the substring arithmetic
    of the one-statement re-root is exercised).
    """
    hr = actor_of("hr")
    manager, lead, employee = world.emp(world.manager), world.emp(world.lead), world.emp(world.employee)
    outsider = world.emp(world.outsider)
    x = EmployeeFactory(org_unit=world.sales, manager=outsider)
    y = EmployeeFactory(org_unit=world.sales, manager=x)
    assert y.manager_path == f"/{outsider.pk}/{x.pk}/"
    assert _visible_numbers(actor_of("manager")) == {"T-manager", "T-lead", "T-mentor", "T-employee"}

    _event(hr, lead, "transfer", manager=y)

    lead.refresh_from_db()
    employee.refresh_from_db()
    assert lead.manager_path == f"/{outsider.pk}/{x.pk}/{y.pk}/"
    assert employee.manager_path == f"/{outsider.pk}/{x.pk}/{y.pk}/{lead.pk}/"
    assert Employee.objects.get(pk=manager.pk).manager_path == "/"
    # The old manager no longer sees them; the new chain does, all the way up.
    assert _visible_numbers(actor_of("manager")) == {"T-manager", "T-mentor"}
    assert _visible_numbers(actor_of("outsider")) == {"T-outsider", x.employee_number, y.employee_number,
                                                       "T-lead", "T-employee"}
    assert _visible_numbers(actor_of("lead")) == {"T-lead", "T-employee"}


def test_moving_back_up_shortens_the_paths(world, actor_of):
    hr = actor_of("hr")
    outsider = world.emp(world.outsider)
    x = EmployeeFactory(org_unit=world.sales, manager=outsider)
    lead = world.emp(world.lead)
    _event(hr, lead, "transfer", manager=x)   # lead=/O/X/, employee=/O/X/L/
    _event(hr, Employee.objects.get(pk=lead.pk), "transfer", manager=world.emp(world.manager))
    assert Employee.objects.get(pk=lead.pk).manager_path == f"/{world.emp(world.manager).pk}/"
    assert world.emp(world.employee).manager_path == f"/{world.emp(world.manager).pk}/{lead.pk}/"


@pytest.mark.parametrize("who, new_manager", [
    ("manager", "employee"),  # employee is two levels below manager
    ("manager", "lead"),      # a direct report
    ("lead", "employee"),     # a direct report
    ("lead", "lead"),         # themselves
])
def test_nobody_reports_to_their_own_report(world, actor_of, who, new_manager):
    emp = world.emp(getattr(world, who))
    with pytest.raises(InvalidInput) as exc:
        _event(actor_of("hr"), emp, "transfer", manager=world.emp(getattr(world, new_manager)))
    assert list(exc.value.errors) == ["manager"]
    assert Employee.objects.get(pk=emp.pk).manager_id == emp.manager_id


def test_reporting_to_a_sibling_is_allowed(world, actor_of):
    _event(actor_of("hr"), world.emp(world.employee), "transfer", manager=world.emp(world.mentor))
    mentor = world.emp(world.mentor)
    assert world.emp(world.employee).manager_path == f"{mentor.manager_path}{mentor.pk}/"
    assert _visible_numbers(actor_of("mentor")) == {"T-mentor", "T-employee"}
    assert _visible_numbers(actor_of("lead")) == {"T-lead"}


def test_future_manager_change_uses_the_manager_chain_of_the_day_it_applies(world, actor_of):
    """Two events due the same day: lead moves under outsider, then employee moves under lead.

    The second must use lead's chain after the first was applied: employee=/O/L/.
    """
    hr = actor_of("hr")
    day = TODAY + dt.timedelta(days=7)
    lead, outsider = world.emp(world.lead), world.emp(world.outsider)
    mentor = world.emp(world.mentor)
    _event(hr, lead, "transfer", when=day, manager=outsider)
    _event(hr, mentor, "transfer", when=day, manager=lead)
    assert services.employment_events_apply_due(on=day) == 2
    assert Employee.objects.get(pk=lead.pk).manager_path == f"/{outsider.pk}/"
    assert Employee.objects.get(pk=mentor.pk).manager_path == f"/{outsider.pk}/{lead.pk}/"
    assert world.emp(world.employee).manager_path == f"/{outsider.pk}/{lead.pk}/"
    assert _visible_numbers(actor_of("outsider")) == {"T-outsider", "T-lead", "T-mentor", "T-employee"}


# ---------------------------------------------------------------- org units


def test_org_unit_create_builds_the_path(world, actor_of):
    unit = services.org_unit_create(actor=actor_of("hr"), code="ml", name="算法组", parent=world.platform)
    unit.refresh_from_db()
    assert unit.path == f"/{world.company.pk}/{world.rnd.pk}/{world.platform.pk}/{unit.pk}/"
    assert unit.depth == 3
    assert AuditEntry.objects.filter(entity_type="organisation.orgunit", entity_id=str(unit.pk),
                                     action="create").exists()


def test_org_unit_update_re_roots_the_subtree(world, actor_of):
    """rnd (with platform and platform/ml below) moves under sales.

    Before: rnd=/C/R/ (1), platform=/C/R/P/ (2), ml=/C/R/P/M/ (3).
    After:  rnd=/C/S/R/ (2), platform=/C/S/R/P/ (3), ml=/C/S/R/P/M/ (4).
    """
    hr = actor_of("hr")
    c, r, p, s = world.company.pk, world.rnd.pk, world.platform.pk, world.sales.pk
    ml = OrgUnitFactory(code="ml", parent=world.platform)
    services.org_unit_update(actor=hr, unit=world.rnd, data={"parent": world.sales})
    paths = {u.code: (u.path, u.depth) for u in OrgUnit.objects.all()}
    assert paths["rnd"] == (f"/{c}/{s}/{r}/", 2)
    assert paths["platform"] == (f"/{c}/{s}/{r}/{p}/", 3)
    assert paths["ml"] == (f"/{c}/{s}/{r}/{p}/{ml.pk}/", 4)
    assert paths["sales"] == (f"/{c}/{s}/", 1)
    assert paths["people"] == (f"/{c}/{world.people.pk}/", 1)
    entry = AuditEntry.objects.get(entity_type="organisation.orgunit", entity_id=str(r), action="update")
    assert entry.changes == {"parent": {"before": c, "after": s}}


def test_moving_a_unit_moves_hr_scope_with_it(world, actor_of):
    grant(world.outsider, "hr", org_unit=world.sales)
    assert "T-employee" not in _visible_numbers(actor_of("outsider"))
    services.org_unit_update(actor=actor_of("hr"), unit=world.platform, data={"parent": world.sales})
    # platform is now inside sales, and so are its people.
    assert {"T-employee", "T-lead", "T-mentor"} <= _visible_numbers(actor_of("outsider"))


@pytest.mark.parametrize("target", ["rnd", "platform"])
def test_a_unit_cannot_move_under_itself(world, actor_of, target):
    with pytest.raises(InvalidInput) as exc:
        services.org_unit_update(actor=actor_of("hr"), unit=world.rnd, data={"parent": getattr(world, target)})
    assert list(exc.value.errors) == ["parent"]
    assert OrgUnit.objects.get(pk=world.rnd.pk).parent_id == world.company.pk


def test_org_units_are_managed_by_hr(world, actor_of):
    for persona in ["manager", "admin", "employee"]:
        with pytest.raises(PermissionDenied):
            services.org_unit_update(actor=actor_of(persona), unit=world.platform, data={"name": "x"})
        with pytest.raises(PermissionDenied):
            services.org_unit_create(actor=actor_of(persona), code="x", name="x", parent=world.rnd)


def test_a_future_manager_change_that_would_close_a_loop_is_not_applied(world, actor_of):
    """Recorded today, both valid on their own: outsider moves under lead on day D (future), and lead
    moves under outsider now. On day D the first would make outsider report to their own report, so
    it is held back (left pending) instead of corrupting the reporting paths."""
    hr = actor_of("hr")
    day = TODAY + dt.timedelta(days=3)
    lead, outsider = world.emp(world.lead), world.emp(world.outsider)
    held = _event(hr, outsider, "transfer", when=day, manager=lead)
    _event(hr, lead, "transfer", manager=outsider)  # lead=/O/, employee=/O/L/
    other = _event(hr, world.emp(world.mentor), "promotion", when=day, level=8)
    assert services.employment_events_apply_due(on=day) == 1  # the promotion only
    held.refresh_from_db()
    other.refresh_from_db()
    assert held.applied_at is None and other.applied_at is not None
    assert Employee.objects.get(pk=outsider.pk).manager_path == "/"
    assert Employee.objects.get(pk=lead.pk).manager_path == f"/{outsider.pk}/"
    assert world.emp(world.employee).manager_path == f"/{outsider.pk}/{lead.pk}/"
