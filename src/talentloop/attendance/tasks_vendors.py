"""Attendance: tasks vendors."""
