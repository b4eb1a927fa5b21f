"""An import whose worker died is taken back by the next worker and finished from its last
committed chunk, with every row exactly once.

The first test leaves the state a killed worker leaves (SQLite and PostgreSQL); the second
kills a real ``manage.py db_worker`` with SIGKILL in the middle of an import (PostgreSQL).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from prakerja.accounts.models import User
from prakerja.core.models import JobLease
from prakerja.core.tests.leases import assert_taken_back, strand, worker_run_all
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata import synthetic
from prakerja.labourdata.models import ImportBatch, ImportRow, WorkerReport
from prakerja.labourdata.services import import_batch_process, import_batch_upload
from prakerja.labourdata.services import pipeline as services
from prakerja.labourdata.tasks import import_batch_run
from prakerja.labourdata.tests.conftest import worker, xlsx_bytes

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _every_row_once(batch: ImportBatch, total: int) -> None:
    batch.refresh_from_db()
    assert (batch.status, batch.rows_total, batch.rows_done) == ("completed", total, total)
    assert batch.rows_accepted + batch.rows_rejected + batch.rows_duplicate == total
    rows = ImportRow.objects.filter(batch=batch)
    assert rows.count() == total
    assert rows.values("row_number").distinct().count() == total
    assert not rows.values("row_number").annotate(n=Count("id")).filter(n__gt=1).exists()
    reports = WorkerReport.objects.filter(batch=batch)
    assert reports.count() == batch.rows_accepted == rows.filter(status="accepted").count()
    assert reports.values("row_number").distinct().count() == batch.rows_accepted


@pytest.mark.django_db
def test_an_import_whose_worker_died_is_taken_back_from_its_last_committed_chunk(
    province_data_officer: User, client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    rows = [worker(fake_nik(serial=300 + i)) for i in range(7)]
    result = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="company",
        name="tujuh.xlsx",
        upload=io.BytesIO(xlsx_bytes(rows)),
    )
    original = services._WorkerChunk.run
    calls = {"n": 0}

    def die_in_second_chunk(self: Any) -> dict[str, int]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the worker is gone: this chunk never commits
        return original(self)

    monkeypatch.setattr(services._WorkerChunk, "run", die_in_second_chunk)
    with pytest.raises(KeyboardInterrupt):
        import_batch_process(batch_id=result.batch.pk)
    monkeypatch.setattr(services._WorkerChunk, "run", original)
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    assert (batch.status, batch.rows_done) == ("running", 2)
    # A killed process releases nothing: its queue row says RUNNING, its lease runs out.
    settings.TASKS = DATABASE_QUEUE
    stale = strand(services.IMPORT_JOB, batch.pk, import_batch_run)
    response = client.get("/healthz")
    assert (response.status_code, response.json()["jobs"]) == (503, "expired")

    worker_run_all(monkeypatch)  # a new worker: reaps at start, then runs the job

    assert_taken_back(stale)
    _every_row_once(batch, 7)
    assert client.get("/healthz").json()["jobs"] == "ok"


@pytest.mark.django_db
def test_a_second_run_of_a_batch_held_by_a_live_worker_leaves_it_alone(
    province_data_officer: User,
) -> None:
    from prakerja.core.jobs import job_lease

    result = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="company",
        name="satu.xlsx",
        upload=io.BytesIO(xlsx_bytes([worker(fake_nik(serial=399))])),
    )
    with job_lease(services.IMPORT_JOB, result.batch.pk) as held:
        assert held is not None
        batch = import_batch_process(batch_id=result.batch.pk)  # e.g. a manual resume
        assert (batch.status, batch.rows_done) == ("queued", 0)
    batch = import_batch_process(batch_id=result.batch.pk)
    assert (batch.status, batch.rows_done) == ("completed", 1)


# --- kill -9 of a real worker, PostgreSQL ---------------------------------------------------

ROWS = 12_000
CHUNK = 400
LEASE_SECONDS = 2


def _wait_for(what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    """Start ``manage.py db_worker`` processes on the test database; all stopped at the end
    (before the test database is flushed)."""
    db = django_settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TASKS_LEASE_SECONDS": str(LEASE_SECONDS),
        "LABOURDATA_IMPORT_CHUNK_ROWS": str(CHUNK),
        "CONN_MAX_AGE": "0",
    }
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-startup-delay",
                "--no-reload",
                "--interval",
                "0.1",
                "--worker-id",
                name,
            ],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_kill_9_of_the_worker_mid_import_is_taken_back_by_a_new_worker(
    province_data_officer: User,
    client: Client,
    settings: Any,
    tmp_path: Path,
    workers: Callable[[str], subprocess.Popen[bytes]],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the worker runs as a separate process on the test database, "
            "which SQLite's in-memory test database cannot share; run with "
            "DATABASE_URL=postgres://…"
        )
    settings.TASKS = DATABASE_QUEUE
    path = tmp_path / "laporan.csv"
    people = synthetic.population(ROWS, seed=11)
    assert synthetic.csv_write(path, synthetic.worker_rows(people, seed=11)) == ROWS
    result = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="regency_disnaker",
        name="laporan.csv",
        upload=io.BytesIO(path.read_bytes()),
    )
    batch = result.batch
    first = workers("first")

    def done() -> int:
        return ImportBatch.objects.values_list("rows_done", flat=True).get(pk=batch.pk)

    _wait_for("the first chunks", lambda: done() >= 5 * CHUNK, timeout=60)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    batch.refresh_from_db()
    killed_at = batch.rows_done
    assert batch.status == "running" and 0 < killed_at < ROWS, (batch.status, killed_at)
    assert killed_at % CHUNK == 0  # whole chunks only
    assert ImportRow.objects.filter(batch=batch).count() == killed_at
    stale = DBTaskResult.objects.get(task_path__endswith="import_batch_run")
    assert stale.status == TaskResultStatus.RUNNING  # stranded: nobody will finish it

    # Stranded but detected: once the lease has run out, /healthz says so.
    _wait_for(
        "/healthz to report the expired lease",
        lambda: client.get("/healthz").status_code == 503,
        timeout=LEASE_SECONDS * 5,
    )
    body = client.get("/healthz").json()
    assert (body["jobs"], body["jobs_expired"]) == ("expired", 1)
    assert ImportBatch.objects.get(pk=batch.pk).rows_done == killed_at  # nobody moved it

    workers("second")
    _wait_for(
        "the new worker to finish the batch",
        lambda: ImportBatch.objects.get(pk=batch.pk).status != "running",
        timeout=90,
    )

    _every_row_once(batch, ROWS)
    assert batch.rows_accepted > ROWS // 2
    stale.refresh_from_db()
    assert stale.status == TaskResultStatus.FAILED
    assert stale.exception_class_path == "prakerja.core.jobs.WorkerLost"
    again = DBTaskResult.objects.exclude(pk=stale.pk).get(task_path=stale.task_path)
    _wait_for(
        "the job's queue row to finish",
        lambda: DBTaskResult.objects.get(pk=again.pk).status != TaskResultStatus.RUNNING,
        timeout=10,
    )
    again.refresh_from_db()
    assert (again.status, again.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["second"])
    assert not JobLease.objects.exists()
    assert client.get("/healthz").json()["jobs"] == "ok"
