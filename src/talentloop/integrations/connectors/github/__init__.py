"""The github connector kind."""
