from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend


@task()
def ping() -> str:
    """A no-op job: proves a worker is taking jobs (used by health checks and tests)."""
    return "pong"


def enqueue_with_transaction(job: Task[Any, Any], /, **kwargs: Any) -> None:
    """Enqueue ``job`` so that it exists if and only if the caller's transaction commits.

    The database backend writes the job as a row of this same database: it is written now,
    inside the caller's transaction, and commits or rolls back with the caller's writes (one
    commit for both, instead of a second statement and commit after the first). Any other
    backend (the immediate one in tests, a broker) is called once the transaction commits;
    ``robust``: the caller's writes stand even if that backend refuses the job (logged).
    """
    if isinstance(job.get_backend(), DatabaseBackend):
        job.enqueue(**kwargs)
    else:
        transaction.on_commit(partial(job.enqueue, **kwargs), robust=True)


@task()
def idempotency_prune_periodic(period: str) -> int:
    """Delete idempotency records older than 24 hours (scheduled hourly, ``core.periodic``)."""
    from prakerja.core.idempotency import idempotency_prune

    return idempotency_prune()


@task()
def task_results_prune_periodic(period: str) -> None:
    """Delete finished job rows older than 14 days (scheduled daily, ``core.periodic``)."""
    from django.core.management import call_command

    call_command("prune_db_task_results", min_age_days=14, verbosity=0)
