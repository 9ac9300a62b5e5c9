"""Raw rows the benchmarks seed with (``core.db.insert_rows``: COPY on PostgreSQL), and the frame that
runs one benchmark on a database of its own."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path


def insert_people(*, unit, family, count: int, prefix: str, label: str, hire_date: dt.date,
                  sensitive: bool = False) -> list[int]:
    """``count`` employees of ``unit`` with the model's own defaults; answers their ids in order. With
    ``sensitive`` each has a national ID and a bank account, encrypted for their row as the product does."""
    from django.db import connection

    from talentloop.core import crypto
    from talentloop.core.db import insert_rows
    from talentloop.organisation.models import Employee

    table = Employee._meta.db_table

    def sealed(column: str, value: str, uid: uuid.UUID) -> str:
        return crypto.encrypt(value, crypto.aad_for(table, column, uid)) if sensitive else ""

    now = dt.datetime.now(dt.UTC)
    fields = [f for f in Employee._meta.concrete_fields if not f.primary_key]
    values = {"created_at": now, "updated_at": now, "hire_date": hire_date, "level": 3, "manager_path": "/",
              "status": "active", "org_unit_id": unit.pk, "job_family_id": family.pk}
    before = set(Employee.objects.filter(org_unit=unit).values_list("pk", flat=True))

    def people() -> Iterator[tuple]:
        for i in range(count):
            number = f"{prefix}{i:07d}"
            uid = uuid.uuid4()
            row = {**values, "employee_number": number, "name": f"{label}{i}", "name_en": f"Bench {i}",
                   "search_key": number.lower(), "row_uid": uid}
            secrets = {"national_id": sealed("national_id", f"31010119900101{i % 10000:04d}", uid),
                       "bank_account": sealed("bank_account", f"6222{i:015d}", uid)}
            out = []
            for f in fields:
                if f.name in secrets:
                    out.append(secrets[f.name])
                    continue
                value = row[f.name] if f.name in row else row.get(f.attname, f.get_default())
                if value is None and not f.null:
                    value = ""
                out.append(f.get_db_prep_save(value, connection))
            yield tuple(out)

    insert_rows(Employee, [f.column for f in fields], people())
    ids = [pk for pk in Employee.objects.filter(org_unit=unit).order_by("pk").values_list("pk", flat=True)
           if pk not in before]
    assert len(ids) == count
    return ids


def engine() -> tuple[str, str]:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return "sqlite", sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return "postgresql", cursor.fetchone()[0]


def standalone(*, name: str, prog: str, scales: dict, run: Callable, argv: list[str] | None) -> int:
    """Run one benchmark on a database of its own (as ``tests.bench.run`` prepares it) and write
    ``<name>-<engine>[-<scale>].json`` under ``--out``."""
    from tests.bench import run as harness

    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--scale", choices=sorted(scales), default="full")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="talentloop-bench-"))
    env = harness._prepare_environment(workdir)
    os.environ.update(env)
    try:
        harness._talentloop(env, "migrate", "--no-input", "-v", "0")
        import django

        django.setup()
        from django.db import connection

        vendor, version = engine()
        print(f"{name} benchmark on {vendor} {version}…")
        report, ok = run(env=env, scale=args.scale, workdir=workdir, talentloop=harness._talentloop,
                         common=harness._common(vendor, version))
        connection.close()
    finally:
        if env.get("DATABASE_URL"):
            from django.db import connections

            connections.close_all()
            url, db = harness._pg_target(env["DATABASE_URL"])
            harness._pg_admin(url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{name}-{vendor}{'' if args.scale == 'full' else '-' + args.scale}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"Results written to {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit("run a benchmark module, not this one")
