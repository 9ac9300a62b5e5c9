"""The two raw write paths the benchmarks justify, behind one function each.

Everything else writes through the ORM (``bulk_create``, with ``update_conflicts`` for upserts).
These two exist because building a model instance and compiling every value is most of the cost of
a large batch: on the 2-core reference machine, upserting 20,000 score rows took 6.1 s through
``bulk_create(update_conflicts=True)`` and 0.9 s as prepared rows on SQLite (10.9 s and 3.8 s on
PostgreSQL), and the scoring benchmark's targets (10,000 people in 1.5 s, 100,000 in 15 s) leave no
room for the difference. Rows are tuples of values already adapted for the database
(``connection.ops.adapt_*``), in the order of ``columns`` (database column names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models

BATCH = 2000


def _names(model: type[models.Model], columns: Sequence[str]) -> tuple[str, str]:
    qn = connection.ops.quote_name
    return qn(model._meta.db_table), ", ".join(qn(c) for c in columns)


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert many rows: COPY on PostgreSQL (rows are streamed, so a generator may compute them while
    the server stores the ones before), prepared INSERTs in batches elsewhere. Returns the number
    of rows. Runs in the caller's transaction; the driver's errors (a unique violation) arrive as
    the driver raises them for COPY."""
    table, names = _names(model, columns)
    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - quoted names, values bound
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def upsert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple],
                unique: Sequence[str]) -> int:
    """Insert many rows, updating the other columns of a row whose ``unique`` columns already exist
    (``INSERT … ON CONFLICT (unique) DO UPDATE``, the same statement on SQLite and PostgreSQL).
    ``unique`` must name a unique constraint without a condition, and no two rows may share its
    values. Returns the number of rows.

    On PostgreSQL each batch is one statement whose values arrive as one array per column
    (``unnest``): the 1,500 recompute marks of an ingest batch, commit included, took 122 ms as
    single statements in a pipeline, 98 ms through ``bulk_create`` and 41 ms this way."""
    qn = connection.ops.quote_name
    table, names = _names(model, columns)
    updates = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in columns if c not in unique)
    conflict = f"ON CONFLICT ({', '.join(qn(c) for c in unique)}) DO UPDATE SET {updates}"
    postgres = connection.vendor == "postgresql"
    if postgres:
        by_column = {field.column: field for field in model._meta.concrete_fields}
        arrays = ", ".join(f"%s::{by_column[c].db_type(connection)}[]" for c in columns)
        sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {conflict}"  # noqa: S608 - quoted names and the model's own column types, values bound
    else:
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))}) {conflict}"  # noqa: S608 - quoted names, values bound
    count = 0
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            if postgres:
                cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])
            else:
                cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _batches(rows: Iterable[tuple]) -> Iterable[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
