from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from talentloop.core.errors import DomainError
from talentloop.payroll.selectors import pay_group_by_key, regular_run_for
from talentloop.payroll.services.runs import parse_month, payroll_run_calculate, payroll_run_create


class Command(BaseCommand):
    help = (
        "Calculate the draft payroll run of a pay group for a tax month (YYYY-MM), as the run page does: "
        "the run is created when the month has none, and calculating again replaces its payslips and nothing "
        "else. A submitted, approved or locked run is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the tax month, the month the wages are paid (YYYY-MM)")
        parser.add_argument("--group", required=True, help="the pay group's key")

    def handle(self, *args, **opts):
        try:
            month = parse_month(opts["month"])
            group = pay_group_by_key(opts["group"])
            with transaction.atomic():
                run = regular_run_for(group, month) or payroll_run_create(actor=None, pay_group=group, month=month)
            result = payroll_run_calculate(actor=None, run=run)
        except DomainError as exc:
            raise CommandError(f"{opts['group']} {opts['month']}: {exc.detail}") from exc
        self.stdout.write(
            f"{group.key} {month:%Y-%m}: run {result.run.pk} calculated for {result.people} people "
            f"({result.refused} refused) in {result.seconds:.1f} s"
        )
