"""Table names, literals and the few dialect differences of the payments app's set-based SQL,
taken from the models (as ``waves.sqlnames`` does)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def literal(value: str) -> str:
    """An enum value of a model as an SQL literal (values are fixed identifiers, no quotes)."""
    assert value.replace("_", "").isalnum(), value
    return f"'{value}'"


def db_time(value: datetime) -> Any:
    """A timestamp as the ORM stores it (on SQLite: naive UTC text), for raw SQL parameters:
    the rows then compare, sort and truncate like the ORM's own."""
    return connection.ops.adapt_datetimefield_value(value)


def local_date(column: str) -> str:
    """The calendar date in Indonesia's western time (UTC+7) of a timestamp column."""
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE 'Asia/Jakarta')::date"
    return f"date({column}, '+7 hours')"


def date_plus_days(date_sql: str, days_sql: str) -> str:
    if connection.vendor == "postgresql":
        return f"({date_sql} + ({days_sql}))"
    return f"date({date_sql}, '+' || ({days_sql}) || ' days')"


def numbers(count: int) -> str:
    """A one-column table ``n`` of 1..count, in SQL both databases read."""
    return " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, count + 1))
