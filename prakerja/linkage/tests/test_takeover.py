"""A linkage run whose worker died (kill -9) is taken back by the next worker: the lease runs
out, /healthz reports it, the worker's reaper enqueues the run again and it starts over from
the top, which adds nothing twice (every step skips pairs already proposed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.core.tests.leases import assert_taken_back, strand, worker_run_all
from prakerja.identity.tests.factories import fake_nik
from prakerja.linkage import services
from prakerja.linkage.models import Link, LinkageRun
from prakerja.linkage.tasks import linkage_run_job
from prakerja.linkage.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_linkage_run_whose_worker_died_is_taken_back_and_links_each_pair_once(
    surabaya_data_officer: User, client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    nik = fake_nik(serial=61)
    registration = f.registrant(nik=nik, full_name="Siti Rahayu")
    worker = f.worker(nik=nik, full_name="Siti Rahayu")
    f.worker(nik=fake_nik(serial=62), full_name="Budi Santoso")
    run = LinkageRun.objects.create(
        started_by=surabaya_data_officer,
        status=LinkageRun.Status.RUNNING,
        started_at=timezone.now(),
        progress_at=timezone.now(),
    )
    # The dead worker got as far as the exact links (committed), then was killed.
    assert services._link_exact_nik(run_id=run.pk) == 1
    stale = strand(services.LINKAGE_JOB, run.pk, linkage_run_job)
    assert client.get("/healthz").json()["jobs"] == "expired"

    worker_run_all(monkeypatch)  # a new worker: reaps at start, then runs the job

    assert_taken_back(stale)
    run.refresh_from_db()
    assert (run.status, run.percent) == (LinkageRun.Status.COMPLETED, 100)
    link = Link.objects.get()  # the pair once, with its one "created" history row
    assert (link.worker_id, link.registration_id) == (worker.pk, registration.pk)
    assert link.history.count() == 1
    registration.refresh_from_db()
    assert registration.reported_by_disnaker is True
    assert client.get("/healthz").json()["jobs"] == "ok"
