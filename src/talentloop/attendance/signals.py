"""Facts attendance announces to the apps above it."""

from django.dispatch import Signal

# Sent after commit when overtime is approved: ``request`` (an OvertimeRequest). Leave turns time off
# in lieu into a ledger accrual.
overtime_approved = Signal()
