"""Background jobs of the enrolment app (django-tasks): thin callers of services.

* ``participants_revoke_overdue_periodic``: scheduled daily (``core.periodic``), revokes the
  participants past their deadline and promotes from the waiting lists, under a lease
  (``core.jobs``: a worker that dies has it enqueued again as
  ``participants_revoke_overdue_job``; one transaction, so a dead run left nothing behind);
* ``notices_send_job``: the SMS owed by the revocation, queued with its commit.
"""

from __future__ import annotations

from django_tasks import task

from prakerja.core.jobs import job_lease

REVOKE_JOB = "enrolment.revoke"
NOTICES_JOB = "enrolment.notices"


def _revoke() -> dict[str, int]:
    from prakerja.enrolment.services.revocation import participants_revoke_overdue

    with job_lease(REVOKE_JOB, 0) as lease:
        if lease is None:
            return {"revoked": 0, "promoted": 0, "unfilled": 0}
        summary = participants_revoke_overdue()
    return {"revoked": summary.revoked, "promoted": summary.promoted, "unfilled": summary.unfilled}


@task()
def participants_revoke_overdue_periodic(period: str) -> dict[str, int]:
    """Revoke overdue participants and fill their places (scheduled daily)."""
    return _revoke()


@task()
def participants_revoke_overdue_job(lease_id: int = 0) -> dict[str, int]:
    """The same, enqueued again by the reaper after a worker died (``core.jobs``)."""
    return _revoke()


@task()
def notices_send_job(lease_id: int = 0) -> dict[str, int]:
    """Text every participant their owed notice, exactly once each."""
    from prakerja.enrolment.services.notices import notices_send

    with job_lease(NOTICES_JOB, 0) as lease:
        if lease is None:
            return {"claimed": 0, "sent": 0, "failed": 0}
        summary = notices_send()
    return {"claimed": summary.claimed, "sent": summary.sent, "failed": summary.failed}
