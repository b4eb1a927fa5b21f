"""Fast inserts of many rows: PostgreSQL ``COPY``, or multi-row ``INSERT`` statements.

``bulk_create`` spends most of its time building model instances and compiling each value
(most of an import's time: ``bench/README.md``); the rows here are plain tuples already in
column order, so they go to the database as they are. Only for tables of this app and for
``identity.Person`` rows whose values the caller has prepared (encrypted NIK, blind index).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import DateField, DateTimeField, Model


def _adapt_sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@contextmanager
def _pg_binary_cursor() -> Iterator[Any]:
    """A psycopg cursor on Django's connection (same transaction) with server-side binding, for
    statements whose parameters are arrays of thousands of values: sent in binary (``%b``),
    an array is adapted far faster than as a quoted literal through Django's
    client-side-binding cursor (``bench/README.md``)."""
    import psycopg

    with connection.cursor() as wrapper, psycopg.Cursor(wrapper.cursor.connection) as cursor:
        yield cursor


def _copy(table: str, quoted: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY straight into the table."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3: COPY is on the driver's cursor
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def rows_insert(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table: ``COPY`` on
    PostgreSQL, ``executemany`` elsewhere. For rows that may already exist (insert-or-ignore)
    see ``rows_insert_new``."""
    meta = model._meta
    columns = [str(meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(meta.db_table)
    vendor = connection.vendor
    if vendor == "postgresql":
        _copy(table, quoted, rows)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - quoted identifiers; values are bound
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


def rows_insert_new(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key_field: str,
    size: int = 500,
) -> dict[Any, int]:
    """Insert-or-ignore ``rows`` (tuples in the order of ``fields``, ``key_field`` among them)
    and return ``{key: id}`` of the rows this call inserted, in one statement.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING``: a row that hits a unique constraint (the
    same key inserted meanwhile by another transaction) is skipped and not returned; the
    caller reads those back by key. PostgreSQL gets the rows as one array per column through
    ``unnest`` (one statement, a handful of parameters); SQLite (3.35+) multi-row ``VALUES``
    of ``size`` rows.
    """
    if not rows:
        return {}
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    quoted = ", ".join(quote(str(field.column)) for field in model_fields)  # type: ignore[union-attr]
    table = quote(meta.db_table)
    key_column = quote(str(meta.get_field(key_field).column))  # type: ignore[union-attr]
    id_column = quote(str(meta.pk.column))  # type: ignore[union-attr]
    suffix = f"ON CONFLICT DO NOTHING RETURNING {key_column}, {id_column}"
    inserted: dict[Any, int] = {}
    if connection.vendor == "postgresql":
        arrays = ", ".join(
            f"%b::{field.db_type(connection)}[]"  # type: ignore[union-attr]
            for field in model_fields
        )
        columns = [list(column) for column in zip(*rows, strict=True)]
        with _pg_binary_cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) SELECT * FROM unnest({arrays}) {suffix}",  # noqa: S608 - quoted identifiers and the fields' own types; values are bound
                columns,
            )
            inserted.update(cursor.fetchall())
        return inserted
    with connection.cursor() as cursor:
        temporal = [
            index
            for index, field in enumerate(model_fields)
            if isinstance(field, (DateField, DateTimeField))
        ]
        cache: dict[Any, Any] = {}
        row_marks = "(" + ", ".join(["%s"] * len(model_fields)) + ")"
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            params: list[Any] = []
            for row in part:
                params.extend(_adapted(row, temporal, cache) if temporal else row)
            marks = ", ".join([row_marks] * len(part))
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES {marks} {suffix}",  # noqa: S608 - quoted identifiers; values are bound
                params,
            )
            inserted.update(cursor.fetchall())
    return inserted


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
    if connection.vendor == "postgresql":
        # A foreign key's db_type is its target's ("bigint"); a CharField's "varchar(64)".
        array_type = key.db_type(connection)  # type: ignore[union-attr]
        with _pg_binary_cursor() as cursor:
            cursor.execute(
                f"SELECT {selected} FROM {table} WHERE {key_column} = ANY(%b::{array_type}[])",  # noqa: S608 - quoted identifiers and the field's own type; values are bound
                [list(keys)],
            )
            return [tuple(row) for row in cursor.fetchall()]
    with connection.cursor() as cursor:
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
