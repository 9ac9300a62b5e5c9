"""Attendance: tasks summaries."""
