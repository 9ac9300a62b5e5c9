"""Mentoring models, one module per concern; everything is importable from here."""
