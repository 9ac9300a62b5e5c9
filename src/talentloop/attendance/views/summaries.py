"""Attendance pages: summaries."""

urlpatterns: list = []
