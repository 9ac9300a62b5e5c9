"""``talentloop connectors sync [--connector KEY] [--since YYYY-MM-DD]``: read the tools of the active
connectors (or of one) since a day — a backfill for GitLab, GitHub and Jira, the file of a scheduled
pull — and store their facts. Idempotent: facts are kept by their external ids, so running it again
changes nothing that did not change in the tool. Without ``--since`` each connector starts a day before
its last successful reading (30 days back the first time). Without ``--connector``, connectors whose
settings name nothing to read (a GitLab connector without projects, used for its webhook only) are
skipped.

Prints per connector what was fetched and stored and how many items could not be read; a connector
that fails does not stop the others, and the command then exits with status 1."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from talentloop.core.errors import DomainError
from talentloop.integrations.models import Connector, SyncRun
from talentloop.integrations.services.sync import connector_sync, has_something_to_read


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--since: {value!r} is not a day as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Connectors: 'sync' reads the tools' last days (backfill) and the scheduled pulls' files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="read the connectors' tools and store their facts")
        sync.add_argument("--connector", metavar="KEY", help="only this connector (by its key)")
        sync.add_argument("--since", metavar="YYYY-MM-DD", help="the first day to read")

    def handle(self, *args, action: str, **options):
        since = _day(options["since"]) if options.get("since") else None
        key = options.get("connector")
        if key:
            connector = Connector.objects.filter(key=key).first()
            if connector is None:
                raise CommandError(f"No connector with the key {key!r}.")
            connectors = [connector]
        else:
            connectors = []
            for connector in Connector.objects.filter(is_active=True).order_by("key"):
                if has_something_to_read(connector):
                    connectors.append(connector)
                else:
                    self.stdout.write(f"{connector.key}: skipped — its settings name nothing to read.")
        failed = 0
        for connector in connectors:
            try:
                run = connector_sync(actor=None, connector=connector, since=since)
            except DomainError as exc:
                failed += 1
                self.stderr.write(f"{connector.key}: {exc.detail} {' '.join(sum(exc.errors.values(), []))}".strip())
                continue
            line = (f"{connector.key}: {run.status} — fetched {run.fetched}, new {run.new}, changed {run.changed}, "
                    f"unchanged {run.unchanged}, rows with problems {run.error_count} (since {run.since}).")
            if run.status == SyncRun.Status.FAILED:
                failed += 1
                self.stderr.write(f"{line} {run.message}")
            else:
                self.stdout.write(line)
        if not connectors:
            self.stdout.write("No active connector.")
        if failed:
            raise CommandError(f"{failed} of {len(connectors)} connectors failed.", returncode=1)
