"""Leave requests: counting, refusals, approval chains, delegation, decisions and cancelling.

Calendar of the dates used: see ``request_fixtures`` (National Day 2026). ``employee`` reports to
``lead``, who reports to ``manager``; ``hr`` is HR for the whole organisation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from talentloop.attendance.models import ApprovalDelegation
from talentloop.core.access import actor_for
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.leave import access
from talentloop.leave.models import ApprovalChain, ApprovalStep, LeaveRequest, LedgerEntry
from talentloop.leave.selectors.ledger import balance
from talentloop.leave.selectors.requests import approvals_waiting, leave_count, leave_preview
from talentloop.leave.services.requests import (
    leave_request_cancel,
    leave_request_decide,
    leave_request_submit,
    leave_step_decide,
)
from talentloop.leave.tests.request_fixtures import PDF, PNG, frozen, grant, leave_type
from talentloop.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    """The services notify after commit; the test transaction never commits, so tell at once here
    (``test_requests_pages`` checks the real after-commit path)."""
    from talentloop.leave.services import requests as services
    from talentloop.notifications.services import notify_each

    monkeypatch.setattr(services, "notify_after_commit", lambda *, kind, items: notify_each(kind=kind, items=items))

D = dt.date
OCT_31 = D(2026, 10, 31)


def _submit(world, persona="employee", **kw):
    kw.setdefault("start_half", "am")
    kw.setdefault("end_half", "pm")
    return leave_request_submit(actor_for(getattr(world, persona)), **kw)


# ---------------------------------------------------------------- counting


def test_a_holiday_inside_a_request_is_not_counted_as_leave(world):
    # Tue 29 Sep .. Fri 9 Oct: Tue 29, Wed 30 Sep and Thu 8, Fri 9 Oct are workdays = 4 days;
    # 1-3 Oct (statutory), Sun 4 and 5-7 Oct (rest days of the holiday) are not leave.
    annual = leave_type()
    emp = world.emp(world.employee)
    count = leave_count(employee=emp, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 10, 9))
    assert count.days == Decimal("4")
    assert count.holidays == [D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3)]
    # A calendar-day type (maternity) counts all 11 dates.
    maternity = leave_type("mat-t", category="maternity", counting="calendar", unit="day", tracks_balance=False)
    assert leave_count(employee=emp, leave_type=maternity, start=D(2026, 9, 29), end=D(2026, 10, 9)).days == 11


def test_an_adjusted_saturday_counts_as_a_workday_and_a_plain_sunday_does_not(world):
    # Sat 10 Oct 2026 is 调休上班: one day of leave. Sun 11 Oct is a rest day: nothing to count.
    annual = leave_type()
    emp = world.emp(world.employee)
    assert leave_count(employee=emp, leave_type=annual, start=D(2026, 10, 10), end=D(2026, 10, 10)).days == 1
    assert leave_count(employee=emp, leave_type=annual, start=D(2026, 10, 11), end=D(2026, 10, 11)).days == 0


def test_half_days(world):
    annual = leave_type()
    emp = world.emp(world.employee)

    def days(start, end, sh, eh):
        return leave_count(employee=emp, leave_type=annual, start=start, end=end, start_half=sh, end_half=eh)

    # Tue afternoon .. Wed morning: 2 workdays - 0.5 - 0.5 = 1
    assert days(D(2026, 9, 29), D(2026, 9, 30), "pm", "am").days == 1
    # One morning: 1 - 0.5 = 0.5; one afternoon likewise
    assert days(D(2026, 9, 29), D(2026, 9, 29), "am", "am").days == Decimal("0.5")
    assert days(D(2026, 9, 29), D(2026, 9, 29), "pm", "pm").days == Decimal("0.5")
    # Wed 30 Sep afternoon .. Thu 8 Oct morning: 30 Sep and 8 Oct count, half each = 1
    assert days(D(2026, 9, 30), D(2026, 10, 8), "pm", "am").days == 1
    # Afternoon to morning of one day is no time at all
    assert "end_half" in days(D(2026, 9, 29), D(2026, 9, 29), "pm", "am").errors
    # A full-day type refuses half days
    full = leave_type("full-t", unit="day")
    assert "start_half" in leave_count(employee=emp, leave_type=full, start=D(2026, 9, 29), end=D(2026, 9, 29),
                                       start_half="pm", end_half="pm").errors


def test_hours(world):
    toil = leave_type("toil-t", category="in_lieu", unit="hour", hours_per_day=Decimal("8"))
    emp = world.emp(world.employee)

    def count(day, hours, end=None):
        return leave_count(employee=emp, leave_type=toil, start=day, end=end or day, hours=hours)

    # 3 hours of an 8-hour day = 0.375 days
    assert count(D(2026, 9, 29), Decimal("3")).days == Decimal("0.375")
    assert "hours" in count(D(2026, 9, 29), Decimal("9")).errors  # more than a day
    assert "hours" in count(D(2026, 9, 29), None).errors
    assert "hours" in count(D(2026, 9, 29), Decimal("1.1")).errors  # quarters of an hour only
    assert "end" in count(D(2026, 9, 29), Decimal("2"), end=D(2026, 9, 30)).errors  # one day only
    assert count(D(2026, 10, 1), Decimal("3")).days == 0  # a holiday: nothing


# ---------------------------------------------------------------- refusals


def test_request_on_days_that_are_not_workdays_is_refused(world):
    annual = leave_type()
    grant(world.emp(world.employee), annual, "5")
    with frozen(), pytest.raises(InvalidInput) as exc:
        _submit(world, leave_type=annual, start=D(2026, 10, 1), end=D(2026, 10, 7))
    assert "no workday" in exc.value.detail
    assert not LeaveRequest.objects.exists()


def test_overlapping_requests_are_refused_but_adjacent_halves_are_not(world):
    annual = leave_type()
    grant(world.emp(world.employee), annual, "5")
    with frozen():
        first = _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 30), end_half="am")
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=annual, start=D(2026, 9, 30), end=D(2026, 9, 30))
        assert "overlap" in str(exc.value.errors["start"])
        # Wed 30 afternoon follows the first request's Wednesday morning: allowed (0.5 day)
        second = _submit(world, leave_type=annual, start=D(2026, 9, 30), end=D(2026, 9, 30), start_half="pm")
        assert second.days == Decimal("0.5")
        # A rejected or cancelled request no longer blocks the dates.
        leave_request_cancel(actor_for(world.employee), request=first)
        third = _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29))
    assert third.days == 1


def test_over_the_balance_is_refused_unless_the_type_allows_negative(world):
    emp = world.emp(world.employee)
    annual = leave_type()
    grant(emp, annual, "5")
    with frozen():
        # 4 days pending (29, 30 Sep, 8, 9 Oct): 5 - 4 = 1 left for the next request.
        _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 10, 9))
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=annual, start=D(2026, 10, 12), end=D(2026, 10, 13))  # 2 days > 1
        assert "only 1 are available" in exc.value.detail
        ok = _submit(world, leave_type=annual, start=D(2026, 10, 12), end=D(2026, 10, 12))  # exactly 1
        assert ok.days == 1
        loose = leave_type("loose-t", allow_negative=True)
        neg = _submit(world, leave_type=loose, start=D(2026, 10, 13), end=D(2026, 10, 14), reason="borrow")
        assert neg.days == 2
    # Balance preview for the loose type: 0 before, -2 after a further 2 days
    preview = leave_preview(employee=emp, leave_type=loose, start=D(2026, 10, 15), end=D(2026, 10, 16))
    assert (preview.before, preview.after, preview.over_balance) == (Decimal("-2"), Decimal("-4"), True)


def test_document_required_and_checked_by_content(world):
    sick = leave_type("sick-t", category="sick", tracks_balance=False, requires_document=True)
    with frozen():
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=sick, start=D(2026, 9, 29), end=D(2026, 9, 29))
        assert "document" in exc.value.errors
        fake = SimpleUploadedFile("note.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=sick, start=D(2026, 9, 29), end=D(2026, 9, 29), document=fake)
        assert "PDF, JPEG or PNG" in exc.value.errors["document"][0]
        big = SimpleUploadedFile("scan.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
        with pytest.raises(InvalidInput):
            _submit(world, leave_type=sick, start=D(2026, 9, 29), end=D(2026, 9, 29), document=big)
        assert not LeaveRequest.objects.exists()
        good = SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf")
        request = _submit(world, leave_type=sick, start=D(2026, 9, 29), end=D(2026, 9, 29), document=good)
    assert request.document.name.startswith(f"private/leave/{request.employee_id}/")
    assert request.document.name.endswith("cert.pdf")


def test_too_far_back_is_for_hr(world):
    annual = leave_type()
    emp = world.emp(world.employee)
    grant(emp, annual, "5")
    with frozen():
        # 1 Sep is 27 days back: fine; 17 Aug (Mon) is 42 days back: refused for the person.
        assert _submit(world, leave_type=annual, start=D(2026, 9, 1), end=D(2026, 9, 1)).days == 1
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=annual, start=D(2026, 8, 17), end=D(2026, 8, 17))
        assert "start" in exc.value.errors
        by_hr = _submit(world, "hr", leave_type=annual, start=D(2026, 8, 17), end=D(2026, 8, 17), employee=emp)
        assert by_hr.employee_id == emp.pk
        # The outsider is no HR: they cannot request leave for someone else.
        with pytest.raises(PermissionDenied):
            _submit(world, "outsider", leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29), employee=emp)


def test_bad_input_is_refused_with_field_errors(world):
    annual = leave_type()
    with frozen():
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=annual, start=D(2026, 9, 30), end=D(2026, 9, 29))
        assert "end" in exc.value.errors
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=annual, start=None, end=None)
        assert set(exc.value.errors) == {"start", "end"}
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29), reason="x" * 301)
        assert "reason" in exc.value.errors
        annual.is_active = False
        annual.save()
        with pytest.raises(InvalidInput) as exc:
            _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29))
        assert "leave_type" in exc.value.errors
    assert not LeaveRequest.objects.exists()


# ---------------------------------------------------------------- chains


def _steps(request):
    return [(s.role, s.approver.name_en if s.approver else None) for s in request.steps.order_by("order")]


def test_default_chain_manager_then_hr_above_three_days(world):
    annual = leave_type()
    grant(world.emp(world.employee), annual, "10")
    with frozen():
        short = _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 30))  # 2 days
        long = _submit(world, leave_type=annual, start=D(2026, 10, 8), end=D(2026, 10, 13))  # 8,9,10,12,13 = 5
    assert _steps(short) == [("manager", "Lead")]
    assert _steps(long) == [("manager", "Lead"), ("hr", None)]


def test_the_type_threshold_wins_and_the_nearest_unit_chain_applies(world):
    strict = leave_type("strict-t", hr_approval_over_days=Decimal("1"))
    grant(world.emp(world.employee), strict, "10")
    ApprovalChain.objects.create(org_unit=None, steps=["manager"], hr_over_days=Decimal("10"))
    ApprovalChain.objects.create(org_unit=world.rnd, steps=["manager", "manager2", "hr"], hr_over_days=Decimal("10"))
    with frozen():
        # platform has no chain of its own: R&D's applies; the type's 1 day beats the chain's 10.
        request = _submit(world, leave_type=strict, start=D(2026, 9, 29), end=D(2026, 9, 30))
        assert _steps(request) == [("manager", "Lead"), ("manager2", "Manager"), ("hr", None)]
        # The outsider (sales) falls back to the default chain: manager only; they have no manager,
        # so the request goes to HR.
        grant(world.emp(world.outsider), strict, "10")
        lone = _submit(world, "outsider", leave_type=strict, start=D(2026, 9, 29), end=D(2026, 9, 29))
    assert _steps(lone) == [("hr", None)]


# ---------------------------------------------------------------- deciding


def test_manager_approves_then_hr_and_the_ledger_takes_the_days(world):
    emp = world.emp(world.employee)
    annual = leave_type()
    grant(emp, annual, "10")
    with frozen():
        request = _submit(world, leave_type=annual, start=D(2026, 10, 8), end=D(2026, 10, 13))  # 5 days
        waiting = Notification.objects.get(kind="leave_request_waiting")
        assert waiting.recipient_id == world.emp(world.lead).pk
        assert waiting.link == f"/leave/{request.pk}/"
        # The manager above lead sees the request but the step is lead's.
        with pytest.raises(PermissionDenied):
            leave_request_decide(actor_for(world.manager), request=request, decision="approved")
        with pytest.raises(PermissionDenied):
            leave_request_decide(actor_for(world.employee), request=request, decision="approved")
        leave_request_decide(actor_for(world.lead), request=request, decision="approved", note="ok")
        request.refresh_from_db()
        assert request.status == "pending"
        # Now HR's step: HR is told.
        assert Notification.objects.filter(kind="leave_request_waiting", recipient=world.emp(world.hr)).exists()
        assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=OCT_31) == 10
        leave_request_decide(actor_for(world.hr), request=request, decision="approved")
        request.refresh_from_db()
    assert request.status == "approved"
    # 10 - 5 = 5, the use entry dated on the first day
    assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=OCT_31) == 5
    entry = LedgerEntry.objects.get(key=f"use:{request.pk}")
    assert (entry.kind, entry.days, entry.effective_date) == ("use", Decimal("-5"), D(2026, 10, 8))
    told = Notification.objects.get(kind="leave_request_decided")
    assert told.recipient_id == emp.pk and "approved" in told.text
    # Deciding again is a conflict
    with pytest.raises(Conflict):
        leave_request_decide(actor_for(world.hr), request=request, decision="approved")


def test_rejection_closes_and_takes_nothing(world):
    emp = world.emp(world.employee)
    annual = leave_type()
    grant(emp, annual, "5")
    with frozen():
        request = _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29))
        with pytest.raises(InvalidInput):
            leave_request_decide(actor_for(world.lead), request=request, decision="maybe")
        step = request.steps.get()
        leave_step_decide(actor_for(world.lead), step=step, decision="rejected", note="Release week")
    request.refresh_from_db()
    assert request.status == "rejected"
    assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=OCT_31) == 5
    told = Notification.objects.get(kind="leave_request_decided")
    assert "rejected" in told.text and "Release week" in told.text


def test_approval_access_per_persona(world):
    """A manager approves only their tree (and only their step); an employee sees only their own;
    HR within its scope."""
    emp = world.emp(world.employee)
    annual = leave_type()
    grant(emp, annual, "5")
    grant(world.emp(world.outsider), annual, "5")
    with frozen():
        request = _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29))
        theirs = _submit(world, "outsider", leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29))
    visible = {p: set(access.visible_leave_requests(actor_for(getattr(world, p))).values_list("pk", flat=True))
               for p in ("employee", "lead", "manager", "mentor", "hr", "outsider")}
    assert visible["employee"] == {request.pk}
    assert visible["lead"] == {request.pk}
    assert visible["manager"] == {request.pk}
    assert visible["mentor"] == set()
    assert visible["hr"] == {request.pk, theirs.pk}
    assert visible["outsider"] == {theirs.pk}
    waiting = {p: [s.request_id for s in approvals_waiting(actor_for(getattr(world, p)))]
               for p in ("employee", "lead", "manager", "hr", "outsider")}
    # The outsider has no manager: their request waits for HR.
    assert waiting == {"employee": [], "lead": [request.pk], "manager": [], "hr": [theirs.pk], "outsider": []}


def test_hr_of_another_unit_does_not_decide(world):
    from talentloop.testing.factories import EmployeeFactory, UserFactory
    from talentloop.testing.factories import grant as grant_role

    user = UserFactory(username="hr-sales")
    EmployeeFactory(user=user, org_unit=world.sales)
    grant_role(user, "hr", org_unit=world.sales)
    annual = leave_type()
    grant(world.emp(world.outsider), annual, "5")
    grant(world.emp(world.employee), annual, "5")
    with frozen():
        sales = _submit(world, "outsider", leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29))
        rnd = _submit(world, leave_type=annual, start=D(2026, 10, 8), end=D(2026, 10, 13))  # 5 days: HR step
        leave_request_decide(actor_for(world.lead), request=rnd, decision="approved")
        sales_hr = actor_for(user)
        assert [s.request_id for s in approvals_waiting(sales_hr)] == [sales.pk]
        with pytest.raises(PermissionDenied):
            leave_request_decide(sales_hr, request=rnd, decision="approved")
        leave_request_decide(sales_hr, request=sales, decision="approved")


# ---------------------------------------------------------------- delegation


def test_the_delegate_decides_while_the_delegation_runs(world):
    emp = world.emp(world.employee)
    annual = leave_type()
    grant(emp, annual, "5")
    ApprovalDelegation.objects.create(approver=world.emp(world.lead), delegate=world.emp(world.mentor),
                                      start=D(2026, 9, 28), end=D(2026, 10, 2))
    with frozen():
        request = _submit(world, leave_type=annual, start=D(2026, 10, 8), end=D(2026, 10, 8))
        # the delegate is told as well as lead
        told = set(Notification.objects.filter(kind="leave_request_waiting").values_list("recipient_id", flat=True))
        assert told == {world.emp(world.lead).pk, world.emp(world.mentor).pk}
        mentor = actor_for(world.mentor)
        assert [s.request_id for s in approvals_waiting(mentor)] == [request.pk]
        assert access.visible_leave_requests(mentor).filter(pk=request.pk).exists()
    with frozen(D(2026, 10, 3)):  # after the delegation ended: no longer theirs
        mentor = actor_for(world.mentor)
        assert list(approvals_waiting(mentor)) == []
        with pytest.raises(PermissionDenied):
            leave_request_decide(mentor, request=request, decision="approved")
    with frozen(D(2026, 10, 1)):
        leave_request_decide(actor_for(world.mentor), request=request, decision="approved")
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.steps.get().decided_by == world.mentor


# ---------------------------------------------------------------- cancelling


def test_cancel_returns_the_days(world):
    emp = world.emp(world.employee)
    annual = leave_type()
    grant(emp, annual, "5")
    with frozen():
        # 29, 30 Sep and 8 Oct = 3 days: within the manager's say (HR only above 3)
        request = _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 10, 8))
        leave_request_decide(actor_for(world.lead), request=request, decision="approved")
        # 5 - 3 = 2 after approval
        assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=OCT_31) == 2
        with pytest.raises(PermissionDenied):
            leave_request_cancel(actor_for(world.lead), request=request)
        leave_request_cancel(actor_for(world.employee), request=request)
    request.refresh_from_db()
    assert request.status == "cancelled"
    # 2 + 3 returned = 5
    assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=OCT_31) == 5
    entry = LedgerEntry.objects.get(key=f"return:{request.pk}")
    assert (entry.kind, entry.days) == ("return", Decimal("3"))
    # lead, who approved, hears of it
    assert Notification.objects.filter(kind="leave_request_cancelled", recipient=world.emp(world.lead)).exists()
    with pytest.raises(Conflict):
        leave_request_cancel(actor_for(world.hr), request=request)


def test_after_the_start_only_hr_cancels(world):
    emp = world.emp(world.employee)
    annual = leave_type()
    grant(emp, annual, "5")
    with frozen():
        request = _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 30))
        leave_request_decide(actor_for(world.lead), request=request, decision="approved")
    with frozen(D(2026, 9, 29)):
        with pytest.raises(InvalidInput):
            leave_request_cancel(actor_for(world.employee), request=request)
        leave_request_cancel(actor_for(world.hr), request=request, note="Came in after all")
    assert balance(employee_id=emp.pk, leave_type_id=annual.pk, as_of=OCT_31) == 5
    assert Notification.objects.filter(kind="leave_request_cancelled", recipient=emp).exists()


def test_a_pending_request_cancelled_leaves_no_step_waiting(world):
    annual = leave_type()
    grant(world.emp(world.employee), annual, "5")
    with frozen():
        request = _submit(world, leave_type=annual, start=D(2026, 9, 29), end=D(2026, 9, 29))
        leave_request_cancel(actor_for(world.employee), request=request)
        assert list(approvals_waiting(actor_for(world.lead))) == []
        with pytest.raises(Conflict):
            leave_request_decide(actor_for(world.lead), request=request, decision="approved")
    assert not LedgerEntry.objects.filter(request=request).exists()
    assert ApprovalStep.objects.filter(request=request, decision="").count() == 1
