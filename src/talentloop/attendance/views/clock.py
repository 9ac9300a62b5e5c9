"""Attendance pages: clock."""

urlpatterns: list = []
