"""Every write of attendance, one module per area (actor first, keyword-only, atomic)."""
