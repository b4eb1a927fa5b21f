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
    from prakerja.linkage.services.jps import jps_cases_open_for_selection

    ref = f"{getattr(wave, 'pk', wave)}/{getattr(run, 'pk', run)}"
    jps_cases_open_for_selection(registration_ids=registration_ids, selection_ref=ref[:60])


def on_import_batch_finished(sender: Any, *, batch_id: int, **kwargs: Any) -> None:
    """After a labourdata import job, open JPS review cases for that list.

    Opening cases is idempotent and only acts on completed JPS batches, so a worker batch, a
    re-run or a duplicate signal changes nothing.
    """
    from prakerja.labourdata.models import ImportBatch, Kind
    from prakerja.linkage.services.jps import jps_cases_open_for_batch

    if ImportBatch.objects.filter(pk=batch_id, kind=Kind.JPS).exists():
        jps_cases_open_for_batch(batch_id=batch_id)
