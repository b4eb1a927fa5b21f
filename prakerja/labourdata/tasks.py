"""Background jobs of the labour-data app (django-tasks): just another caller of services."""

from __future__ import annotations

from django_tasks import task

from prakerja.labourdata.services import import_batch_process
from prakerja.labourdata.signals import import_batch_finished


@task()
def import_batch_run(batch_id: int) -> None:
    """Import one uploaded list. Safe to run twice or after a crash: the service continues
    after the last committed chunk and leaves a finished batch alone."""
    import_batch_process(batch_id=batch_id)
    import_batch_finished.send(sender=import_batch_run, batch_id=batch_id)


@task()
def import_data_retention_periodic(period: str) -> int:
    """Delete the personal data of imports past their retention (scheduled daily,
    ``core.periodic``); returns how many batches were cleared."""
    from prakerja.labourdata.retention import import_data_retention_apply

    return import_data_retention_apply().batches
