"""Attendance pages: rosters."""

urlpatterns: list = []
