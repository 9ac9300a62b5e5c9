"""Performance web pages, one module per concern."""
