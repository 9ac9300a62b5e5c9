"""Attendance: the holiday calendar (what is a workday, a rest day or a statutory holiday), work
sites with geofences and office networks, shifts, work schedules and rosters, clock events from the
phone, attendance machines and the vendor apps, corrections, overtime, and the monthly summary that
HR locks and payroll reads (``selectors.monthly_summaries``). Reads leave through the registry that
leave fills (``hooks``)."""
