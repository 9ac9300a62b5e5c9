"""Payroll pages, one module per concern (runs, payslips, exports), each listing its own patterns."""
