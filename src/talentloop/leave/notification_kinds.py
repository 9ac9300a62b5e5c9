"""Leave: notification kinds."""
