"""The one way to write simple-history rows for writes that touch many rows at once.

A single object goes through ``save()`` (simple-history's ``post_save``, the actor and reason
set by ``core.audit.audit_as``) or, on the surge path, ``core.rowsql.update_with_history``.
A set-based write (``INSERT … SELECT``, ``QuerySet.update``, a bulk insert by id) sends no
signals, so it writes its history here: one ``INSERT INTO …history SELECT …`` from the rows
themselves, whatever their number, with the acting user and a reason on every row. The
history row equals what ``post_save`` would have written for each object.

* ``history_bulk_insert``: the history rows of rows already written (``"+"`` after an insert);
* ``history_bulk_update``: ``queryset.update(**values)`` plus its ``"~"`` rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Field, Model, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from simple_history.models import HistoricalRecords

HISTORY_EXTRA_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")
# Primary keys per statement when rows are given by id (not PostgreSQL, where they are one
# array): under SQLite's bound-variable limit.
_IDS_PER_STATEMENT = 5000


def history_tracked_fields(model: type[Model]) -> list[Field[Any, Any]]:
    """The model's concrete fields that its history table copies (``excluded_fields`` left
    out, as simple-history does)."""
    history_meta = model.history.model._meta  # type: ignore[attr-defined]
    history_columns = {field.column for field in history_meta.concrete_fields}
    return [field for field in model._meta.concrete_fields if field.column in history_columns]


def history_user_id(actor: Any | None) -> Any | None:
    """The ``history_user`` of a row written by ``actor`` (none for the system or anonymous),
    as ``core.audit.audit_as`` sets it. A bare user id is taken as it is: a job that knows
    only the acting user's id (an import batch's ``uploaded_by_id``) need not load the user."""
    if isinstance(actor, int) and not isinstance(actor, bool):
        return actor
    return getattr(actor, "pk", None)


def history_user_of(instance: Model) -> Any | None:
    """The ``history_user`` of a row written from one ``instance``, as simple-history's
    ``get_history_user`` picks it: the instance's ``_history_user`` when set (``audit_as``, even
    to nobody), else the signed-in user of the request being served (its middleware)."""
    try:
        return history_user_id(instance._history_user)  # type: ignore[attr-defined]
    except AttributeError:
        pass
    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return history_user_id(user) if getattr(user, "is_authenticated", False) else None


def history_bulk_insert(
    model: type[Model],
    rows: QuerySet[Any] | Sequence[Any],
    *,
    actor: Any | None,
    reason: str,
    history_type: str = "+",
    history_date: datetime | None = None,
    values: Mapping[str, Any] | None = None,
) -> int:
    """Write one history row per row of ``rows`` (a queryset of ``model``, or primary keys),
    copied from the table in the database, with ``actor`` as ``history_user``, ``reason`` as
    the change reason and ``history_type`` ("+" created, "~" changed, "-" deleted).

    ``values`` (field name → plain value) replaces columns in the copy: the rows as they will
    be after ``update(**values)`` (see ``history_bulk_update``). One statement for a queryset,
    and for primary keys on PostgreSQL; elsewhere one per 5,000 keys. Returns the number of
    history rows written. Inside the caller's transaction; the caller holds whatever lock
    keeps ``rows`` stable.
    """
    if isinstance(rows, QuerySet):
        return _insert_from(model, rows, actor, reason, history_type, history_date, values)
    ids = list(rows)
    if not ids:
        return 0
    manager = model._default_manager
    connection = connections[manager.db]
    if connection.vendor == "postgresql":
        # The keys as one array parameter: an ``IN`` list is compiled placeholder by
        # placeholder, which costs the app far more CPU than the statement (bench/README.md).
        quote = connection.ops.quote_name
        column = f"{quote(model._meta.db_table)}.{quote(str(model._meta.pk.column))}"
        same = RawSQL(  # noqa: S611 - the model's own table and key names, quoted; keys bound
            f"{column} = ANY(%s)", (ids,), output_field=BooleanField()
        )
        part = manager.filter(same)
        return _insert_from(model, part, actor, reason, history_type, history_date, values)
    written = 0
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        part = manager.filter(pk__in=ids[start : start + _IDS_PER_STATEMENT])
        written += _insert_from(model, part, actor, reason, history_type, history_date, values)
    return written


def history_bulk_update(
    queryset: QuerySet[Any], *, actor: Any | None, reason: str, **values: Any
) -> int:
    """``queryset.update(**values)`` with the ``"~"`` history row of every row it changes,
    in two statements whatever the number of rows.

    The history rows are written first, from the rows as selected by ``queryset`` with
    ``values`` applied, so they name exactly the rows the update then changes (a row the
    update moves out of the queryset's filter would be lost afterwards). ``values`` are plain
    values: no ``F()`` expressions, and ``auto_now`` fields are not touched (as ``update``).
    """
    history_bulk_insert(
        queryset.model, queryset, actor=actor, reason=reason, history_type="~", values=values
    )
    return queryset.update(**values)


def _insert_from(
    model: type[Model],
    queryset: QuerySet[Any],
    actor: Any | None,
    reason: str,
    history_type: str,
    history_date: datetime | None,
    values: Mapping[str, Any] | None,
) -> int:
    assert queryset.model is model, f"{queryset.model} is not {model}"
    overrides = dict(values or {})
    meta = model._meta
    history = model.history.model  # type: ignore[attr-defined]
    history_meta = history._meta
    fields = history_tracked_fields(model)
    copied = [field for field in fields if field.name not in overrides]
    replaced = [field for field in fields if field.name in overrides]
    unknown = set(overrides) - {field.name for field in replaced}
    assert not unknown, f"history of {meta.label} has no {sorted(unknown)}"
    # Fields first, then the annotations in this order: the ORM compiles a values() query so.
    annotations: dict[str, Any] = {}
    for index, field in enumerate(replaced):
        value = overrides[field.name]
        assert not hasattr(value, "resolve_expression"), "plain values only"
        annotations[f"_history_value_{index}"] = Value(value, output_field=field)
    extra = [
        (history_date or timezone.now(), history_meta.get_field("history_date")),
        (reason, history_meta.get_field("history_change_reason")),
        (history_type, history_meta.get_field("history_type")),
        (history_user_id(actor), history_meta.get_field("history_user")),
    ]
    for index, (value, field) in enumerate(extra):
        annotations[f"_history_extra_{index}"] = Value(value, output_field=field)
    select = queryset.order_by().values(*(field.attname for field in copied), **annotations)
    connection = connections[queryset.db]
    sql, params = select.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(str(column))
        for column in [
            *(field.column for field in copied),
            *(field.column for field in replaced),
            *HISTORY_EXTRA_COLUMNS,
        ]
    )
    statement = f"INSERT INTO {quote(history_meta.db_table)} ({columns}) {sql}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)
