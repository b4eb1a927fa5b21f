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
from django.db.models import DateField, DateTimeField, Model


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
    placeholders = ", ".join(["%s"] * len(columns))
    verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
    if vendor != "sqlite":
        verb = "INSERT"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts and vendor != "sqlite" else ""
    sql = f"{verb} INTO {table} ({quoted}) VALUES ({placeholders}){suffix}"
    if vendor == "sqlite":
        # sqlite3's executemany binds row after row in C; only date and datetime columns need
        # Django's text form.
        temporal = [
            index
            for index, name in enumerate(fields)
            if isinstance(meta.get_field(name), (DateField, DateTimeField))
        ]
        if temporal:
            cache: dict[Any, Any] = {}
            rows = (_adapted(row, temporal, cache) for row in rows)
    with connection.cursor() as cursor:
        # Any iterable works (Django peeks at it with itertools.tee).
        cursor.executemany(sql, rows)  # type: ignore[arg-type]


def _adapted(row: Sequence[Any], temporal: list[int], cache: dict[Any, Any]) -> list[Any]:
    # A chunk's timestamps are one value and its dates a few thousand: adapt each once.
    values = list(row)
    for index in temporal:
        value = values[index]
        if value is not None:
            adapted = cache.get(value)
            if adapted is None:
                adapted = cache[value] = _adapt_sqlite(value)
            values[index] = adapted
    return values


def rows_where_in(
    model: type[Model],
    key_field: str,
    value_fields: Sequence[str],
    keys: Sequence[Any],
    *,
    size: int = 2000,
) -> list[tuple[Any, ...]]:
    """``(key, *values)`` of the rows whose ``key_field`` is in ``keys``, without building a
    queryset per lookup.

    PostgreSQL: one statement, ``key = ANY(%s::type[])`` with the keys as one array parameter
    (a list of thousands of placeholders costs psycopg a client-side parse of the query text
    and the server a long parse and plan, per statement). Elsewhere: one ``IN`` per ``size``
    keys (SQLite's limit on bound variables).
    """
    if not keys:
        return []
    meta = model._meta
    key = meta.get_field(key_field)
    quote = connection.ops.quote_name
    selected = ", ".join(
        quote(str(meta.get_field(name).column))  # type: ignore[union-attr]
        for name in (key_field, *value_fields)
    )
    key_column = quote(str(key.column))  # type: ignore[union-attr]
    table = quote(meta.db_table)
    found: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A foreign key's db_type is its target's ("bigint"); a CharField's "varchar(64)".
            array_type = key.db_type(connection)  # type: ignore[union-attr]
            cursor.execute(
                f"SELECT {selected} FROM {table} WHERE {key_column} = ANY(%s::{array_type}[])",  # noqa: S608 - quoted identifiers and the field's own type; values are bound
                [list(keys)],
            )
            return [tuple(row) for row in cursor.fetchall()]
        # SQLite returns a date column as its text: give back dates, as the ORM (and psycopg)
        # would, so callers compare like with like.
        dates = [
            index
            for index, name in enumerate((key_field, *value_fields))
            if type(meta.get_field(name)) is DateField
        ]
        for start in range(0, len(keys), size):
            part = keys[start : start + size]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT {selected} FROM {table} WHERE {key_column} IN ({marks})",  # noqa: S608 - quoted identifiers; values are bound
                list(part),
            )
            for row in cursor.fetchall():
                if dates:
                    row = list(row)
                    for index in dates:
                        if isinstance(row[index], str):
                            row[index] = date.fromisoformat(row[index])
                found.append(tuple(row))
    return found


def pairs_where_in(
    model: type[Model], key_field: str, value_field: str, keys: Sequence[Any], *, size: int = 2000
) -> dict[Any, Any]:
    """``{key: value}`` for rows whose ``key_field`` is in ``keys`` (see ``rows_where_in``)."""
    return dict(rows_where_in(model, key_field, (value_field,), keys, size=size))  # type: ignore[arg-type]


def model_rows_insert(model: type[Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows given as ``{field name: value}``; every other concrete column gets the
    model field's default (``auto_now``/``auto_now_add`` the current time), so a wide model
    such as a registration can be written by ``COPY`` without naming all its columns."""
    from django.db.models import JSONField
    from django.utils import timezone

    now = timezone.now()
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    names = [field.attname for field in fields]
    defaults: list[Any] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults.append(now)
        else:
            defaults.append(field.get_default())
    json_positions = {i for i, field in enumerate(fields) if isinstance(field, JSONField)}

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        out = [row.get(name, defaults[i]) for i, name in enumerate(names)]
        for i in json_positions:
            out[i] = json_text(out[i])
        return tuple(out)

    rows_insert(model, [field.name for field in fields], (values(row) for row in rows))
