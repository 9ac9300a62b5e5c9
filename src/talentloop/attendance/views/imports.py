"""Attendance pages: imports."""

urlpatterns: list = []
