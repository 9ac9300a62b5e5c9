import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from talentloop.performance.services.alerts import checks_run_day


class Command(BaseCommand):
    help = ("Run the decline-alert and target root-cause checks as of a date (YYYY-MM-DD, default today), "
            "as the daily job does; replaying a day never opens the same episode twice.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run the checks as of (YYYY-MM-DD); default: today")

    def handle(self, *args, **opts):
        if opts.get("date"):
            try:
                as_of = dt.date.fromisoformat(opts["date"])
            except ValueError as exc:
                raise CommandError(f"not a date: {opts['date']!r} (use YYYY-MM-DD)") from exc
        else:
            as_of = timezone.localdate()
        out = checks_run_day(actor=None, as_of=as_of)
        self.stdout.write(
            f"{out['as_of']}: {out['rules']} alert rule(s); {out['alerts_opened']} alert(s) opened, "
            f"{out['alerts_recovered']} recovered; {out['units_checked']} org unit(s) checked, "
            f"{out['reviews_opened']} root-cause review(s) opened, {out['reviews_recovered']} recovered")
