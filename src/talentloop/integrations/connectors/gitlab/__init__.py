"""The gitlab connector kind."""
