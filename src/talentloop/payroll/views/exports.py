"""Payroll pages: exports."""

from __future__ import annotations

urlpatterns: list = []
