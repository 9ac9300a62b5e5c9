"""The pull connector kind."""
