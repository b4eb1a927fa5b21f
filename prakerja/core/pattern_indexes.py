"""PostgreSQL's second index on a text column that Django adds for ``LIKE 'abc%'`` lookups.

For a ``CharField`` (or a foreign key to one) with ``unique=True`` or ``db_index=True``,
Django's PostgreSQL schema editor creates two indexes: the one equality lookups use, and a
``varchar_pattern_ops`` one (named ``…_like``) that serves only prefix ``LIKE`` queries under a
non-C collation. On columns that are never searched by prefix (blind indexes of NIK and KK,
generated usernames, phone numbers, registration references, session keys; the demo commands'
``username__startswith`` reads a demo-sized table) the second index is
pure cost: every new row writes it too, at a random place in a large tree, which at a million
rows is a page read and a full-page image in the WAL per insert (issue 17).

``operation(table, columns)`` is the migration's ``RunPython`` of the pair ``drop`` and
``create``: the indexes are not in Django's
migration state, so dropping them changes no model. Nothing happens on other databases. In a
non-atomic migration (``atomic = False``) they run ``CONCURRENTLY``: no lock that stops the
tables' writes while an index is dropped or built on a million rows; inside a transaction
(a test) the plain forms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.db import migrations

Operation = Callable[[Any, Any], None]


def _pattern_indexes(cursor: Any, table: str, columns: Sequence[str]) -> list[str]:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() AND tablename = %s",
        [table],
    )
    found = []
    for name, definition in cursor.fetchall():
        match = re.search(r"\((\w+) varchar_pattern_ops\)$", definition)
        if match and match.group(1) in columns:
            found.append(name)
    return found


def drop(table: str, columns: Sequence[str]) -> Operation:
    def run(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        concurrently = "" if connection.in_atomic_block else "CONCURRENTLY "
        with connection.cursor() as cursor:
            for name in _pattern_indexes(cursor, table, columns):
                schema_editor.execute(
                    f"DROP INDEX {concurrently}IF EXISTS {schema_editor.quote_name(name)}"
                )

    return run


def create(table: str, columns: Sequence[str]) -> Operation:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        concurrently = "" if schema_editor.connection.in_atomic_block else "CONCURRENTLY "
        for column in columns:
            name = schema_editor._create_index_name(table, [column], suffix="_like")
            schema_editor.execute(
                f"CREATE INDEX {concurrently}IF NOT EXISTS {schema_editor.quote_name(name)} ON "
                f"{schema_editor.quote_name(table)} "
                f"({schema_editor.quote_name(column)} varchar_pattern_ops)"
            )

    return run


def operation(table: str, columns: Sequence[str]) -> Any:
    """The migration operation: ``drop`` forwards, ``create`` backwards."""
    return migrations.RunPython(drop(table, columns), create(table, columns))
