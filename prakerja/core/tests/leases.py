"""Test helpers for job leases: the state a worker killed half-way leaves behind, and a
worker run to the end in the test's own process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from prakerja.core.models import JobLease

DEAD_WORKER = "worker-killed-9"


def strand_unleased(task: Any, *args: Any, seconds_ago: float = 600) -> DBTaskResult:
    """What ``kill -9`` leaves between a worker claiming a queue row and its job taking the
    lease (or in a short job holding none): the row RUNNING since ``seconds_ago``, no lease."""
    result = task.enqueue(*args)
    then = timezone.now() - timedelta(seconds=seconds_ago)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=then, worker_ids=[DEAD_WORKER]
    )
    return DBTaskResult.objects.get(pk=result.id)


def strand(
    job: str, object_id: int, task: Any, *, seconds_ago: float = 600, args: tuple[Any, ...] = ()
) -> DBTaskResult:
    """What ``kill -9`` leaves: the job's queue row RUNNING for a worker that is gone, and a
    lease it stopped renewing ``seconds_ago`` (past its end). Returns the queue row. ``args``:
    the task's arguments when they are more than ``object_id``."""
    row = strand_unleased(task, *(args or (object_id,)), seconds_ago=seconds_ago)
    then = row.started_at
    JobLease.objects.update_or_create(
        job=job,
        object_id=object_id,
        defaults={
            "owner": f"{DEAD_WORKER}@host:4242:0000",
            "worker_id": DEAD_WORKER,
            "task_id": str(row.pk),
            "acquired_at": then,
            "heartbeat_at": then,
            "expires_at": then + timedelta(seconds=120),
        },
    )
    return row


def worker_run_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """``manage.py db_worker --batch``: reap at start, then run every ready job, then exit."""
    from django_tasks_db.management.commands import db_worker

    # The worker drops "old" connections between jobs; inside the test's transaction that
    # would close the very connection the test runs in (PostgreSQL), so keep it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def assert_taken_back(stale: DBTaskResult) -> None:
    """The dead worker's queue row is marked failed, and a new one ran the job to its end."""
    stale.refresh_from_db()
    assert stale.status == TaskResultStatus.FAILED
    assert stale.exception_class_path == "prakerja.core.jobs.WorkerLost"
    assert f"worker {DEAD_WORKER} stopped renewing" in stale.traceback
    again = DBTaskResult.objects.filter(task_path=stale.task_path).exclude(pk=stale.pk).get()
    assert again.status == TaskResultStatus.SUCCESSFUL, again.traceback
    assert not JobLease.objects.exists()
