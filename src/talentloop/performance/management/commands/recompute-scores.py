from django.core.management.base import BaseCommand, CommandError

from talentloop.performance import periods as P
from talentloop.performance.services.recompute import recompute_marks_drain, recompute_marks_pending
from talentloop.performance.services.scores import recompute_period, score_error_numbers


class Command(BaseCommand):
    help = ("Rebuild the scores of a period (YYYY-MM, YYYY-Qn or YYYY) from the observations, or with "
            "--pending recompute what new observations marked stale (as the worker does).")

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--period")
        group.add_argument("--pending", action="store_true", help="drain the pending recompute marks")

    def handle(self, *args, **opts):
        if opts["pending"]:
            drained = recompute_marks_drain()
            self.stdout.write(f"{drained.recomputed} pending recomputation(s) done, {drained.scored} score(s) "
                              f"written; {recompute_marks_pending()} still pending.")
            if drained.person_errors:
                self.stdout.write(self.style.WARNING(f"{drained.person_errors} person(s) could not be scored "
                                                     "(recorded for HR on the periods page)."))
            if drained.failed:
                raise CommandError(f"recomputing {', '.join(sorted(set(drained.failed)))} failed; run again later.")
            return
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
