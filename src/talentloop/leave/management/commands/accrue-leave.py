import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from talentloop.leave.services.accrual import leave_accrue


class Command(BaseCommand):
    help = ("Run the leave accrual and expiry job as of a date (YYYY-MM-DD, default today in the organisation's "
            "time zone), as the daily job does: annual leave grants and adjustments, year-end carry-over and "
            "the expiry of carried days. Running it twice for a date writes nothing twice.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run the job as of (YYYY-MM-DD); default: today")

    def handle(self, *args, **opts):
        if opts.get("date"):
            try:
                as_of = dt.date.fromisoformat(opts["date"])
            except ValueError as exc:
                raise CommandError(f"not a date: {opts['date']!r} (use YYYY-MM-DD)") from exc
        else:
            as_of = timezone.localdate()
        report = leave_accrue(as_of=as_of)
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(report.by_kind.items())) or "none"
        self.stdout.write(f"{as_of}: {report.people} people, {report.written} ledger entries written ({kinds}), "
                          f"{len(report.errors)} error(s)")
        for employee_id, error in report.errors:
            self.stderr.write(f"employee {employee_id}: {error}")
