"""Attendance: notification kinds."""
