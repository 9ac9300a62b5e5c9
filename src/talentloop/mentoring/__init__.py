"""Mentoring: the mentor policy, applications and invitations, mentors and their certification,
programme templates, plans with their topics, items, sessions and skill assessments, cadence rules,
mentee surveys, effectiveness and HR's matching runs. Reads performance (scores) and registers what
performance asks of it from ``apps.py``."""
