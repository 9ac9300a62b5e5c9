"""Every write of the mentoring app, by concern."""
