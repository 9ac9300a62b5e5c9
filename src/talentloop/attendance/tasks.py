"""Attendance: tasks."""
