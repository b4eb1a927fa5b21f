"""A selection run whose worker died (kill -9) is taken back by the next worker: the lease
runs out, /healthz reports it, the worker's reaper enqueues the run again and it is ranked
from scratch, with the same rows as a run that was never interrupted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.core.tests.leases import assert_taken_back, strand, worker_run_all
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves import services
from prakerja.waves.models import SelectionResult, SelectionRun
from prakerja.waves.tasks import selection_run_execute_task
from prakerja.waves.tests.population import Applicant, closed_wave, registrations_make

pytestmark = pytest.mark.django_db


def test_a_selection_run_whose_worker_died_is_taken_back_and_ranked_once(
    manager: User, client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    programme = registry_seed_load().programme
    wave = closed_wave(
        programme, {"3578": 2}, registrations_make(programme, [Applicant() for _ in range(6)])
    )
    run = services.selection_run_create(actor=manager, wave=wave, seed="jatim-2020")
    # The worker marked it running, then died: its row lock went with its connection, and
    # nothing else would ever finish the run.
    SelectionRun.objects.filter(pk=run.pk).update(
        status=SelectionRun.Status.RUNNING, progress=10, started_at=timezone.now()
    )
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    stale = strand(services.SELECTION_JOB, run.pk, selection_run_execute_task)
    assert client.get("/healthz").json()["jobs"] == "expired"

    worker_run_all(monkeypatch)  # a new worker: reaps at start, then runs the job

    assert_taken_back(stale)
    run.refresh_from_db()
    assert (run.status, run.progress) == (SelectionRun.Status.READY, 100)
    assert SelectionResult.objects.filter(run=run).count() == 6
    assert SelectionResult.objects.filter(run=run, selected=True).count() == 2
    assert client.get("/healthz").json()["jobs"] == "ok"
    # Ranked from scratch: the same rows as an uninterrupted run with the same seed.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    again = services.selection_run_create(actor=manager, wave=wave, seed="jatim-2020")
    again = services.selection_run_execute(run_id=again.pk)
    assert (again.input_hash, again.result_hash) == (run.input_hash, run.result_hash)
