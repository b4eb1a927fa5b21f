"""Hand-written SQL for the few statements every surge request runs, with the ORM's semantics.

Building and compiling an ORM query costs more CPU than PostgreSQL spends answering it
(bench/README.md, "CPU per submission"). The final submission of a registration runs at the
peak of a registration surge, so its two heaviest ORM steps have a plain-SQL form here, built
once per model from ``_meta`` and producing exactly what the ORM would:

* ``RowLoader``: model instances (and one joined related object, as ``select_related`` does)
  from a hand-written ``SELECT`` (its text from ``RowLoader.select``), with the same database
  converters the ORM applies;
* ``update_with_history``: ``save(update_fields=…)`` of some fields plus the simple-history row
  that ``post_save`` would write, the history row copied from the updated row in the
  database (``INSERT … SELECT``; on PostgreSQL one statement with the ``UPDATE`` in a CTE).
  The single-row form of ``core.history``'s set-based writes: same columns, same actor rule.
* ``insert_with_history``: ``save()`` of a new row plus its "+" history row, or nothing (False)
  when a unique constraint already holds the row: ``INSERT … ON CONFLICT DO NOTHING``, so the
  caller needs no savepoint to survive a race (a new person's NIK, a new draft, a new
  applicant's account).
* ``insert_rows``: ``bulk_create`` of plain rows (no history, no receivers), also its
  ``update_conflicts`` form: the sign-in code's outbox message, a page of test answers;
  ``update_by_key``, the ``UPDATE`` of such a row by its key: a session, an idempotency claim.

Everything else keeps using the ORM.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignKey, Model
from django.dispatch import Signal
from django.utils import timezone

from prakerja.core.history import HISTORY_EXTRA_COLUMNS, history_tracked_fields, history_user_of

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]
# Per column: the converters and the expression they are given, as the ORM's compiler does.
Conversion = tuple[list[Converter], Any]

_lock = threading.Lock()


class RowLoader:
    """Loads ``model`` rows, optionally with one forward foreign key's object joined.

    ``columns(alias)`` is the select list for the model's table under ``alias``; rows from a
    statement that selects ``columns("r")`` then (when ``related`` is given) the related
    model's ``columns`` are turned into instances by ``load``. ``select`` writes the whole
    statement of that shape and ``first`` runs it. Converters are looked up per database
    vendor, once.
    """

    def __init__(self, model: type[Model], related: str | None = None) -> None:
        self.model = model
        self.fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        self.related = related
        self.related_model: type[Model] | None = None
        self.related_fields: list[Field[Any, Any]] = []
        if related is not None:
            remote = model._meta.get_field(related).related_model
            assert isinstance(remote, type) and issubclass(remote, Model)
            self.related_model = remote
            self.related_fields = list(remote._meta.concrete_fields)
        self._converters: dict[str, tuple[list[Conversion], list[Conversion]]] = {}
        self._columns: dict[tuple[str, str | None], str] = {}
        self._selects: dict[tuple[str, str, str | None, str, int | None, bool, str], str] = {}

    def columns(self, alias: str, *, related_alias: str | None = None) -> str:
        key = (alias, related_alias)
        found = self._columns.get(key)
        if found is None:
            quoted = [f"{alias}.{_quote(field.column)}" for field in self.fields]
            if related_alias is not None:
                quoted += [
                    f"{related_alias}.{_quote(field.column)}" for field in self.related_fields
                ]
            found = self._columns[key] = ", ".join(quoted)
        return found

    def select(
        self,
        alias: str,
        where: str,
        *,
        related_alias: str | None = None,
        order: str = "",
        limit: int | None = None,
        for_update: bool = False,
        using: str = "default",
    ) -> str:
        """The statement ``load`` and ``first`` read: ``SELECT <columns> FROM <table> <alias>
        [JOIN <related table> <related_alias> ON …] WHERE <where> [ORDER BY <order>]
        [LIMIT <limit>] [lock]``.

        ``related_alias`` (required exactly when the loader has ``related``) joins the related
        model as ``select_related`` does: ``LEFT JOIN`` when the foreign key is nullable,
        ``INNER JOIN`` otherwise. ``for_update`` locks as ``select_for_update`` does where the
        database can: with the join only this model's row (``FOR UPDATE OF <alias>``, as
        ``of=("self",)``; nothing where that form is missing), without it ``FOR UPDATE``.
        ``where`` and ``order`` are SQL written by the caller (``%s`` for its parameters),
        never values. Built once per call shape and database vendor.
        """
        assert alias.isidentifier() and (related_alias is None or related_alias.isidentifier())
        if (related_alias is None) != (self.related is None):
            raise ValueError("related_alias is given exactly when the loader has related")
        vendor = connections[using].vendor
        key = (alias, where, related_alias, order, limit, for_update, vendor)
        found = self._selects.get(key)
        if found is None:
            found = self._select_sql(alias, where, related_alias, order, limit, for_update, using)
            with _lock:
                self._selects[key] = found
        return found

    def _select_sql(
        self,
        alias: str,
        where: str,
        related_alias: str | None,
        order: str,
        limit: int | None,
        for_update: bool,
        using: str,
    ) -> str:
        features = connections[using].features
        parts = [
            f"SELECT {self.columns(alias, related_alias=related_alias)}",
            f"FROM {_quote(self.model._meta.db_table)} {alias}",
        ]
        lock = " FOR UPDATE" if features.has_select_for_update else ""
        if related_alias is not None:
            assert self.related is not None and self.related_model is not None
            field = self.model._meta.get_field(self.related)
            assert isinstance(field, ForeignKey)
            join = "LEFT JOIN" if field.null else "INNER JOIN"
            parts.append(
                f"{join} {_quote(self.related_model._meta.db_table)} {related_alias} "
                f"ON {related_alias}.{_quote(field.target_field.column)} = "
                f"{alias}.{_quote(field.column)}"
            )
            # Only this model's row: the related one may be on the nullable side of the join,
            # which PostgreSQL refuses to lock. Where ``OF`` is missing, no lock (SQLite has
            # no row locks at all).
            lock = f" FOR UPDATE OF {alias}" if features.has_select_for_update_of else ""
        parts.append(f"WHERE {where}")
        if order:
            parts.append(f"ORDER BY {order}")
        if limit is not None:
            parts.append(f"LIMIT {int(limit)}")
        return " ".join(parts) + (lock if for_update else "")

    def _converters_for(
        self, connection: BaseDatabaseWrapper
    ) -> tuple[list[Conversion], list[Conversion]]:
        found = self._converters.get(connection.vendor)
        if found is None:

            def of(fields: list[Field[Any, Any]]) -> list[Conversion]:
                result = []
                for field in fields:
                    column = field.get_col(field.model._meta.db_table)
                    functions = list(connection.ops.get_db_converters(column)) + list(
                        field.get_db_converters(connection)
                    )
                    result.append((functions, column))
                return result

            found = (of(self.fields), of(self.related_fields))
            with _lock:
                self._converters[connection.vendor] = found
        return found

    def load(self, rows: Iterable[Sequence[Any]], using: str = "default") -> list[Model]:
        connection = connections[using]
        own, related = self._converters_for(connection)
        split = len(self.fields)
        instances = []
        for row in rows:
            values = [
                _convert(value, conversion, connection)
                for value, conversion in zip(row[:split], own, strict=True)
            ]
            instance = self.model.from_db(using, None, values)  # type: ignore[arg-type]
            if self.related is not None and self.related_model is not None:
                rest = row[split:]
                other: Model | None = None
                if rest and rest[0] is not None:
                    other = self.related_model.from_db(
                        using,
                        None,  # type: ignore[arg-type]
                        [
                            _convert(value, conversion, connection)
                            for value, conversion in zip(rest, related, strict=True)
                        ],
                    )
                instance._state.fields_cache[self.related] = other
            instances.append(instance)
        return instances

    def first(self, sql: str, params: Sequence[Any], using: str = "default") -> Model | None:
        """The instance of the first row ``sql`` selects (``columns`` first), or None: what
        ``.first()`` of the equivalent queryset returns."""
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return self.load([row], using)[0] if row is not None else None


def _convert(value: Any, conversion: Conversion, connection: Any) -> Any:
    functions, column = conversion
    for function in functions:
        value = function(value, column, connection)
    return value


def _quote(name: str | None) -> str:
    assert name is not None
    return '"' + name.replace('"', '""') + '"'


# --- UPDATE + history row ------------------------------------------------------------------

_update_sql: dict[tuple[type[Model], tuple[str, ...], str], str] = {}

# Sent after ``update_with_history`` wrote a row (``sender`` the model, ``instance`` the
# instance): for a receiver that must know of every change to a row, which ``post_save`` alone
# would miss here (``accounts.session_users``). Receivers by sender are cached, as for the
# model signals: an update of a model nobody listens to costs a dictionary look-up.
row_updated = Signal(use_caching=True)


def update_with_history(instance: Model, fields: Sequence[str], *, using: str = "default") -> None:
    """``instance.save(update_fields=fields)`` plus the history row simple-history writes on
    ``post_save`` (type "~", the change reason and user set by ``core.audit.audit_as``), in
    one statement on PostgreSQL and two on SQLite, inside the caller's transaction.

    ``auto_now`` fields among ``fields`` are set to now, as ``save`` does. The history row is
    copied from the row as updated, so it equals what simple-history would have written from
    the instance as long as the instance was loaded from the row it updates (the caller holds
    the row lock). No ``pre_save``/``post_save`` signals are sent: use this only for models
    whose receivers are simple-history's alone; ``row_updated`` is sent instead.
    """
    model = type(instance)
    meta = model._meta
    connection = connections[using]
    now = timezone.now()
    names = tuple(fields)
    params: list[Any] = []
    for name in names:
        field = meta.get_field(name)
        assert isinstance(field, Field)
        if getattr(field, "auto_now", False):
            setattr(instance, field.attname, now)
        params.append(field.get_db_prep_save(getattr(instance, field.attname), connection))
    history = model.history.model  # type: ignore[attr-defined]
    history_params = [
        history._meta.get_field("history_date").get_db_prep_save(
            getattr(instance, "_history_date", None) or now, connection
        ),
        getattr(instance, "_change_reason", None),
        "~",
        history_user_of(instance),
    ]
    key = (model, names, connection.vendor)
    sql = _update_sql.get(key)
    if sql is None:
        sql = _update_history_sql(model, names, connection.vendor)
        _update_sql[key] = sql
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql, [*params, instance.pk, *history_params])
        else:
            update, insert = sql.split(";\n")
            cursor.execute(update, [*params, instance.pk])
            cursor.execute(insert, [*history_params, instance.pk])
    row_updated.send(sender=model, instance=instance)


def _update_history_sql(model: type[Model], names: tuple[str, ...], vendor: str) -> str:
    meta = model._meta
    assignments = ", ".join(
        f"{_quote(meta.get_field(name).column)} = %s"  # type: ignore[union-attr,arg-type]
        for name in names
    )
    pk = _quote(meta.pk.column)  # type: ignore[union-attr,arg-type]
    update = f"UPDATE {_quote(meta.db_table)} SET {assignments} WHERE {pk} = %s"  # noqa: S608
    return with_history_sql(model, update, vendor, returning_key=False)


def with_history_sql(model: type[Model], write: str, vendor: str, *, returning_key: bool) -> str:
    """``write`` (one row's ``UPDATE`` or ``INSERT``) and the history row copied from the row
    it wrote (history user and reason etc. as the last four parameters): on PostgreSQL one
    statement, ``write … RETURNING`` in a CTE; elsewhere two, joined by ``";\n"``, the second
    selecting the row by its key (one more parameter). ``returning_key``: both forms return
    the written row's key."""
    meta = model._meta
    history_meta = model.history.model._meta  # type: ignore[attr-defined]
    table, history_table = _quote(meta.db_table), _quote(history_meta.db_table)
    copied = ", ".join(_quote(str(field.column)) for field in history_tracked_fields(model))
    extra = ", ".join(HISTORY_EXTRA_COLUMNS)
    pk = _quote(meta.pk.column)  # type: ignore[union-attr,arg-type]
    # The history table's copy of the key is the written row's key.
    returning = f" RETURNING {pk}" if returning_key else ""
    if vendor == "postgresql":
        return (
            f"WITH w AS ({write} RETURNING {copied}) "  # noqa: S608 - from _meta
            f"INSERT INTO {history_table} ({copied}, {extra}) "
            f"SELECT {copied}, %s, %s, %s, %s FROM w{returning}"
        )
    insert = (
        f"INSERT INTO {history_table} ({copied}, {extra}) "  # noqa: S608 - from _meta
        f"SELECT {copied}, %s, %s, %s, %s FROM {table} WHERE {pk} = %s"
    )
    return f"{write}{returning};\n{insert}"


# --- INSERT + history row ------------------------------------------------------------------

_insert_sql: dict[tuple[type[Model], tuple[str, ...], str], str] = {}


def insert_with_history(instance: Model, *, using: str = "default") -> bool:
    """``instance.save()`` of a new row plus the history row simple-history writes on
    ``post_save`` (type "+", the change reason and user set by ``core.audit.audit_as``), unless
    the row would break a unique constraint: then nothing is written and False is returned.

    One statement on PostgreSQL (``INSERT … ON CONFLICT DO NOTHING`` with the history row's
    ``INSERT`` in the same statement), two on SQLite. A conflict is not an error, so the
    caller's transaction stays usable without a savepoint around the insert (two statements
    fewer than ``atomic()`` + ``save()``). A row another transaction is inserting with the
    same unique value is waited for, as a plain ``INSERT`` would; when that one commits, this
    returns False and the row is there to be read.

    On success the instance has its primary key and is no longer "adding", as after ``save``;
    ``auto_now``/``auto_now_add`` fields are set. No ``pre_save``/``post_save`` signals are
    sent: use this only for models whose receivers are simple-history's alone, or do nothing a
    new row needs (``User``'s ``session_users`` receiver voids cached copies of an existing
    account; a new one has none). A test in ``registry/tests/test_rowsql.py`` holds the models
    that use it to that.
    """
    model = type(instance)
    meta = model._meta
    connection = connections[using]
    pk_field = meta.pk
    assert pk_field is not None
    # As ``save``: an unsaved related object is refused, a reassigned one's key taken.
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    fields = [
        field
        for field in meta.concrete_fields
        if not (field is pk_field and getattr(instance, field.attname) is None)
    ]
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    history = model.history.model  # type: ignore[attr-defined]
    history_params = [
        history._meta.get_field("history_date").get_db_prep_save(
            getattr(instance, "_history_date", None) or timezone.now(), connection
        ),
        getattr(instance, "_change_reason", None),
        "+",
        history_user_of(instance),
    ]
    names = tuple(str(field.column) for field in fields)
    key = (model, names, connection.vendor)
    sql = _insert_sql.get(key)
    if sql is None:
        sql = _insert_sql[key] = _insert_history_sql(model, names, connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql, [*params, *history_params])
            row = cursor.fetchone()
        else:
            insert, history_insert = sql.split(";\n")
            # Both or neither, also outside a transaction (no savepoint inside one).
            with transaction.atomic(using=using, savepoint=False):
                cursor.execute(insert, params)
                row = cursor.fetchone()
                if row is not None:
                    cursor.execute(history_insert, [*history_params, row[0]])
    if row is None:
        return False
    setattr(instance, pk_field.attname, row[0])
    instance._state.adding = False
    instance._state.db = using
    return True


def _insert_history_sql(model: type[Model], columns: tuple[str, ...], vendor: str) -> str:
    insert = (
        f"INSERT INTO {_quote(model._meta.db_table)} "  # noqa: S608 - from _meta
        f"({', '.join(_quote(column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING"
    )
    return with_history_sql(model, insert, vendor, returning_key=True)


# --- INSERT of plain rows --------------------------------------------------------------------

_rows_sql: dict[tuple[Any, ...], str] = {}


def insert_rows(
    model: type[Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    unique: Sequence[str] = (),
    update: Sequence[str] = (),
    using: str = "default",
) -> None:
    """``model.objects.bulk_create`` of ``rows`` (values of the fields ``names``, a foreign
    key given by its key), as one hand-written ``INSERT``. With ``unique`` and ``update``, what
    ``bulk_create(…, update_conflicts=True, unique_fields=unique, update_fields=update)``
    writes: a row whose ``unique`` fields are taken updates its ``update`` fields instead.

    Values are prepared by their fields as ``save`` prepares them; defaults and ``auto_now``
    are the caller's to give. Like ``bulk_create``, no signal is sent: use it only for models
    without receivers and history (a test in ``registry/tests/test_rowsql.py`` holds the
    models that use it to that)."""
    if bool(unique) != bool(update):
        # As ``bulk_create``: an upsert needs both the unique fields and the fields to update.
        raise ValueError("insert_rows: give both unique and update, or neither")
    if not rows:
        return
    connection = connections[using]
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    key = (model, tuple(names), len(rows), tuple(unique), tuple(update), connection.vendor)
    sql = _rows_sql.get(key)
    if sql is None:

        def column(name: str) -> str:
            return _quote(meta.get_field(name).column)  # type: ignore[union-attr]

        one = f"({', '.join(['%s'] * len(fields))})"
        sql = (
            f"INSERT INTO {_quote(meta.db_table)} "  # noqa: S608 - from _meta
            f"({', '.join(column(name) for name in names)}) "
            f"VALUES {', '.join([one] * len(rows))}"
        )
        if unique:
            sets = ", ".join(f"{column(name)} = EXCLUDED.{column(name)}" for name in update)
            sql += (
                f" ON CONFLICT ({', '.join(column(name) for name in unique)}) DO UPDATE SET {sets}"
            )
        with _lock:
            _rows_sql[key] = sql
    params = [
        field.get_db_prep_save(value, connection)  # type: ignore[union-attr]
        for row in rows
        for field, value in zip(fields, row, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


_update_by_key_sql: dict[tuple[Any, ...], str] = {}


def update_by_key(
    model: type[Model],
    names: Sequence[str],
    values: Sequence[Any],
    *,
    key: Any,
    using: str = "default",
) -> int:
    """``UPDATE <table> SET <names> = <values> WHERE <primary key> = key`` as one hand-written
    statement, values prepared by their fields as ``save`` prepares them; the number of rows
    updated. ``save(update_fields=names)`` without its signals and history: for models that
    have neither (the session row, the idempotency claim)."""
    connection = connections[using]
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    sql_key = (model, tuple(names), connection.vendor)
    sql = _update_by_key_sql.get(sql_key)
    if sql is None:
        sets = ", ".join(f"{_quote(field.column)} = %s" for field in fields)  # type: ignore[union-attr]
        sql = (
            f"UPDATE {_quote(meta.db_table)} SET {sets} "  # noqa: S608 - from _meta
            f"WHERE {_quote(meta.pk.column)} = %s"  # type: ignore[union-attr]
        )
        with _lock:
            _update_by_key_sql[sql_key] = sql
    params = [
        field.get_db_prep_save(value, connection)  # type: ignore[union-attr]
        for field, value in zip(fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, key])
        return int(cursor.rowcount)
