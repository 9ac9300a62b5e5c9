"""``talentloop demo``: migrate and load the deterministic demo company with its well-known accounts."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from talentloop.accounts.backends import DEMO_PASSWORD
from talentloop.demo import stack as demo_stack
from talentloop.mentoring import demo as mentoring_demo
from talentloop.organisation import demo
from talentloop.organisation.models import Employee
from talentloop.performance import demo as performance_demo

ACCOUNTS = (
    ("admin", "administrator: accounts and roles (no employee record)"),
    ("hr", "HR for the whole company"),
    ("manager", "head of R&D, with several levels of reports"),
    ("mentor", "a senior engineer with the mentor role"),
    ("employee", "an engineer in manager's tree"),
    ("newgrad", "an engineer hired this year"),
    ("payroll", "the payroll role for every pay group (no employee record); admin approves the runs"),
)


class Command(BaseCommand):
    help = "Migrate the database and load the demo company (about 300 people) with its demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="delete the organisation data (and its people's accounts) and load the demo "
                                 "again")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the address printed at the end")
        parser.add_argument("--skip-migrate", action="store_true", help="do not run migrations first")

    def handle(self, *args, reset: bool, url: str, skip_migrate: bool, **options):
        if not skip_migrate:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("Database migrated.")
        if demo.organisation_has_data():
            if not reset:
                if demo.company_loaded():
                    people = Employee.objects.count()
                    what = "The demo company" if people == demo.DEMO_EMPLOYEES else "A generated company"
                    self.stdout.write(f"{what} is already loaded ({people:,} people); "
                                      "pass --reset to load the demo afresh.")
                    if not performance_demo.history_loaded():
                        self._performance(demo.DEMO_SEED)
                    else:
                        self._areas(demo.DEMO_SEED, None)
                    self._accounts(url)
                    return
                raise CommandError("This database already holds organisation data that is not the demo. "
                                   "Pass --reset to delete it and load the demo instead.")
            removed = demo_stack.wipe_all()
            self.stdout.write(f"Deleted the previous organisation data ({removed:,} people).")
        plan = demo.plan_company(demo.DEMO_EMPLOYEES, seed=demo.DEMO_SEED)
        result = demo.load_company(plan)
        demo.analyze_tables()
        self.stdout.write(self.style.SUCCESS(
            f"Loaded the demo company: {result.employees} people in {result.org_units} org units, "
            f"{result.events} employment events since {min(p.hire_date for p in plan.people)}."))
        self._performance(demo.DEMO_SEED, plan.reference_date)
        self._accounts(url)

    def _performance(self, seed: int, reference_date=None) -> None:
        result = performance_demo.load_history(seed=seed, reference_date=reference_date, progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(performance_demo.summary(result)))
        if not mentoring_demo.mentoring_loaded():
            mentoring = mentoring_demo.load_mentoring(seed=seed, reference_date=reference_date)
            self.stdout.write(self.style.SUCCESS(mentoring_demo.summary(mentoring)))
        self._areas(seed, reference_date)

    def _areas(self, seed: int, reference_date) -> None:
        demo_stack.load_areas(seed=seed, reference_date=reference_date,
                              write=lambda text: self.stdout.write(self.style.SUCCESS(text)))

    def _accounts(self, url: str) -> None:
        people = {e.user.username: e for e in Employee.objects.select_related("user", "org_unit", "position")
                  .filter(user__username__in=[a for a, _d in ACCOUNTS])}
        reports = dict(
            Employee.objects.filter(user__username__in=list(people)).annotate(n=Count("direct_reports"))
            .values_list("user__username", "n")
        )
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, description in ACCOUNTS:
            emp = people.get(username)
            who = ""
            if emp is not None:
                who = (f" — {emp.name} ({emp.name_en}), {emp.position.name_en if emp.position else ''}, "
                       f"{emp.org_unit.name_en}")
                if username == "manager":
                    below = Employee.objects.filter(manager_path__startswith=emp.reports_prefix).count()
                    who += f", {reports.get(username, 0)} direct reports, {below} people below"
            self.stdout.write(f"  {username:<9} {description}{who}")
        self.stdout.write("")
        if not settings.DEMO_MODE:
            self.stdout.write(self.style.WARNING(
                "The demo password works only in demo mode: start the server with TALENTLOOP_DEMO=1 "
                "(make demo does)."))
        self.stdout.write(f"Open {url} and sign in with one of the accounts above "
                          "(TALENTLOOP_DEMO=1 talentloop serve).")
