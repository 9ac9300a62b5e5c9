"""A leaver's final pay from the stored facts: the preview and recording it.

The leaver is the ``employee`` persona (pay group "sh-staff", Shanghai), hired 6 May 2019. The clock is
frozen on 10 July 2025; the Shanghai figures in force on 30 June 2025: average monthly wage 12,307
(art. 47 cap 3 x 12,307 = 36,921; tax exemption 3 x 12 x 12,307 = 443,052), minimum wage 2,690.

Length of service 6 May 2019 to 30 June 2025: 6 years, 1 month and 25 days: N = 6 + 0.5 = 6.5
(LCL art. 47: a remainder under six months counts half a month). Every expected figure is worked out
by hand in its comment.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal as D

import pytest
import time_machine

from talentloop.core.access import actor_for
from talentloop.core.audit.models import AuditEntry
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.leave.models import EntryKind, LeaveType, LedgerEntry
from talentloop.organisation.models import Employee, EventKind
from talentloop.organisation.services import employment_event_record
from talentloop.payroll.models import PayItem, PayItemKind, PayrollLine, PayrollRun, Payslip, RunKind, RunState
from talentloop.payroll.rules.final_pay import ANNUAL_LEAVE, COMPENSATION, DAMAGES, TOTAL, LegalReason
from talentloop.payroll.rules.iit_severance import SEVERANCE_TAX
from talentloop.payroll.services.final_pay import (
    final_pay_on_termination,
    final_pay_preview,
    final_pay_record,
    leave_figures,
    monthly_wages,
)
from talentloop.payroll.services.runs import payroll_run_calculate
from talentloop.payroll.tests.scene import Scene, build_scene

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 7, 10, 10, 0, tzinfo=dt.UTC)
LAST_DAY = dt.date(2025, 6, 30)


@pytest.fixture
def scene(world) -> Scene:
    with time_machine.travel(NOW, tick=False):
        yield build_scene(world)


def leaver(scene: Scene, last_day: dt.date = LAST_DAY) -> Employee:
    person = scene.emp("employee")
    employment_event_record(
        actor=actor_for(scene.world.hr), employee=person, kind=EventKind.TERMINATION, effective_date=last_day
    )
    person.refresh_from_db()
    return person


def locked_month(
    scene: Scene, person: Employee, month: dt.date, gross: str, overtime: str = "0", bonus: str = "0", **run: object
) -> Payslip:
    """A locked run of the month with the person's payslip (and an overtime line when there is some)."""
    made = PayrollRun.objects.create(pay_group=scene.group_a, month=month, state=RunState.LOCKED, **run)
    slip = Payslip.objects.create(
        run=made, employee=person, month=month, gross=D(gross), bonus=D(bonus), published_at=NOW
    )
    if D(overtime):
        PayrollLine.objects.create(payslip=slip, code="overtime_150", kind="earning", amount=D(overtime))
    return slip


def months(first: dt.date, count: int) -> list[dt.date]:
    index = first.year * 12 + first.month - 1
    return [dt.date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


def a_year_of_wages(scene: Scene, person: Employee) -> None:
    """July-December 2024 at 10,000; January-June 2025 at 10,600 of which 600 overtime; a 12,000 annual
    bonus in January 2025."""
    for month in months(dt.date(2024, 7, 1), 6):
        locked_month(scene, person, month, "10000")
    for month in months(dt.date(2025, 1, 1), 6):
        locked_month(scene, person, month, "10600", overtime="600", bonus="12000" if month.month == 1 else "0")


def annual_leave(person: Employee) -> None:
    """5 days granted on 1 January 2025, 1 day taken in March, and the leave app's own leaver adjustment
    on the last day (5 x 181 / 365 = 2.479 -> 2: -3), which the final-pay rule redoes from the grant."""
    kind = LeaveType.objects.create(
        code="annual-final-pay", name="年假", name_en="Annual leave", category="annual", tracks_balance=True
    )
    rows = [
        (EntryKind.ACCRUAL, dt.date(2025, 1, 1), "5", "grant"),
        (EntryKind.USE, dt.date(2025, 3, 10), "-1", "use"),
        (EntryKind.ADJUSTMENT, LAST_DAY, "-3", "fix1"),
    ]
    for entry_kind, day, days, key in rows:
        LedgerEntry.objects.create(
            employee=person, leave_type=kind, kind=entry_kind, effective_date=day, days=D(days), reason=key, key=key
        )


# --- the preview ------------------------------------------------------------------------------------


def test_preview_from_the_stored_facts(scene: Scene) -> None:
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        a_year_of_wages(scene, person)
        annual_leave(person)
        preview = final_pay_preview(actor=scene.actor("payroll_a"), employee=person, reason=LegalReason.REDUNDANCY)
    # Wages (R art. 27, bonus included): 6 x 10,000 + 6 x 10,600 + 12,000 = 135,600 / 12 = 11,300.00;
    # under the cap 36,921. N = 6.5: 6.5 x 11,300 = 73,450.00.
    assert len(preview.inputs.monthly_wages) == 12
    assert preview.inputs.monthly_wages[0].month == dt.date(2024, 7, 1)
    assert preview.inputs.city_average_monthly_wage == D("12307")
    assert preview.inputs.minimum_wage == D("2690")
    assert preview.result.compensation.average_monthly_wage == D("11300.00")
    assert preview.result.compensation.months_counted == D("6.5")
    assert preview.result.line(COMPENSATION).amount == D("73450.00")
    # Leave (ALM art. 12): 1 January - 30 June = 181 days; 181 / 365 x 5 = 2.479...; - 1 taken = 1.479 -> 1.
    # Daily wage without overtime (ALM art. 11): (135,600 - 3,600) / 12 = 11,000 / 21.75 = 505.7471...;
    # x 2 x 1 day = 1,011.494... -> 1,011.49.
    assert (preview.leave.granted_days, preview.leave.taken_days, preview.leave.ledger_balance) == (
        D("5"),
        D("1"),
        D("1"),
    )
    assert preview.inputs.unused_leave_days == D("1")
    assert preview.leave.review_messages() == []
    assert preview.result.line(ANNUAL_LEAVE).amount == D("1011.49")
    # 73,450 is within the 443,052 exemption: no tax. Total 73,450 + 1,011.49 = 74,461.49.
    assert preview.severance_tax.exempt_limit == D("443052")
    assert preview.severance_tax.tax == D("0")
    assert preview.total == D("74461.49")
    assert [line.code for line in preview.lines] == [COMPENSATION, ANNUAL_LEAVE, SEVERANCE_TAX, TOTAL]
    assert preview.pay_group == scene.group_a
    read = AuditEntry.objects.filter(action="read_sensitive", entity_id=str(person.pk))
    assert read.filter(summary="final pay preview").exists()


def test_the_months_end_with_the_month_before_when_the_last_month_is_not_paid(scene: Scene) -> None:
    # Last day 15 June 2025, June not paid yet: June 2024 - May 2025 count; May 2024 (13 months back)
    # does not. All at 10,000: 6 May 2019 - 15 June 2025 is 6 years 1 month 10 days: N = 6.5: 65,000.00.
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene, dt.date(2025, 6, 15))
        for month in months(dt.date(2024, 5, 1), 13):
            locked_month(scene, person, month, "10000")
        wages = monthly_wages(person, dt.date(2025, 6, 15))
        preview = final_pay_preview(actor=scene.actor("payroll_a"), employee=person, reason="redundancy")
    assert [w.month for w in wages] == months(dt.date(2024, 6, 1), 12)
    assert preview.result.line(COMPENSATION).amount == D("65000.00")


def test_a_month_sums_its_locked_runs_and_leaves_drafts_and_final_pay_out(scene: Scene) -> None:
    # May 2025: the regular run 10,000, an off-cycle run 500, a reversal of 200 (-200): 10,300.
    # A draft run and an earlier final-pay run of the month are not wages.
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        may = dt.date(2025, 5, 1)
        locked_month(scene, person, may, "10000")
        locked_month(scene, person, may, "500", kind=RunKind.OFF_CYCLE)
        locked_month(scene, person, may, "-200", kind=RunKind.OFF_CYCLE)
        locked_month(scene, person, may, "9999", kind=RunKind.FINAL_PAY, employee=person)
        draft = PayrollRun.objects.create(pay_group=scene.group_a, month=may, kind=RunKind.OFF_CYCLE)
        Payslip.objects.create(run=draft, employee=person, month=may, gross=D("7777"))
        [wage] = monthly_wages(person, dt.date(2025, 5, 31))
    assert (wage.month, wage.wage, wage.overtime) == (may, D("10300.00"), D("0"))


def test_a_termination_recorded_ahead_is_found(scene: Scene) -> None:
    # Recorded on 10 July for 31 August: not applied yet (the person has no termination date), but the
    # recorded event gives the last day. 6 May 2019 - 31 August 2025: 6 years 3 months 26 days: N = 6.5.
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene, dt.date(2025, 8, 31))
        assert person.termination_date is None
        for month in months(dt.date(2024, 8, 1), 12):
            locked_month(scene, person, month, "10000")
        preview = final_pay_preview(actor=scene.actor("payroll_a"), employee=person, reason="redundancy")
    assert preview.inputs.termination_date == dt.date(2025, 8, 31)
    assert preview.result.line(COMPENSATION).amount == D("65000.00")


# --- recording ----------------------------------------------------------------------------------------


def test_record_writes_a_final_pay_run_with_its_items(scene: Scene) -> None:
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        a_year_of_wages(scene, person)
        annual_leave(person)
        recorded = final_pay_record(actor=scene.actor("payroll_a"), employee=person, reason=LegalReason.REDUNDANCY)
    run = recorded.run
    assert (run.kind, run.state, run.month, run.employee_id) == (
        RunKind.FINAL_PAY,
        RunState.DRAFT,
        dt.date(2025, 6, 1),
        person.pk,
    )
    items = {(i.kind, i.amount, i.taxable) for i in PayItem.objects.filter(employee=person)}
    # The compensation 73,450.00 all exempt, paid outside the wages; the unused leave 1,011.49 is wages,
    # taxed with the month. Both are for the final-pay run only.
    assert items == {
        (PayItemKind.SEPARATE_INCOME, D("73450.00"), False),
        (PayItemKind.EARNING, D("1011.49"), True),
    }
    assert all(i.run_id == run.pk for i in recorded.items)
    assert all(i.month == dt.date(2025, 6, 1) for i in recorded.items)


def test_compensation_above_the_exemption_is_taxed_on_its_own(scene: Scene) -> None:
    # 40,000 a month, above the cap 36,921: unlawful termination pays 2 x 6.5 x 36,921 = 479,973.00.
    # Exempt 443,052.00; the rest 36,921.00 on the annual table: 10 % - 2,520 = 3,692.10 - 2,520 = 1,172.10.
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        for month in months(dt.date(2024, 7, 1), 12):
            locked_month(scene, person, month, "40000")
        recorded = final_pay_record(actor=scene.actor("payroll_a"), employee=person, reason=LegalReason.UNLAWFUL)
    preview = recorded.preview
    assert preview.result.line(DAMAGES).amount == D("479973.00")
    assert (preview.severance_tax.taxable, preview.severance_tax.tax) == (D("36921.00"), D("1172.10"))
    assert preview.net_before_wage_tax == D("478800.90")
    rows = sorted((i.kind, i.amount, i.taxable) for i in recorded.items)
    assert rows == [
        (PayItemKind.SEPARATE_INCOME, D("36921.00"), False),
        (PayItemKind.SEPARATE_INCOME, D("443052.00"), False),
        (PayItemKind.SEPARATE_TAX, D("1172.10"), False),
    ]
    tax_line = [line for line in preview.lines if line.code == SEVERANCE_TAX][0]
    assert tax_line.amount == D("-1172.10")


def test_recording_twice_is_refused(scene: Scene) -> None:
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        a_year_of_wages(scene, person)
        final_pay_record(actor=scene.actor("payroll_a"), employee=person, reason="redundancy")
        with pytest.raises(Conflict):
            final_pay_record(actor=scene.actor("payroll_a"), employee=person, reason="redundancy")
    assert PayrollRun.objects.filter(kind=RunKind.FINAL_PAY, employee=person).count() == 1


def test_nothing_owed_is_refused_and_nothing_written(scene: Scene) -> None:
    # A resignation owes no compensation (LCL art. 37) and no leave is left.
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        a_year_of_wages(scene, person)
        with pytest.raises(InvalidInput) as caught:
            final_pay_record(actor=scene.actor("payroll_a"), employee=person, reason="employee_resignation")
    assert "reason" in caught.value.errors
    assert not PayrollRun.objects.filter(kind=RunKind.FINAL_PAY).exists()


def test_missing_months_are_refused_and_nothing_written(scene: Scene) -> None:
    # Six years of service need the wages of 12 months (R art. 27); only 6 are locked.
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        for month in months(dt.date(2025, 1, 1), 6):
            locked_month(scene, person, month, "10000")
        with pytest.raises(InvalidInput) as caught:
            final_pay_record(actor=scene.actor("payroll_a"), employee=person, reason="redundancy")
    assert "monthly_wages" in caught.value.errors
    assert not PayItem.objects.exists()
    assert not PayrollRun.objects.filter(kind=RunKind.FINAL_PAY).exists()


def test_without_a_termination_or_a_reason_nothing_is_worked_out(scene: Scene) -> None:
    with time_machine.travel(NOW, tick=False):
        staying = scene.emp("employee")
        with pytest.raises(InvalidInput) as no_termination:
            final_pay_preview(actor=scene.actor("payroll_a"), employee=staying, reason="redundancy")
        person = leaver(scene)
        with pytest.raises(InvalidInput) as no_reason:
            final_pay_preview(actor=scene.actor("payroll_a"), employee=person, reason="fired")
    assert set(no_termination.value.errors) == {"employee"}
    assert set(no_reason.value.errors) == {"reason"}


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("payroll_a", True),  # runs the leaver's pay group
        ("admin", True),
        ("payroll_b", False),  # another pay group
        ("payroll_none", False),
        ("hr", False),  # HR without the payroll role sees no salary
        ("manager", False),
        ("employee", False),  # not one's own final pay
    ],
)
def test_who_may_handle_a_final_pay(scene: Scene, persona: str, allowed: bool) -> None:
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        a_year_of_wages(scene, person)
        actor = scene.actor(persona)
        if allowed:
            assert final_pay_preview(actor=actor, employee=person, reason="redundancy").total == D("73450.00")
            assert final_pay_record(actor=actor, employee=person, reason="redundancy").run.pk
        else:
            with pytest.raises(PermissionDenied):
                final_pay_preview(actor=actor, employee=person, reason="redundancy")
            with pytest.raises(PermissionDenied):
                final_pay_record(actor=actor, employee=person, reason="redundancy")


# --- reacting to a recorded termination ------------------------------------------------------------


def test_a_recorded_termination_with_its_reason_records_the_final_pay(scene: Scene, caplog) -> None:
    with time_machine.travel(NOW, tick=False):
        person = scene.emp("employee")
        event = employment_event_record(
            actor=actor_for(scene.world.hr), employee=person, kind=EventKind.TERMINATION, effective_date=LAST_DAY
        )
        # No legal reason announced: nothing is recorded.
        final_pay_on_termination(None, event=event)
        assert not PayrollRun.objects.filter(kind=RunKind.FINAL_PAY).exists()
        # The facts are incomplete (no payslips): the termination stands, a warning names what is missing.
        with caplog.at_level(logging.WARNING):
            final_pay_on_termination(None, event=event, reason="redundancy")
        assert "not recorded" in caplog.text
        assert not PayrollRun.objects.filter(kind=RunKind.FINAL_PAY).exists()
        a_year_of_wages(scene, person)
        final_pay_on_termination(None, event=event, reason="redundancy")
        final_pay_on_termination(None, event=event, reason="redundancy")  # once only
    run = PayrollRun.objects.get(kind=RunKind.FINAL_PAY, employee=person)
    assert run.created_by is None
    assert PayItem.objects.get(paid_in__isnull=True, employee=person).amount == D("73450.00")


# --- end to end ---------------------------------------------------------------------------------------


def test_the_recorded_final_pay_is_calculated_by_its_run(scene: Scene) -> None:
    # The damages of the test above: 443,052.00 exempt and 36,921.00 taxed on its own, both paid outside
    # the wages (not in gross pay nor the month's cumulative withholding), less their own tax 1,172.10.
    # June's regular payslip is published: the run is the month's second, no contributions again.
    # Net 479,973.00 - 1,172.10 = 478,800.90.
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        for month in months(dt.date(2024, 7, 1), 12):
            slip = locked_month(scene, person, month, "40000")
            if month == dt.date(2025, 6, 1):
                # The year to date after June, as the regular runs left it (the run starts from the latest
                # published payslip): income 6 x 40,000 = 240,000; less 6 x 5,000 = 210,000 taxable;
                # 20 % - 16,920 = 25,080.00 withheld (contributions left out of this scene).
                slip.ytd_months, slip.ytd_income, slip.ytd_tax = 6, D("240000"), D("25080.00")
                slip.save()
        recorded = final_pay_record(actor=scene.actor("payroll_a"), employee=person, reason=LegalReason.UNLAWFUL)
        payroll_run_calculate(actor=scene.actor("payroll_a"), run=recorded.run)
    slip = Payslip.objects.get(run=recorded.run, employee=person)
    assert (slip.gross, slip.iit, slip.employee_social_insurance) == (D("0.00"), D("0.00"), D("0.00"))
    assert (slip.separate_income, slip.separate_tax, slip.net) == (D("479973.00"), D("1172.10"), D("478800.90"))
    assert PayrollLine.objects.filter(payslip=slip, code__startswith="component.item").count() == 2
    assert PayrollLine.objects.get(payslip=slip, code="separate_tax").amount == D("-1172.10")
    recorded.run.refresh_from_db()
    assert (recorded.run.gross, recorded.run.iit) == (D("479973.00"), D("1172.10"))


def test_the_leave_figures_name_what_the_rule_cannot_tell(scene: Scene) -> None:
    # 2 days carried over from 2024 are not in the proration; the review says so.
    with time_machine.travel(NOW, tick=False):
        person = leaver(scene)
        annual_leave(person)
        kind = LeaveType.objects.get(code="annual-final-pay")
        LedgerEntry.objects.create(
            employee=person,
            leave_type=kind,
            kind=EntryKind.CARRY_OVER,
            effective_date=dt.date(2025, 1, 1),
            days=D("2"),
            reason="carry",
            key="carry",
        )
        figures = leave_figures(person, LAST_DAY)
    assert (figures.granted_days, figures.carried_days, figures.hired_this_year) == (D("5"), D("2"), False)
    assert figures.unused.unused_days == D("1")
    [message] = figures.review_messages()
    assert "carried over" in message


def test_hr_recording_a_termination_with_its_reason_has_payroll_find_the_final_pay(
    scene: Scene, django_capture_on_commit_callbacks
) -> None:
    # The organisation service announces the termination once it commits; payroll's receiver records
    # the final pay (redundancy: 6.5 months of 10,000 plus the unused leave, as above).
    with time_machine.travel(NOW, tick=False):
        person = scene.emp("employee")
        a_year_of_wages(scene, person)
        with django_capture_on_commit_callbacks(execute=True):
            employment_event_record(
                actor=actor_for(scene.world.hr), employee=person, kind=EventKind.TERMINATION,
                effective_date=LAST_DAY, termination_reason="redundancy",
            )  # fmt: skip
    run = PayrollRun.objects.get(kind=RunKind.FINAL_PAY, employee=person)
    assert run.state == RunState.DRAFT and run.planned_items.exists()


def test_a_legal_reason_belongs_to_a_termination_only(scene: Scene) -> None:
    from talentloop.core.errors import InvalidInput

    with time_machine.travel(NOW, tick=False):
        hr = actor_for(scene.world.hr)
        with pytest.raises(InvalidInput) as exc:
            employment_event_record(actor=hr, employee=scene.emp("employee"), kind=EventKind.LEAVE,
                                    effective_date=LAST_DAY, termination_reason="redundancy")  # fmt: skip
        assert "termination_reason" in exc.value.errors
        with pytest.raises(InvalidInput) as exc:
            employment_event_record(
                actor=hr, employee=scene.emp("employee"), kind=EventKind.TERMINATION, effective_date=LAST_DAY,
                termination_reason="redundancy", renewal_refused=True,
            )  # fmt: skip
        assert "renewal_refused" in exc.value.errors


def test_the_legal_reasons_of_organisation_and_payroll_are_the_same() -> None:
    from talentloop.organisation.models import TerminationReason

    assert set(TerminationReason.values) == {reason.value for reason in LegalReason}
