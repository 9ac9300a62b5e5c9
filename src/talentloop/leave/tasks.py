"""Leave: tasks."""
