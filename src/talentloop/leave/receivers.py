"""Leave: receivers."""
