"""What organisation announces to the apps above it (they connect from their ``AppConfig.ready()``)."""

from django.db import transaction
from django.dispatch import Signal

from talentloop.organisation.models import Employee

#: A termination was recorded (sent after the transaction commits): ``event`` (the EmploymentEvent),
#: ``actor``, ``reason`` (its legal reason, ``TerminationReason``; "" when not given) and
#: ``renewal_refused``. Payroll records the leaver's final pay from it.
termination_recorded = Signal()

#: Someone was hired, their record or employment changed, or they left (sent after the transaction
#: commits): ``employee_id``, ``change`` ("hired", "changed" or "left") and ``event_id`` (the applied
#: EmploymentEvent, None for a change of personal fields). Integrations turns it into outbound events.
employee_changed = Signal()


def announce_employee_change(employee_id: int, change: str, event_id: int | None) -> None:
    """Tell the apps above that a person was hired, changed or left, once the transaction commits (a
    receiver's failure is logged and never fails the sender)."""
    transaction.on_commit(lambda: employee_changed.send(
        sender=Employee, employee_id=employee_id, change=change, event_id=event_id), robust=True)

