"""Payroll pages: payslips."""

from __future__ import annotations

urlpatterns: list = []
