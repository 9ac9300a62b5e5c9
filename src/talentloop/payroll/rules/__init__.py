"""Pure payroll calculations over effective-dated rule data; no database access."""
