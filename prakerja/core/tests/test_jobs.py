"""Job leases (core.jobs): one holder at a time, a dead holder's job taken back once, and
/healthz reporting a job past its lease until a worker takes it back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.core import jobs
from prakerja.core.models import JobLease
from prakerja.core.tests.leases import strand
from prakerja.labourdata.models import ImportBatch
from prakerja.labourdata.tasks import import_batch_run

pytestmark = pytest.mark.django_db

JOB = "labourdata.import"


def test_a_job_held_by_a_live_worker_is_not_taken_by_another() -> None:
    first = jobs.lease_acquire(JOB, 7)
    assert first is not None
    assert jobs.lease_acquire(JOB, 7) is None
    jobs.lease_release(first)
    second = jobs.lease_acquire(JOB, 7)
    assert second is not None and second.owner != first.owner


def test_an_expired_lease_is_taken_and_the_old_holder_can_no_longer_renew() -> None:
    old = jobs.lease_acquire(JOB, 8)
    assert old is not None
    JobLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    new = jobs.lease_acquire(JOB, 8)
    assert new is not None
    with pytest.raises(jobs.LeaseLost):
        old.renew()
    new.renew()  # still the holder
    jobs.lease_release(old)  # a late release by the old holder leaves the new lease alone
    assert JobLease.objects.get().owner == new.owner


def test_the_lease_records_the_queue_row_and_worker_of_the_job(monkeypatch) -> None:
    from prakerja.core.tests.leases import worker_run_all

    seen: list[tuple[str, str, str]] = []

    def spy(*, batch_id: int, pipelined: bool | None = None) -> None:
        lease = JobLease.objects.get(job=JOB, object_id=batch_id)
        seen.append((lease.task_id, lease.worker_id, lease.owner))

    def process(*, batch_id: int, pipelined: bool | None = None) -> None:
        with jobs.job_lease(JOB, batch_id):
            spy(batch_id=batch_id)

    monkeypatch.setattr("prakerja.labourdata.tasks.import_batch_process", process)
    result = import_batch_run.enqueue(99)
    worker_run_all(monkeypatch)
    ((task_id, worker_id, owner),) = seen
    row = DBTaskResult.objects.get(pk=result.id)
    assert task_id == str(row.pk)
    assert worker_id == row.worker_ids[-1] and owner.startswith(f"{worker_id}@")
    assert not JobLease.objects.exists()  # released at the end


def _unfinished_batch() -> int:
    officer = make_user(role=Role.DATA_OFFICER)
    return ImportBatch.objects.create(
        kind="workers",
        source="company",
        original_name="a.xlsx",
        sha256="0" * 64,
        size_bytes=1,
        status="running",
        uploaded_by=officer,
    ).pk


def test_the_reaper_hands_a_dead_workers_job_back_once_however_many_reap() -> None:
    batch_id = _unfinished_batch()
    stale = strand(JOB, batch_id, import_batch_run)

    assert jobs.jobs_reap() == [f"{JOB}:{batch_id}"]
    assert jobs.jobs_reap() == []  # a second reaper (another worker) finds nothing to do

    stale.refresh_from_db()
    assert stale.status == TaskResultStatus.FAILED
    again = DBTaskResult.objects.exclude(pk=stale.pk).get()
    assert (again.status, again.args_kwargs["args"]) == (TaskResultStatus.READY, [batch_id])
    lease = JobLease.objects.get()
    assert (lease.owner, lease.task_id, lease.takeovers) == ("", str(again.pk), 1)
    assert lease.expires_at > timezone.now()


def test_a_handed_back_job_still_waiting_in_the_queue_is_not_enqueued_twice() -> None:
    strand(JOB, _unfinished_batch(), import_batch_run)
    jobs.jobs_reap()
    JobLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert jobs.jobs_reap() == []  # its queue row is still READY: no worker free yet
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_the_lease_of_a_job_that_finished_is_dropped_without_enqueueing() -> None:
    stale = strand(JOB, 6, import_batch_run)  # no such batch: nothing left to do
    assert jobs.jobs_reap() == []
    assert not JobLease.objects.exists()
    stale.refresh_from_db()  # not left RUNNING for ever (nor reported as unleased)
    assert stale.status == TaskResultStatus.FAILED
    assert "nothing was left to do" in stale.traceback
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_healthz_reports_a_job_past_its_lease_and_livez_does_not(client: Client) -> None:
    assert client.get("/healthz").json()["jobs"] == "ok"
    strand(JOB, _unfinished_batch(), import_batch_run)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["jobs"], body["jobs_expired"]) == ("error", "expired", 1)
    # The load balancer's probe stays on the database only: one dead worker must not take
    # the site out of the balancer.
    assert client.get("/livez").status_code == 200
    jobs.jobs_reap()
    assert client.get("/healthz").json()["jobs"] == "ok"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS_LEASE_SECONDS=0.2)
def test_the_heartbeat_keeps_a_long_job_alive_outside_a_transaction() -> None:
    import time

    with jobs.job_lease(JOB, 11) as held:
        assert held is not None
        time.sleep(1.0)  # five lease periods: only the heartbeat thread renews it
        assert jobs.jobs_expired_count() == 0
        assert jobs.lease_acquire(JOB, 11) is None
        held.check()
    assert not JobLease.objects.exists()


def test_the_scheduler_takes_back_a_dead_workers_job_too() -> None:
    from django.core.management import call_command

    batch_id = _unfinished_batch()
    stale = strand(JOB, batch_id, import_batch_run)
    call_command("scheduler", "--once", verbosity=0)
    stale.refresh_from_db()
    assert stale.status == TaskResultStatus.FAILED
    assert JobLease.objects.get().owner == ""
    assert DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=stale.task_path
    ).exists()


# --- Queue rows running with no lease (the worker died before the job took it) -------------


def test_healthz_reports_a_queue_row_running_long_with_no_lease(client: Client) -> None:
    from prakerja.core.tests.leases import strand_unleased
    from prakerja.registry.tasks import registration_receipt_send

    # A live short job (seconds old) and a live long one (its lease names its row) are fine.
    strand_unleased(
        registration_receipt_send, "+6281200000001", "PJ-AAAA-0001", True, seconds_ago=5
    )
    leased = strand(JOB, _unfinished_batch(), import_batch_run)
    JobLease.objects.update(expires_at=timezone.now() + timedelta(minutes=2))
    assert client.get("/healthz").json()["jobs"] == "ok"

    # An SMS whose worker died ten minutes ago: RUNNING for ever, named by no lease.
    stranded = strand_unleased(
        registration_receipt_send, "+6281200000002", "PJ-AAAA-0002", True, seconds_ago=600
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["jobs"], body["jobs_unleased"]) == ("error", "unleased", 1)
    assert body["jobs_expired"] == 0

    # Not a leased kind: it may have been texted already, so the reaper does not send it
    # again; it stays reported until an operator settles it (docs/OPERATIONS.md).
    assert jobs.jobs_reap() == []
    stranded.refresh_from_db()
    assert stranded.status == TaskResultStatus.RUNNING
    leased.refresh_from_db()
    assert leased.status == TaskResultStatus.RUNNING


@override_settings(TASKS_UNLEASED_RUNNING_SECONDS=3600)
def test_the_unleased_limit_is_a_setting(client: Client) -> None:
    from prakerja.core.tests.leases import strand_unleased
    from prakerja.registry.tasks import registration_receipt_send

    strand_unleased(registration_receipt_send, "+6281200000003", "PJ-AAAA-0003", True)
    assert client.get("/healthz").json()["jobs"] == "ok"


def test_the_reaper_fails_and_requeues_an_unleased_row_of_a_leased_kind_once(
    client: Client,
) -> None:
    from prakerja.core.tests.leases import DEAD_WORKER, strand_unleased
    from prakerja.linkage.tasks import outreach_invitations_job

    stale = strand_unleased(outreach_invitations_job, 5, 4, "3578")
    assert client.get("/healthz").json()["jobs"] == "unleased"

    assert jobs.jobs_reap() == [f"{stale.task_path}:{stale.pk}"]
    assert jobs.jobs_reap() == []  # another worker's reaper finds nothing to do

    stale.refresh_from_db()
    assert stale.status == TaskResultStatus.FAILED
    assert stale.exception_class_path == "prakerja.core.jobs.WorkerLost"
    assert f"worker {DEAD_WORKER} died before the job took its lease" in stale.traceback
    again = DBTaskResult.objects.exclude(pk=stale.pk).get()
    assert again.status == TaskResultStatus.READY
    assert again.args_kwargs["args"] == [5, 4, "3578"]  # the same job, its own arguments
    assert client.get("/healthz").json()["jobs"] == "ok"


def test_a_dead_outreach_lease_is_enqueued_again_with_the_jobs_arguments() -> None:
    from prakerja.linkage.tasks import outreach_invitations_job, outreach_lease_job

    strand(outreach_lease_job(5, "3578"), 4, outreach_invitations_job, args=(5, 4, "3578"))
    assert jobs.jobs_reap() == ["linkage.outreach:5:3578:4"]
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.args_kwargs["args"] == [5, 4, "3578"]
