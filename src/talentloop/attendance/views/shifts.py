"""Attendance pages: shifts."""

urlpatterns: list = []
