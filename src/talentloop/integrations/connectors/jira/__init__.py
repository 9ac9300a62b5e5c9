"""The jira connector kind."""
