"""The one way the payments ledger is written: ``movements_insert`` copies a set of
instalments (or batch lines) into ``PaymentMovement`` rows in one statement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from prakerja.core.history import history_user_id
from prakerja.payments.models import Instalment, PaymentLine, PaymentMovement
from prakerja.payments.sql import db_time, literal, table

Bucket = PaymentMovement.Bucket
Kind = PaymentMovement.Kind

# Which buckets each kind of movement moves money between.
MOVES: dict[str, tuple[str, str]] = {
    Kind.DUE: (Bucket.ENTITLEMENT, Bucket.DUE),
    Kind.BATCHED: (Bucket.DUE, Bucket.IN_BATCH),
    Kind.PAID: (Bucket.IN_BATCH, Bucket.PAID),
    Kind.FAILED: (Bucket.IN_BATCH, Bucket.DUE),
    Kind.RETURNED: (Bucket.IN_BATCH, Bucket.DUE),
}

_COLUMNS = (
    "participant_id, instalment_id, line_id, result_import_id, regency_id, kind, source, "
    "target, amount, reason, created_at, created_by_id"
)


def movements_from_instalments(
    *, kind: str, where: str, params: list[Any], actor: Any | None, now: datetime
) -> int:
    """One movement per instalment ``i`` matching ``where`` (SQL on alias ``i``)."""
    source, target = MOVES[kind]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table(PaymentMovement)} ({_COLUMNS})
            SELECT i.participant_id, i.id, NULL, NULL, i.regency_id, {literal(kind)},
                   {literal(source)}, {literal(target)}, i.amount, '', %s, %s
            FROM {table(Instalment)} i WHERE {where}
            """,  # noqa: S608 - table names and enum values of the models only
            [db_time(now), history_user_id(actor), *params],
        )
        return int(cursor.rowcount)


def movements_from_lines(
    *,
    kind: str,
    where: str,
    params: list[Any],
    actor: Any | None,
    now: datetime,
    result_import_id: int | None = None,
) -> int:
    """One movement per batch line ``l`` matching ``where`` (SQL on aliases ``l``, ``i``),
    with the line's reason."""
    source, target = MOVES[kind]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table(PaymentMovement)} ({_COLUMNS})
            SELECT l.participant_id, l.instalment_id, l.id, %s, i.regency_id, {literal(kind)},
                   {literal(source)}, {literal(target)}, l.amount, l.reason, %s, %s
            FROM {table(PaymentLine)} l
            JOIN {table(Instalment)} i ON i.id = l.instalment_id
            WHERE {where}
            """,  # noqa: S608 - table names and enum values of the models only
            [result_import_id, db_time(now), history_user_id(actor), *params],
        )
        return int(cursor.rowcount)
