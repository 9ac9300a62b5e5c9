"""``talentloop seed --employees N``: a deterministic synthetic company of any size, for benchmarks.

By default only the organisation (units, positions, people, hire history, accounts); ``--history`` adds three
years of performance history, which takes far longer (see the README)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from talentloop.demo import stack as demo_stack
from talentloop.organisation import demo
from talentloop.performance import demo as performance_demo


def migrate_if_needed(stdout) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        stdout.write("Applying database migrations first…")
        call_command("migrate", interactive=False, verbosity=0)


class Command(BaseCommand):
    help = ("Generate a deterministic synthetic company of N employees (org units, job families, positions, "
            "people, hire history, accounts sharing one password hash) with set-based inserts.")

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, required=True, help="how many people (at least "
                            f"{demo.MIN_EMPLOYEES})")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED,
                            help="random seed: the same seed and size give the same company")
        parser.add_argument("--reference-date", type=dt.date.fromisoformat, default=None,
                            help="'today' for hire dates (YYYY-MM-DD; default: today)")
        parser.add_argument("--reset", action="store_true",
                            help="delete all organisation data and its accounts first")
        parser.add_argument("--history", action="store_true",
                            help="also write three years of performance history (metrics, scorecards, "
                                 "observations, reviews, scores): about 13 minutes at 10,000 people")
        parser.add_argument("--no-performance", action="store_true",
                            help="the default (kept for old scripts): only the organisation")

    def handle(self, *args, employees: int, seed: int, reference_date, reset: bool, history: bool,
               no_performance: bool, **options):
        if history and no_performance:
            raise CommandError("--history and --no-performance contradict each other.")
        if employees < demo.MIN_EMPLOYEES:
            raise CommandError(f"--employees must be at least {demo.MIN_EMPLOYEES}.")
        migrate_if_needed(self.stdout)
        started = time.perf_counter()
        if demo.organisation_has_data():
            if not reset:
                raise CommandError("This database already holds organisation data. Pass --reset to delete it "
                                   "(and the accounts of its people) first.")
            removed = demo_stack.wipe_all()
            self.stdout.write(f"Deleted the existing organisation ({removed:,} people) in "
                              f"{time.perf_counter() - started:.1f} s.")
        started = time.perf_counter()
        plan = demo.plan_company(employees, seed=seed, reference_date=reference_date)
        planned = time.perf_counter()
        result = demo.load_company(plan)
        demo.analyze_tables()
        elapsed = time.perf_counter() - started
        rate = result.employees / elapsed if elapsed else float("inf")
        self.stdout.write(
            f"Seeded {result.employees:,} employees in {result.org_units:,} org units "
            f"({result.positions} positions, {result.accounts:,} accounts, {result.events:,} employment "
            f"events, {result.roles:,} role assignments) with seed {seed}, "
            f"reference date {plan.reference_date}."
        )
        written = elapsed - (planned - started)
        self.stdout.write(f"Planned in {planned - started:.2f} s, written in {written:.2f} s.")
        self.stdout.write(self.style.SUCCESS(
            f"Seed finished in {elapsed:.2f} s: {rate:,.0f} employees/second."))
        if history:
            loaded = performance_demo.load_history(seed=seed, reference_date=plan.reference_date,
                                                   progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(performance_demo.summary(loaded)))
        else:
            self.stdout.write("Organisation only (no performance history); pass --history to add three years of "
                              "it.")
        demo_stack.data_replaced()
