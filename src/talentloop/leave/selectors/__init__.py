"""Reads of leave that are more than a lookup."""
