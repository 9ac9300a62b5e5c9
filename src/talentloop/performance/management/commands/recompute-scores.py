from django.core.management.base import BaseCommand, CommandError

from talentloop.performance import periods as P
from talentloop.performance.services.scores import recompute_period


class Command(BaseCommand):
    help = "Rebuild the scores of a period (YYYY-MM, YYYY-Qn or YYYY) from the observations."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)

    def handle(self, *args, **opts):
        try:
            period = P.parse(opts["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = recompute_period(period)
        if result.skipped_closed:
            self.stdout.write(f"{period.key} is closed; nothing recomputed (reopen it first).")
            return
        rate = result.scored / result.seconds if result.seconds else 0
        self.stdout.write(f"{period.key}: {result.scored} score(s) for {result.people} people in "
                          f"{result.seconds:.2f}s ({rate:,.0f}/s)")
