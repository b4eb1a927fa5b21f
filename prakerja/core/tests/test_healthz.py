from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prakerja.core.tasks import ping

pytestmark = pytest.mark.django_db


def test_it_reports_database_and_job_queue_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["tasks"] == "ok"
    assert body["tasks_ready"] == 0


def test_it_counts_queued_jobs(client: Client) -> None:
    ping.enqueue()
    body = client.get("/healthz").json()
    assert body["tasks_ready"] == 1
    assert body["status"] == "ok"


@override_settings(TASKS_STALL_SECONDS=60)
def test_it_reports_503_when_no_worker_has_taken_jobs_for_too_long(client: Client) -> None:
    ping.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["tasks"] == "stalled"


def test_a_worker_runs_the_queued_job(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    # The worker drops "old" connections between jobs; inside the test's transaction that
    # would close the very connection the test runs in (PostgreSQL), so keep it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    result = ping.enqueue()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    result.refresh()
    assert result.return_value == "pong"
    assert client.get("/healthz").json()["tasks_ready"] == 0


def test_it_reports_503_when_the_database_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prakerja.core import selectors

    class Broken:
        def cursor(self) -> None:
            raise RuntimeError("connection refused")

    monkeypatch.setattr(selectors, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


@override_settings(TASKS_STALL_SECONDS=60)
def test_liveness_ignores_a_stalled_queue(client: Client) -> None:
    ping.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_liveness_fails_when_the_database_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prakerja.core import selectors

    class Broken:
        def cursor(self) -> None:
            raise RuntimeError("connection refused")

    monkeypatch.setattr(selectors, "connection", Broken())
    assert client.get("/livez").status_code == 503
