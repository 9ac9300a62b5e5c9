"""Facts attendance announces to the apps above it."""

from django.dispatch import Signal

# Sent after commit when overtime is approved: ``request`` (an OvertimeRequest). Leave turns time off
# in lieu into a ledger accrual.
overtime_approved = Signal()

# Sent after commit when overtime that had been approved is cancelled: ``request`` (an
# OvertimeRequest, now cancelled). Leave takes back the time off in lieu it had credited.
overtime_cancelled = Signal()
