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
from prakerja.linkage.models import Link, LinkageRun
from prakerja.linkage.services import jps, outreach, runs
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
    assert runs._link_exact_nik(run_id=run.pk) == 1
    stale = strand(runs.LINKAGE_JOB, run.pk, linkage_run_job)
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


def _database_queue(settings: Any) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def test_invitations_whose_worker_died_are_taken_back_and_text_each_worker_once(
    surabaya_data_officer: User,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from prakerja.linkage.models import OutreachInvitation
    from prakerja.linkage.tasks import OUTREACH_JOB, outreach_invitations_job, outreach_lease_job
    from prakerja.linkage.tests.test_services import _wave
    from prakerja.notifications.models import OutboxMessage

    _database_queue(settings)
    f.worker(nik=fake_nik(serial=64), full_name="Sudah Diundang", phone="+6281200000064")
    f.worker(nik=fake_nik(serial=65), full_name="Belum Diundang", phone="+6281200000065")
    wave = _wave(4)
    # The dead worker had texted the first person (row and SMS committed), then was killed.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            outreach.outreach_invitations_send(
                actor=surabaya_data_officer, wave_id=wave.pk, regency_code="3578"
            )
            == 2
        )
    OutreachInvitation.objects.filter(worker__phone="+6281200000065").delete()
    OutboxMessage.objects.filter(recipient="+6281200000065").delete()
    job = outreach_lease_job(surabaya_data_officer.pk, "3578")
    assert job.startswith(f"{OUTREACH_JOB}:")
    stale = strand(
        job,
        wave.pk,
        outreach_invitations_job,
        args=(surabaya_data_officer.pk, wave.pk, "3578"),
    )
    assert client.get("/healthz").json()["jobs"] == "expired"

    with django_capture_on_commit_callbacks(execute=True):
        worker_run_all(monkeypatch)  # reaps at start, then runs the job with its own arguments

    assert_taken_back(stale)
    assert OutreachInvitation.objects.count() == 2
    assert OutboxMessage.objects.filter(recipient="+6281200000064").count() == 1
    assert OutboxMessage.objects.filter(recipient="+6281200000065").count() == 1
    assert client.get("/healthz").json()["jobs"] == "ok"


def test_jps_cases_whose_worker_died_are_taken_back_and_opened_once(
    surabaya_data_officer: User,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    from prakerja.linkage.models import JpsReviewCase
    from prakerja.linkage.tasks import JPS_CASES_JOB, jps_cases_for_batch_job
    from prakerja.linkage.tests.test_services import jps_overlap

    _database_queue(settings)
    registration, batch_id = jps_overlap(surabaya_data_officer)
    # The dead worker had opened the case (committed), then was killed before the end.
    assert jps.jps_cases_open_for_batch(batch_id=batch_id) == 1
    stale = strand(JPS_CASES_JOB, batch_id, jps_cases_for_batch_job)
    assert client.get("/healthz").json()["jobs"] == "expired"

    worker_run_all(monkeypatch)

    assert_taken_back(stale)
    case = JpsReviewCase.objects.get()  # still the one case, not opened twice
    assert case.registration == registration
    assert client.get("/healthz").json()["jobs"] == "ok"
