"""The import job: one batch, chunk by chunk, each chunk one transaction, under a job lease."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from prakerja.core.errors import ApplicationError
from prakerja.core.jobs import JobLeaseHeld, job_lease
from prakerja.labourdata.columns import columns_for
from prakerja.labourdata.models import ImportBatch, ImportRow, Kind
from prakerja.labourdata.services.chunks import (
    PreparedChunk,
    _ChunkPreparer,
    _ChunkSource,
    _PipelinedChunks,
    _SerialChunks,
)
from prakerja.labourdata.services.persons import NikIndexer
from prakerja.labourdata.services.store import _JpsChunk, _WorkerChunk
from prakerja.labourdata.services.upload import file_decrypt
from prakerja.labourdata.spreadsheet import Table, table_read
from prakerja.labourdata.validation import RegencyIndex, RowContext, RowValidator
from prakerja.regions.models import Regency

# Rows per chunk transaction (a setting, so that a test can kill a worker between chunks).
CHUNK_ROWS = settings.LABOURDATA_IMPORT_CHUNK_ROWS
# The lease of an import job (core.jobs): a batch whose worker died is continued by another.
IMPORT_JOB = "labourdata.import"
# Databases on which the next chunk is validated in a thread while this one is written. On
# PostgreSQL the server does its share of the work in its own process, so the job's waiting
# for it is a core free for validation. SQLite works inside this process (and the GIL).
PIPELINED_VENDORS = frozenset({"postgresql"})


def _batch_fail(batch_id: int, error: ApplicationError) -> None:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.rows_done:
            # Rows were stored by an earlier run that read this file fine; a read failure now
            # is not the file's fault. Leave it unfinished for a retry rather than mislabel it.
            raise error
        batch.status = ImportBatch.Status.FAILED
        batch.error_code = error.code
        batch.error_message = str(error.message)
        batch.finished_at = timezone.now()
        batch.file_encrypted = b""
        batch.save()


def _row_context(batch: ImportBatch) -> RowContext:
    regencies = list(Regency.objects.filter(province_id="35").values_list("code", "name"))
    return RowContext(
        regencies=RegencyIndex.build(regencies),
        scope_regency=batch.scope_regency_id,
        today=timezone.localdate(),
    )


def import_batch_process(*, batch_id: int, pipelined: bool | None = None) -> ImportBatch:
    """Import (or continue importing) one batch. Idempotent: a finished batch is left alone,
    an unfinished one continues after its last committed chunk.

    ``pipelined``: validate (and encrypt) the next chunk in a background thread while this one
    is written; by default on the databases in ``PIPELINED_VENDORS``. Same rows either way.
    """
    with job_lease(IMPORT_JOB, batch_id) as lease:
        if lease is None:
            # A live worker is importing this batch (this is a second task for it, e.g. a
            # manual resume): it finishes the batch; this run leaves it alone.
            return ImportBatch.objects.get(pk=batch_id)
        return _import_batch_run(batch_id=batch_id, pipelined=pipelined, lease=lease)


def _import_batch_run(*, batch_id: int, pipelined: bool | None, lease: JobLeaseHeld) -> ImportBatch:
    if pipelined is None:
        pipelined = connection.vendor in PIPELINED_VENDORS
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.is_finished:
            return batch
        batch.status = ImportBatch.Status.RUNNING
        batch.started_at = batch.started_at or timezone.now()
        batch.save(update_fields=["status", "started_at"])
    data = file_decrypt(bytes(batch.file_encrypted))
    try:
        table = table_read(
            data=data,
            name=batch.original_name,
            columns=columns_for(batch.kind),
            sheet=batch.sheet_name,
        )
    except ApplicationError as error:
        _batch_fail(batch.pk, error)
        batch.refresh_from_db()
        return batch
    del data
    return _chunks_store(batch, table, pipelined=pipelined, lease=lease)


def _chunks_store(
    batch: ImportBatch, table: Table, *, pipelined: bool, lease: JobLeaseHeld
) -> ImportBatch:
    total = len(table)
    # The notes come from reading the file, the same on every run: a resumed job rewrites them.
    ImportBatch.objects.filter(pk=batch.pk).update(rows_total=total, notes=table.notes)
    size = CHUNK_ROWS
    prepare = _ChunkPreparer(
        table,
        RowValidator(table.headers, _row_context(batch)),
        NikIndexer(),
        kind=batch.kind,
        batch_id=batch.pk,
        # Pipelined, the thread encrypts every accepted NIK ahead (it has the spare core);
        # serial, only the NIKs of persons who turn out to be new are encrypted.
        encrypt_niks=pipelined,
    )
    store = _WorkerChunk if batch.kind == Kind.WORKERS else _JpsChunk
    offset = batch.rows_done
    chunks: _ChunkSource = (
        _PipelinedChunks(prepare, total=total, size=size, start=offset)
        if pipelined
        else _SerialChunks(prepare)
    )
    try:
        while offset < total:
            with transaction.atomic():
                # Serialises two runs of this job (a re-queued one after a crash) chunk by
                # chunk. Only the columns the loop needs: the whole row holds the uploaded file
                # (megabytes of bytea), which PostgreSQL would otherwise send for every chunk.
                locked = (
                    ImportBatch.objects.select_for_update()
                    .only("id", "status", "rows_done")
                    .get(pk=batch.pk)
                )
                if locked.is_finished:
                    return ImportBatch.objects.get(pk=batch.pk)
                # Renewed in the chunk's transaction, which keeps the lease row locked until
                # the commit: a reaper cannot hand the batch to another worker while this
                # chunk is being written, and a chunk is never written after a takeover.
                lease.renew()
                if locked.rows_done != offset:
                    # Another run of this job got further meanwhile: continue where it is.
                    offset = locked.rows_done
                    continue
                end = min(offset + size, total)
                # Pipelined: usually ready, prepared while the previous chunk was written. A
                # validation error raised in the thread is raised here, inside this chunk's
                # transaction: the earlier chunks stay committed and the batch resumable.
                prepared: PreparedChunk = chunks.get(offset, end)
                counts = store(batch, table, prepared).run()
                fields: dict[str, Any] = {
                    "rows_done": end,
                    "rows_accepted": F("rows_accepted") + counts[ImportRow.Status.ACCEPTED],
                    "rows_rejected": F("rows_rejected") + counts[ImportRow.Status.REJECTED],
                    "rows_duplicate": F("rows_duplicate") + counts[ImportRow.Status.DUPLICATE],
                }
                if end == total:
                    # Only here, with the last rows: a batch never says "selesai" before it is.
                    fields |= {
                        "status": ImportBatch.Status.COMPLETED,
                        "finished_at": timezone.now(),
                        "file_encrypted": b"",
                    }
                ImportBatch.objects.filter(pk=batch.pk).update(**fields)
            offset = end
    finally:
        chunks.close()
    batch.refresh_from_db()
    return batch
