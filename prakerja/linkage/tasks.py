"""Background jobs of the linkage app (django-tasks): just other callers of services."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django_tasks import task

from prakerja.accounts.models import User
from prakerja.core.jobs import job_lease

# Leases (core.jobs) of the two SMS/cases jobs: a worker killed half-way has its job enqueued
# again by the reaper, which is safe because each job records what it does before doing it.
OUTREACH_JOB = "linkage.outreach"
JPS_CASES_JOB = "linkage.jps_cases"


def outreach_lease_job(actor_id: int | None, regency_code: str) -> str:
    """The lease's job key: one run per (actor, wave, regency) at a time. The actor is part of
    it because two offices invite different people (each its own scope) in the same wave."""
    return f"{OUTREACH_JOB}:{actor_id or 0}:{regency_code or ''}"


def outreach_lease_args(job: str, object_id: int) -> tuple[int | None, int, str]:
    """The job's arguments back from its lease (the reaper enqueues it again with them)."""
    _kind, actor_id, regency_code = job.split(":", 2)
    return (int(actor_id) or None, object_id, regency_code)


@task()
def linkage_run_job(run_id: int) -> None:
    """Link reported workers to registrants (idempotent: a re-run adds only what is missing)."""
    from prakerja.linkage.services.runs import linkage_run_execute

    linkage_run_execute(run_id=run_id)


@task()
def outreach_invitations_job(actor_id: int | None, wave_id: int, regency_code: str) -> int:
    """Send the SMS invitations of one wave (at most one per person, see the service).

    Under a lease: safe to run again from the top after a worker died, because each person's
    OutreachInvitation row (unique per worker and wave) is committed with the SMS queued
    on its commit, and a re-run skips everyone who has a row: nobody is texted twice.
    """
    from prakerja.linkage.services.outreach import outreach_invitations_send

    with job_lease(outreach_lease_job(actor_id, regency_code), wave_id) as lease:
        if lease is None:
            return 0  # a live worker is sending these invitations
        actor = User.objects.get(pk=actor_id) if actor_id else AnonymousUser()
        return outreach_invitations_send(
            actor=actor, wave_id=wave_id, regency_code=regency_code or None
        )


@task()
def jps_cases_for_batch_job(batch_id: int) -> int:
    """Open JPS review cases for an imported JPS list (idempotent).

    Under a lease: safe to run again from the top, since only the cases that do not exist
    yet are opened (one per registration and JPS receipt).
    """
    from prakerja.linkage.services.jps import jps_cases_open_for_batch

    with job_lease(JPS_CASES_JOB, batch_id) as lease:
        if lease is None:
            return 0  # a live worker is opening these cases
        return jps_cases_open_for_batch(batch_id=batch_id)
