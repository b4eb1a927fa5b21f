"""Background jobs of the waves app (django-tasks): thin callers of services."""

from __future__ import annotations

from django_tasks import task

from prakerja.waves.services import selection_run_execute


@task()
def selection_run_execute_task(run_id: int) -> str:
    """Rank a run's applicants and store the results. Idempotent: a run already ranked is
    left as it is, an interrupted one is recomputed. Returns the run's status."""
    return str(selection_run_execute(run_id=run_id).status)
