from django.core.management.base import BaseCommand, CommandError

from talentloop.attendance.services.summaries import parse_month, summaries_build
from talentloop.core.errors import DomainError


class Command(BaseCommand):
    help = ("Build the monthly attendance summaries of a month (YYYY-MM) for everyone employed in it, from the "
            "raw clock events, plans, leave and approved overtime, as the nightly job does. An open month is "
            "replaced; a locked month is refused (record an adjustment instead); the current month is judged "
            "up to yesterday.")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month to build (YYYY-MM)")

    def handle(self, *args, **opts):
        try:
            month = parse_month(opts["month"])
            result = summaries_build(month=month)
        except DomainError as exc:
            raise CommandError(f"{opts['month']}: {exc.detail}") from exc
        self.stdout.write(f"{month:%Y-%m}: {result.people} people built in {result.seconds:.1f} s, "
                          f"{result.carried} adjustment(s) carried")
