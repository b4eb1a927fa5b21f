"""Fast inserts of many rows: PostgreSQL ``COPY``, or multi-row ``INSERT`` statements.

``bulk_create`` spends most of its time building model instances and compiling each value
(about 60% of an import's time at 100,000 rows); the rows here are plain tuples already in
column order, so they go to the database as they are. Only for tables of this app and for
``identity.Person`` rows whose values the caller has prepared (encrypted NIK, blind index).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

# SQLite allows 32,766 bound parameters per statement; stay well below for every backend.
MAX_PARAMETERS = 30_000


def _adapt_sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _copy(
    table: str, quoted: str, rows: Iterable[Sequence[Any]], *, ignore_conflicts: bool
) -> None:
    """COPY straight into the table, or — to skip rows that hit a unique constraint — into a
    temporary copy of it, then ``INSERT … SELECT … ON CONFLICT DO NOTHING``."""
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3: COPY is on the driver's cursor
        target = table
        if ignore_conflicts:
            target = connection.ops.quote_name("labourdata_stage")
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {target} AS SELECT {quoted} FROM {table} WITH NO DATA"  # noqa: S608 - quoted identifiers from model meta; values are bound
            )
        with raw.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if ignore_conflicts:
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {target} "  # noqa: S608 - quoted identifiers from model meta; values are bound
                "ON CONFLICT DO NOTHING"
            )
            cursor.execute(f"DROP TABLE {target}")


def rows_insert(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table.

    ``ignore_conflicts`` skips rows that hit a unique constraint (insert-or-ignore); the caller
    reads back what it needs by its natural key.
    """
    meta = model._meta
    columns = [str(meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(meta.db_table)
    vendor = connection.vendor
    if vendor == "postgresql":
        _copy(table, quoted, rows, ignore_conflicts=ignore_conflicts)
        return
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    adapt = _adapt_sqlite if vendor == "sqlite" else (lambda value: value)
    batch: list[Any] = []
    count = 0

    def flush() -> None:
        sql = f"INSERT INTO {table} ({quoted}) VALUES " + ", ".join([placeholder] * count) + suffix  # noqa: S608 - quoted identifiers from model meta; values are bound
        with connection.cursor() as cursor:
            cursor.execute(sql, batch)

    for row in rows:
        batch.extend(adapt(value) for value in row)
        count += 1
        if count == per_statement:
            flush()
            batch = []
            count = 0
    if count:
        flush()
