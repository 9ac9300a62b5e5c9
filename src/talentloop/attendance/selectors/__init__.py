"""Reads of attendance that are more than a lookup. ``monthly_summaries`` is what payroll reads."""
