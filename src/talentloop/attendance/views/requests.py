"""Attendance pages: requests."""

urlpatterns: list = []
