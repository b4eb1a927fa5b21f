"""Leases of long background jobs: a job whose worker died is taken back by another worker.

An import batch, a linkage run and a selection run are each a row with a status; the queue
(django-tasks' database backend) holds the job that works on it. A worker killed half-way
(``kill -9``, out of memory, a host lost) leaves both behind as "running" for ever: the queue
row stays RUNNING for a worker that will never finish it, and nothing enqueues the job again.

So a running job holds a lease, a ``core.JobLease`` row (job, object id):

* **acquire** (``job_lease``, when the job starts): a conditional UPDATE that only succeeds
  on a lease handed back to the queue or run out, else an INSERT; the unique (job, object id)
  lets one of two workers starting the same job win, the other leaves the job alone;
* **renew**: a heartbeat thread (its own connection) pushes ``expires_at`` forward every
  quarter of ``TASKS_LEASE_SECONDS``; the import also renews it in each chunk's transaction
  (``JobLeaseHeld.renew``), so a chunk commits only while its worker still holds the lease;
* **release**: the lease row is deleted when the job ends, whatever the outcome;
* **reap** (``jobs_reap``, run by every ``db_worker`` when it starts and then twice per lease
  period): a lease that ran out belongs to a dead worker. It is handed back to the queue by
  a conditional UPDATE, its stranded queue row marked FAILED (``WorkerLost``) and the job
  enqueued again in the same transaction; the next worker continues it (the import after its
  last committed chunk, linkage and selection from the start: both are safe to repeat).

Times are the database's (``Now()``): workers on several hosts need not agree on the clock.
``/healthz`` reports any lease past its end (``core.selectors.health_check``).

A worker can also die after claiming a queue row and before the job takes its lease, or in a
short job that holds none (an SMS): its row is RUNNING, named by no lease. ``/healthz``
reports such a row once it has run for ``TASKS_UNLEASED_RUNNING_SECONDS``, and the reaper
fails it and enqueues it again, with its own arguments, when it is one of ``LEASED_JOBS``
(all safe to repeat); any other is left for an operator (docs/OPERATIONS.md).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.module_loading import import_string
from django_tasks_db.backend import DatabaseBackend

from prakerja.core.models import JobLease

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeasedJob:
    # "app_label.Model" of the job's row; None for a job with no status row of its own (an
    # announcement, invitations, JPS cases): it is always enqueued again, being safe to repeat
    # (a finished one finds nothing left to do).
    model: str | None
    unfinished: tuple[str, ...]  # statuses of that row in which the job still has work to do
    task: str  # dotted path of the django-tasks task taking the row's id
    # Dotted path of ``f(job, object_id) -> args`` for a task taking more than the object id
    # (the outreach invitations: actor, wave, regency); None = ``task(object_id)``.
    args: str | None = None


# Every job that holds a lease. The reaper enqueues ``task(object_id)`` for a dead one. A
# lease's ``job`` may carry more after a colon ("linkage.outreach:<actor>:<regency>"): the
# part before it names the kind here. Every job listed must be safe to run again from the top.
LEASED_JOBS: dict[str, LeasedJob] = {
    "labourdata.import": LeasedJob(
        "labourdata.ImportBatch",
        ("queued", "running"),
        "prakerja.labourdata.tasks.import_batch_run",
    ),
    "linkage.run": LeasedJob(
        "linkage.LinkageRun", ("queued", "running"), "prakerja.linkage.tasks.linkage_run_job"
    ),
    "waves.selection": LeasedJob(
        "waves.SelectionRun",
        ("queued", "running"),
        "prakerja.waves.tasks.selection_run_execute_task",
    ),
    # Each applicant's Announcement row is written (claimed) before the SMS: a re-run texts
    # only the applicants nobody claimed yet.
    "waves.announce": LeasedJob(None, (), "prakerja.waves.announcements.wave_results_announce_job"),
    # Each OutreachInvitation row (unique per worker and wave) is written before the SMS.
    "linkage.outreach": LeasedJob(
        None,
        (),
        "prakerja.linkage.tasks.outreach_invitations_job",
        args="prakerja.linkage.tasks.outreach_lease_args",
    ),
    # Opens only the cases that do not exist yet.
    "linkage.jps_cases": LeasedJob(None, (), "prakerja.linkage.tasks.jps_cases_for_batch_job"),
    # One transaction: a dead run left nothing, and a new one finds the same overdue rows.
    "enrolment.revoke": LeasedJob(
        None, (), "prakerja.enrolment.tasks.participants_revoke_overdue_job"
    ),
    # Each Notice row is claimed (committed) before its SMS.
    "enrolment.notices": LeasedJob(None, (), "prakerja.enrolment.tasks.notices_send_job"),
    # One transaction, idempotent (unique participant, rule, sequence).
    "payments.make_due": LeasedJob(None, (), "prakerja.payments.tasks.instalments_make_due_job"),
    # Each rule's findings in their own transaction; a rerun changes only what changed.
    "fraud.signals": LeasedJob(None, (), "prakerja.fraud.tasks.fraud_signals_job"),
}


def leased_job(job: str) -> LeasedJob | None:
    return LEASED_JOBS.get(job.split(":", 1)[0])


class LeaseLost(Exception):
    """Another worker took this job over (ours stopped renewing for a whole lease period)."""


class WorkerLost(Exception):
    """Recorded on a queue row whose worker died while running it (see ``jobs_reap``)."""


def lease_duration() -> timedelta:
    return timedelta(seconds=float(settings.TASKS_LEASE_SECONDS))


def _expires() -> Any:
    return Now() + lease_duration()


# --- Which queue row and worker is running this job ------------------------------------------

_current = threading.local()


def task_context_remember(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """``task_started`` receiver: the lease records the queue row and worker of the job, so
    that the reaper can mark that row failed if the worker dies."""
    _current.task_id = str(task_result.id)
    worker_ids = list(getattr(task_result, "worker_ids", None) or [])
    _current.worker_id = str(worker_ids[-1]) if worker_ids else ""


def task_context_forget(sender: Any, **kwargs: Any) -> None:
    _current.task_id = ""
    _current.worker_id = ""


# --- Holding a lease ---------------------------------------------------------------------


@dataclass
class JobLeaseHeld:
    job: str
    object_id: int
    owner: str
    lost: threading.Event = field(default_factory=threading.Event)

    def _mine(self) -> Any:
        return JobLease.objects.filter(job=self.job, object_id=self.object_id, owner=self.owner)

    def renew(self) -> None:
        """Push the lease forward on this thread's connection (inside a chunk's transaction:
        the row stays locked until the commit, so a reaper cannot hand the job back between
        this check and the chunk's commit). Raises ``LeaseLost`` if another worker has it."""
        if not self._mine().update(heartbeat_at=Now(), expires_at=_expires()):
            self.lost.set()
            raise LeaseLost(f"{self.job}:{self.object_id}")

    def check(self) -> None:
        if self.lost.is_set():
            raise LeaseLost(f"{self.job}:{self.object_id}")


def _owner(worker_id: str) -> str:
    return f"{worker_id or '-'}@{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:160]


def lease_acquire(job: str, object_id: int) -> JobLeaseHeld | None:
    """Take the lease of ``job`` for this run; None if a live worker holds it."""
    task_id = getattr(_current, "task_id", "") or ""
    worker_id = (getattr(_current, "worker_id", "") or "")[:64]
    owner = _owner(worker_id)
    values = {
        "owner": owner,
        "worker_id": worker_id,
        "task_id": task_id[:64],
        "acquired_at": Now(),
        "heartbeat_at": Now(),
        "expires_at": _expires(),
    }
    with transaction.atomic():
        # Race: the original run and a re-enqueued one (or two workers given the same job)
        # start together. The UPDATE's condition is re-checked on the row it locks, so only
        # one of them takes a free or expired lease; the other sees 0 rows and leaves.
        taken = (
            JobLease.objects.filter(job=job, object_id=object_id)
            .filter(Q(owner="") | Q(expires_at__lt=Now()))
            .update(**values)
        )
        if not taken:
            try:
                with transaction.atomic():
                    JobLease.objects.create(job=job, object_id=object_id, **values)
            except IntegrityError:
                return None  # held by a live worker (or created by the other starter)
    return JobLeaseHeld(job, object_id, owner)


def lease_release(held: JobLeaseHeld) -> None:
    held._mine().delete()


class _Heartbeat(threading.Thread):
    """Renews the lease on a connection of its own while the job works on the main thread
    (a long SQL statement or Splink step gives the job no chance to do it itself)."""

    def __init__(self, held: JobLeaseHeld) -> None:
        super().__init__(name=f"lease-{held.job}-{held.object_id}", daemon=True)
        self.held = held
        self.stopping = threading.Event()
        self.interval = max(0.05, float(settings.TASKS_LEASE_SECONDS) / 4)

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.interval):
                try:
                    if not self.held._mine().update(heartbeat_at=Now(), expires_at=_expires()):
                        self.held.lost.set()
                        logger.error("lease of %s:%s lost", self.held.job, self.held.object_id)
                        return
                except Exception:
                    # The database may be back at the next beat; if not, the lease runs out,
                    # which is what a worker cut off from the database should look like.
                    logger.exception(
                        "lease of %s:%s not renewed", self.held.job, self.held.object_id
                    )
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join()


@contextmanager
def job_lease(job: str, object_id: int) -> Iterator[JobLeaseHeld | None]:
    """Hold the lease of ``job`` while the block runs; yields None if a live worker holds it
    (the caller then leaves the job alone). Released when the block ends.

    No heartbeat thread inside an outer transaction (a test, a caller's atomic block): its
    connection could not see the uncommitted lease. Such a run renews only where it calls
    ``renew`` itself.
    """
    held = lease_acquire(job, object_id)
    if held is None:
        logger.info("%s:%s is held by a live worker; left alone", job, object_id)
        yield None
        return
    beat = None if connection.in_atomic_block else _Heartbeat(held)
    if beat is not None:
        beat.start()
    try:
        yield held
    finally:
        if beat is not None:
            beat.stop()
        lease_release(held)


# --- Taking back the jobs of dead workers ----------------------------------------------------


def _unfinished(spec: LeasedJob, object_id: int) -> bool:
    if spec.model is None:
        return True
    model = apps.get_model(spec.model)
    return model._default_manager.filter(pk=object_id, status__in=spec.unfinished).exists()


def _queue_row_fail(task_id: str, lease: JobLease, *, requeued: bool = True) -> None:
    """The dead worker's queue row would say RUNNING for ever: mark it failed, with why."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not task_id:
        return
    seen = lease.heartbeat_at.isoformat(timespec="seconds")
    try:
        rows = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING)
        rows.update(
            status=TaskResultStatus.FAILED,
            finished_at=Now(),
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=(
                f"WorkerLost: worker {lease.worker_id or '?'} stopped renewing the lease of "
                f"{lease.job}:{lease.object_id} (last sign of life {seen}); "
                + ("the job was enqueued again.\n" if requeued else "nothing was left to do.\n")
            ),
        )
    except Exception:  # not a UUID (another backend's id): nothing to mark
        logger.warning("queue row %r of %s:%s not marked", task_id, lease.job, lease.object_id)


def _queue_row_waiting(task_id: str) -> bool:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not task_id:
        return False
    try:
        return DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.READY).exists()
    except Exception:
        return False


def jobs_reap(*, limit: int = 100) -> list[str]:
    """Hand back to the queue every job whose lease ran out, and enqueue it again; returns
    "job:object id" of each. Run by every worker (``manage.py db_worker``), so it is safe to
    run anywhere, at any time, by many at once."""
    reaped = []
    expired = JobLease.objects.filter(expires_at__lt=Now()).order_by("expires_at")[:limit]
    for lease in list(expired):
        spec = leased_job(lease.job)
        with transaction.atomic():
            # Race: every worker runs this reaper, and two may find the same expired lease
            # (or its worker may just come back). The UPDATE's condition is re-checked on the
            # row it locks: exactly one caller hands the job back and enqueues it once; a
            # worker renewing at the same moment wins instead if it commits first.
            handed_back = JobLease.objects.filter(
                pk=lease.pk, owner=lease.owner, expires_at__lt=Now()
            ).update(
                owner="",
                worker_id="",
                expires_at=_expires(),
                takeovers=F("takeovers") + (1 if lease.owner else 0),
            )
            if not handed_back:
                continue
            if spec is None or not _unfinished(spec, lease.object_id):
                # Finished after all (its worker died between the last commit and the
                # release), or a job this code no longer knows: nothing to take back. Its
                # queue row would stay RUNNING (and reported as unleased): marked failed.
                _queue_row_fail(lease.task_id, lease, requeued=False)
                JobLease.objects.filter(pk=lease.pk).delete()
                continue
            if not lease.owner and _queue_row_waiting(lease.task_id):
                continue  # enqueued by an earlier reap and still waiting for a free worker
            _queue_row_fail(lease.task_id, lease)
            args = (
                import_string(spec.args)(lease.job, lease.object_id)
                if spec.args
                else (lease.object_id,)
            )
            result_id = _enqueue_again(spec.task, args, {})
            if result_id:
                JobLease.objects.filter(pk=lease.pk).update(task_id=result_id[:64])
        logger.warning(
            "%s:%s: worker %s stopped renewing its lease; enqueued again",
            lease.job,
            lease.object_id,
            lease.worker_id or "?",
        )
        reaped.append(f"{lease.job}:{lease.object_id}")
    reaped.extend(_unleased_reap())
    return reaped


def _enqueue_again(task_path: str, args: Any, kwargs: dict[str, Any]) -> str:
    """Enqueue a taken-back job; the id of its queue row when it is written in the caller's
    transaction (database backend: enqueued iff handed back), else "" (after the commit)."""
    task = import_string(task_path)
    if isinstance(task.get_backend(), DatabaseBackend):
        return str(task.enqueue(*args, **kwargs).id)
    transaction.on_commit(partial(task.enqueue, *args, **kwargs), robust=True)
    return ""


# --- Queue rows running without a lease ------------------------------------------------------


def unleased_running_seconds() -> float:
    return float(settings.TASKS_UNLEASED_RUNNING_SECONDS)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def unleased_running_rows(*, limit: int = 100) -> list[Any]:
    """Queue rows RUNNING for longer than ``TASKS_UNLEASED_RUNNING_SECONDS`` that no lease
    names: a worker died before a long job took its lease (between claiming the queue row and
    ``lease_acquire``), or in a short job that holds none (an SMS). A live short job is done
    in seconds and a live long one names its row in its lease, so neither is counted. A row
    whose lease ran out is not counted here either: ``jobs_expired_count`` reports it."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    started_before = Now() - timedelta(seconds=unleased_running_seconds())
    rows = list(
        DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=started_before
        ).order_by("started_at")[:limit]
    )
    if not rows:
        return []
    # Compared in Python: a few rows, and the lease keeps the id as text (uuid vs varchar).
    named = {_uuid(task_id) for task_id in JobLease.objects.values_list("task_id", flat=True)}
    return [row for row in rows if _uuid(row.pk) not in named]


def jobs_unleased_count() -> int:
    return len(unleased_running_rows(limit=1000))


def _unleased_reap() -> list[str]:
    """Fail and enqueue again each unleased stranded row of a leased kind (safe to run again
    from the top, with the row's own arguments). Rows of other kinds (an SMS that may or may
    not have left) are left RUNNING for an operator to judge; ``/healthz`` reports them."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rerunnable = {spec.task: spec for spec in LEASED_JOBS.values()}
    reaped = []
    for row in unleased_running_rows():
        spec = rerunnable.get(row.task_path)
        if spec is None:
            continue
        arguments = row.args_kwargs or {}
        args, kwargs = arguments.get("args") or [], arguments.get("kwargs") or {}
        # A job with a status row (import, linkage, selection) takes that row's id first.
        object_id = args[0] if args else next(iter(kwargs.values()), None)
        requeue = spec.model is None or (
            isinstance(object_id, int) and _unfinished(spec, object_id)
        )
        with transaction.atomic():
            # Race: every worker runs the reaper; the status condition lets one of them fail
            # the row, and only that one enqueues the job again.
            failed = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=Now(),
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=(
                    f"WorkerLost: worker {(row.worker_ids or ['?'])[-1]} died before the job "
                    "took its lease (running with no lease since "
                    f"{row.started_at.isoformat(timespec='seconds')}); "
                    + ("the job was enqueued again.\n" if requeue else "nothing left to do.\n")
                ),
            )
            if not failed or not requeue:
                continue
            _enqueue_again(row.task_path, args, kwargs)
        logger.warning("%s (%s): running with no lease; enqueued again", row.task_path, row.pk)
        reaped.append(f"{row.task_path}:{row.pk}")
    return reaped


def jobs_expired_count() -> int:
    """Leases past their end: jobs whose worker died and that no reaper has taken back yet."""
    return JobLease.objects.filter(expires_at__lt=Now()).count()


class Reaper(threading.Thread):
    """``jobs_reap`` every half lease period, beside a worker's job loop (own connection)."""

    def __init__(self) -> None:
        super().__init__(name="lease-reaper", daemon=True)
        self.interval = max(0.1, min(60.0, float(settings.TASKS_LEASE_SECONDS) / 2))
        self.stopping = threading.Event()

    def run(self) -> None:
        from django.db import close_old_connections

        while not self.stopping.wait(self.interval):
            try:
                jobs_reap()
            except Exception:
                logger.exception("lease reaper failed; trying again")
            finally:
                close_old_connections()
        connection.close()
