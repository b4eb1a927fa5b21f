"""Background jobs of the payments app (django-tasks): thin callers of services.

``instalments_make_due_periodic`` runs daily (``core.periodic``) under a lease; the job is one
transaction and idempotent, so a worker that dies leaves nothing half-made and the next run
(or ``manage.py payments_make_due``) does the same work again.
"""

from __future__ import annotations

from django_tasks import task

from prakerja.core.jobs import job_lease

DUE_JOB = "payments.make_due"


def _make_due() -> dict[str, int]:
    from prakerja.payments.services.schedule import instalments_make_due

    with job_lease(DUE_JOB, 0) as lease:
        if lease is None:
            return {"created": 0, "became_due": 0}
        summary = instalments_make_due()
    return {"created": summary.created, "became_due": summary.became_due}


@task()
def instalments_make_due_periodic(period: str) -> dict[str, int]:
    """Make due every instalment a completion, a survey or a date now entitles (daily)."""
    return _make_due()


@task()
def instalments_make_due_job(lease_id: int = 0) -> dict[str, int]:
    """The same, enqueued again by the reaper after a worker died (``core.jobs``)."""
    return _make_due()
