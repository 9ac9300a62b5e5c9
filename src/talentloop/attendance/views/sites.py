"""Attendance pages: sites."""

urlpatterns: list = []
