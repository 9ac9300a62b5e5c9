"""Payroll for China: salary structures, the cumulative withholding of individual income tax,
social insurance and the housing fund per city, payroll runs, payslips and their exports.

``rules`` holds the pure calculations (no database): each takes the effective-dated rule data it
needs as an argument, so a run for an earlier year applies that year's rules. The data files under
``data`` carry the published figures with their sources.
"""
