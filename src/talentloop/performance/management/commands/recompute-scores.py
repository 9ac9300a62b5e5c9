from django.core.management.base import BaseCommand, CommandError

from talentloop.performance import periods as P
from talentloop.performance.services.scores import recompute_period, score_error_numbers


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
        if result.absent:
            self.stdout.write(f"{result.absent} person(s) were present 0 days: no score.")
        if result.failed:
            numbers = score_error_numbers(list(result.failed))
            self.stdout.write(self.style.WARNING(
                f"{len(result.failed)} person(s) could not be scored (recorded for HR on the periods page):"))
            for emp, message in sorted(result.failed.items()):
                self.stdout.write(f"  {numbers.get(emp, emp)}: {message}")
