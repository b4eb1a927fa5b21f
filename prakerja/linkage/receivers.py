"""Receivers connected in ``LinkageConfig.ready``: other apps tell us, we never import them."""

from __future__ import annotations

from typing import Any


def on_selection_published(
    sender: Any, *, run: Any, wave: Any, registration_ids: list[int], **kwargs: Any
) -> None:
    """Open a JPS review case for every selected applicant who receives JPS.

    Runs inside the publishing transaction, so the cases and the published result commit (or
    roll back) together; set-based, a few queries whatever the size of the selection.
    """
    from prakerja.linkage.services import jps_cases_open_for_selection

    ref = f"{getattr(wave, 'pk', wave)}/{getattr(run, 'pk', run)}"
    jps_cases_open_for_selection(registration_ids=registration_ids, selection_ref=ref[:60])


IMPORT_TASK = "prakerja.labourdata.tasks.import_batch_run"


def on_task_finished(sender: Any, *, task_result: Any, **kwargs: Any) -> None:
    """After a labourdata import job succeeds, open JPS review cases for that list.

    The import marks its batch completed with a queryset ``update`` (no model signal), and the
    labourdata app must not import this one, so we listen to django-tasks' own
    ``task_finished``. Opening cases is idempotent and only acts on completed JPS batches, so a
    worker batch, a re-run or a duplicate signal changes nothing.
    """
    from django_tasks import TaskResultStatus

    if task_result.task.module_path != IMPORT_TASK:
        return
    if task_result.status != TaskResultStatus.SUCCESSFUL or not task_result.args:
        return
    from prakerja.labourdata.models import ImportBatch, Kind
    from prakerja.linkage.services import jps_cases_open_for_batch

    batch_id = int(task_result.args[0])
    if ImportBatch.objects.filter(pk=batch_id, kind=Kind.JPS).exists():
        jps_cases_open_for_batch(batch_id=batch_id)
