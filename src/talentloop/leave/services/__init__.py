"""Every write of leave, one module per area (actor first, keyword-only, atomic)."""
