"""No prefix-LIKE ("_like") index on the columns written at every registration: lookups by
equality still use an index, and the migrations' operations drop and restore them."""

from __future__ import annotations

import pytest
from django.db import connection

from prakerja.core import pattern_indexes

COLUMNS = {
    "identity_person": ("nik_index", "kk_index"),
    "accounts_user": ("username", "phone", "regency_id"),
    "registry_registration": ("reference",),
    "django_session": ("session_key",),
}

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _pattern_index_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        names = pattern_indexes._pattern_indexes(cursor, table, COLUMNS[table])
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        definitions = dict(cursor.fetchall())
    return {definitions[name].rsplit("(", 1)[1].split()[0] for name in names}


@pytest.mark.parametrize("table", sorted(COLUMNS))
def test_the_columns_have_no_prefix_like_index(table: str) -> None:
    assert _pattern_index_columns(table) == set()


@pytest.mark.parametrize(
    ("table", "column"), [(t, c) for t, columns in sorted(COLUMNS.items()) for c in columns]
)
def test_an_equality_lookup_still_uses_an_index(table: str, column: str) -> None:
    with connection.cursor() as cursor:
        # A tiny table is cheapest to scan; forbid that to see whether an index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f'EXPLAIN SELECT 1 FROM "{table}" WHERE "{column}" = %s', ["x"])  # noqa: S608
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Found through the index, not a full scan of one that merely holds the column.
    assert "Index Cond" in plan and column in plan.split("Index Cond", 1)[1], plan


def test_the_migration_operations_restore_and_drop_them() -> None:
    table, columns = "identity_person", COLUMNS["identity_person"]
    with connection.schema_editor(atomic=False) as editor:
        pattern_indexes.create(table, columns)(None, editor)
    assert _pattern_index_columns(table) == set(columns)
    with connection.schema_editor(atomic=False) as editor:
        pattern_indexes.drop(table, columns)(None, editor)
    assert _pattern_index_columns(table) == set()
