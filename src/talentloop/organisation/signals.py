"""What organisation announces to the apps above it (they connect from their ``AppConfig.ready()``)."""

from django.dispatch import Signal

#: A termination was recorded (sent after the transaction commits): ``event`` (the EmploymentEvent),
#: ``actor``, ``reason`` (its legal reason, ``TerminationReason``; "" when not given) and
#: ``renewal_refused``. Payroll records the leaver's final pay from it.
termination_recorded = Signal()

#: Someone was hired, their record or employment changed, or they left (sent after the transaction
#: commits): ``employee_id``, ``change`` ("hired", "changed" or "left") and ``event_id`` (the applied
#: EmploymentEvent, None for a change of personal fields). Integrations turns it into outbound events.
employee_changed = Signal()
