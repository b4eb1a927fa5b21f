"""A service's all-or-nothing inside a submission's transaction, without a savepoint.

A service that writes is all or nothing on its own: ``@transaction.atomic``. Called inside a
transaction that is already open, Django turns that into a savepoint: ``SAVEPOINT`` before
and ``RELEASE SAVEPOINT`` after, two round trips to PostgreSQL for every save, so that a
caller catching the service's refusal does not commit the part it had written.

A form POST or an API write with an idempotency key runs in one transaction that holds the
key's claim, the handler's writes and the stored answer (``core.idempotency``). Inside it,
``unit_of_work`` takes over the savepoint's job for ``@service_atomic`` services entered at its
own level: when a refusal leaves such a service, the unit is marked, and at its end the whole
transaction is rolled back instead of committed (the answer, when it is one to keep, is then
stored on its own). Nothing a refused service wrote is ever committed, as with a savepoint;
what the handler wrote besides, in the same transaction, is rolled back with it.

Elsewhere (a command, a job, a service called inside another ``transaction.atomic`` block),
``@service_atomic`` is ``@transaction.atomic``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@dataclass
class Unit:
    using: str
    # How many atomic blocks deep the handler runs (``savepoint_ids``' length at its start).
    depth: int
    # A refusal left a service whose savepoint was skipped: roll the whole unit back.
    refused: bool = False


_current: ContextVar[Unit | None] = ContextVar("prakerja_unit_of_work", default=None)


@contextmanager
def unit_of_work(using: str = DEFAULT_DB_ALIAS) -> Iterator[Unit]:
    """Around a handler run inside an open ``transaction.atomic`` block (the claim's)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("unit_of_work runs inside transaction.atomic")
    unit = Unit(using=using, depth=len(connection.savepoint_ids))
    token = _current.set(unit)
    try:
        yield unit
    finally:
        _current.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def service_atomic(func: Callable[P, R]) -> Callable[P, R]:
    """``@transaction.atomic`` for a service, without its savepoint at a unit's own level."""
    atomic_func = transaction.atomic(func)

    @wraps(func)
    def inner(*args: P.args, **kwargs: P.kwargs) -> R:
        unit = _current.get()
        if unit is None:
            return atomic_func(*args, **kwargs)
        connection = connections[unit.using]
        if not connection.in_atomic_block or len(connection.savepoint_ids) != unit.depth:
            return atomic_func(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except BaseException:
            unit.refused = True
            raise

    return inner
