"""Payroll pages: runs."""

from __future__ import annotations

urlpatterns: list = []
