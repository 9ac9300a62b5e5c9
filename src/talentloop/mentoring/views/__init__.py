"""Mentoring web pages, one module per concern."""
