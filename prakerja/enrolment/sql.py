"""What the enrolment app's hand-written SQL takes from the models, and its one SQL helper.

Table and column names come from ``Model._meta`` and statuses from the models' choices (as
``waves.sqlnames`` and ``core.rowsql`` do), so a renamed table or value cannot leave a stale
copy behind. Only enum values of the code are inlined (``literal``), never input.

``conditional_update`` is the race-safe counter of this app: ``UPDATE … WHERE id = %s AND
<condition>`` (``seats_taken < seats``, ``balance >= price``) with the simple-history row of
the change in the same statement on PostgreSQL (``WITH w AS (UPDATE … RETURNING …) INSERT
INTO …history SELECT … FROM w``, built by ``core.rowsql.with_history_sql`` as for every other
such write), two on SQLite. No lock is taken before the update: the
condition is re-checked by the database on the row it locks, so two requests competing for
the last seat cannot both win, and requests for different rows never wait on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from prakerja.core.history import history_user_id
from prakerja.core.rowsql import with_history_sql
from prakerja.enrolment.models import (
    Enrolment,
    LedgerEntry,
    Notice,
    Participant,
    Promotion,
    TrainingSettings,
)
from prakerja.training.models import Course, CourseBatch, Provider
from prakerja.waves.models import JoinBlock, SelectionRun, Wave
from prakerja.waves.sqlnames import ENTRY_TABLE, REGISTRATION_TABLE, RESULT_TABLE, literal

__all__ = [
    "BATCH_TABLE",
    "COURSE_TABLE",
    "ENROLMENT_TABLE",
    "ENTRY_TABLE",
    "JOIN_BLOCK_TABLE",
    "LEDGER_TABLE",
    "NOTICE_TABLE",
    "PARTICIPANT_TABLE",
    "PROMOTION_TABLE",
    "PROVIDER_TABLE",
    "REGISTRATION_TABLE",
    "RESULT_TABLE",
    "RUN_TABLE",
    "SETTINGS_TABLE",
    "WAVE_TABLE",
    "conditional_update",
    "db_datetime",
    "literal",
]

PARTICIPANT_TABLE = Participant._meta.db_table
LEDGER_TABLE = LedgerEntry._meta.db_table
ENROLMENT_TABLE = Enrolment._meta.db_table
PROMOTION_TABLE = Promotion._meta.db_table
NOTICE_TABLE = Notice._meta.db_table
SETTINGS_TABLE = TrainingSettings._meta.db_table
BATCH_TABLE = CourseBatch._meta.db_table
COURSE_TABLE = Course._meta.db_table
PROVIDER_TABLE = Provider._meta.db_table
JOIN_BLOCK_TABLE = JoinBlock._meta.db_table
RUN_TABLE = SelectionRun._meta.db_table
WAVE_TABLE = Wave._meta.db_table

_statements: dict[tuple[type[Model], str, str, str], tuple[str, str]] = {}


def db_datetime(value: datetime) -> Any:
    """``value`` as the ORM stores it (SQLite keeps text), so that rows written by raw SQL
    are found again by ORM filters on that value."""
    return connection.ops.adapt_datetimefield_value(value)


def _quote(name: str | None) -> str:
    assert name is not None
    return connection.ops.quote_name(name)


def _statements_for(model: type[Model], assignments: str, condition: str) -> tuple[str, str]:
    key = (model, assignments, condition, connection.vendor)
    cached = _statements.get(key)
    if cached is not None:
        return cached
    meta = model._meta
    pk = _quote(meta.pk.column)  # type: ignore[union-attr]
    update = f"UPDATE {_quote(meta.db_table)} SET {assignments} WHERE {pk} = %s AND ({condition})"  # noqa: S608
    # The history row copied from the row as updated, as ``core.rowsql`` writes it.
    sql = with_history_sql(model, update, connection.vendor, returning_key=False)
    main, _, second = sql.partition(";\n")
    _statements[key] = (main, second)
    return main, second


def conditional_update(
    model: type[Model],
    *,
    pk: int,
    assignments: str,
    assignment_params: Sequence[Any] = (),
    condition: str,
    condition_params: Sequence[Any] = (),
    actor: Any | None,
    reason: str,
    now: datetime | None = None,
) -> bool:
    """``UPDATE <model> SET <assignments> WHERE pk = %s AND (<condition>)`` plus the row's
    ``"~"`` history row (acting user, reason) if it changed. Returns whether it changed.

    ``assignments`` and ``condition`` are SQL over the model's own columns with ``%s``
    placeholders, written by this app from ``_meta`` names, never from input. Inside the
    caller's transaction.
    """
    main, second = _statements_for(model, assignments, condition)
    history_meta = model.history.model._meta  # type: ignore[attr-defined]
    history_date = history_meta.get_field("history_date").get_db_prep_save(
        now or timezone.now(), connection
    )
    extra = [history_date, reason, "~", history_user_id(actor)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(main, [*assignment_params, pk, *condition_params, *extra])
            return bool(cursor.rowcount)
        cursor.execute(main, [*assignment_params, pk, *condition_params])
        if not cursor.rowcount:
            return False
        cursor.execute(second, [*extra, pk])
        return True
