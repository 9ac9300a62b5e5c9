import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from talentloop.mentoring.services.cadence import run_daily


class Command(BaseCommand):
    help = ("Run the daily mentoring jobs (plan start/end, reminders, overdue alerts to the mentor's manager, "
            "mentee surveys: mentoring.services.cadence.DAILY_JOBS) as of a date "
            "(YYYY-MM-DD, default today). Running twice for the same date sends nothing twice.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run the jobs as of (YYYY-MM-DD); default: today")

    def handle(self, *args, **opts):
        if opts.get("date"):
            try:
                as_of = dt.date.fromisoformat(opts["date"])
            except ValueError as exc:
                raise CommandError(f"not a date: {opts['date']!r} (use YYYY-MM-DD)") from exc
        else:
            as_of = timezone.localdate()
        out = run_daily(as_of)
        self.stdout.write(json.dumps(out, default=str, sort_keys=True))
