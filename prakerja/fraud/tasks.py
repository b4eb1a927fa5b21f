"""The nightly signal job (``core.periodic``), a thin caller of ``fraud.services``; each rule's
findings are written in their own transaction and re-running changes nothing that did not
change, so a dead worker's run is simply done again."""

from __future__ import annotations

from django_tasks import task

from prakerja.core.jobs import job_lease

JOB = "fraud.signals"


def _run() -> dict[str, int]:
    from prakerja.fraud.services import signals_run

    with job_lease(JOB, 0) as lease:
        if lease is None:
            return {"found": 0, "new": 0, "reopened": 0}
        summary = signals_run()
    return {"found": summary.found, "new": summary.new, "reopened": summary.reopened}


@task()
def fraud_signals_periodic(period: str) -> dict[str, int]:
    return _run()


@task()
def fraud_signals_job(lease_id: int = 0) -> dict[str, int]:
    return _run()
