"""Leave: leave types and their policies, statutory annual leave by cumulative service, the
append-only balance ledger, requests with approval chains and delegation, the team calendar. Reads
the calendar and schedules of attendance; tells attendance each person's leave for its summaries."""
