"""Background jobs of the labour-data app (django-tasks): just another caller of services."""

from __future__ import annotations

from django_tasks import task

from prakerja.labourdata.services import import_batch_process


@task()
def import_batch_run(batch_id: int) -> None:
    """Import one uploaded list. Safe to run twice or after a crash: the service continues
    after the last committed chunk and leaves a finished batch alone."""
    import_batch_process(batch_id=batch_id)
