"""Writes of the labour-data domain: uploading a list, and the job that imports it.

The import is built so that nothing is lost and nothing doubled:

* the upload is keyed by the file's SHA-256 (``ImportBatch`` is unique per kind and hash): the
  same file again returns the existing batch and changes nothing;
* the job stores the rows in chunks, each in one transaction together with the batch's
  ``rows_done``, and every chunk is keyed by ``(batch, row_number)``. A job killed half-way has
  committed whole chunks only; running it again continues at ``rows_done``. The job holds a
  lease (``core.jobs``), renewed with every chunk: when its worker dies the lease runs out and
  another worker's reaper enqueues the job again, which continues the same way;
* ``status = completed`` is written in the transaction of the last chunk, so a batch that says
  "selesai" holds every row of its file, and one that does not is visibly unfinished;
* a file that cannot be read as a whole fails before any row is stored, with its reason.

Persons are created in bulk (blind index + Fernet per NIK, insert-or-ignore on ``nik_index``),
never one ORM save per row, and never more than a few chunks of rows are held in memory as
objects. On PostgreSQL the next chunk is validated and encrypted in a background thread while
this one is written (``_PipelinedChunks``); the thread never queries, so everything above holds
for it unchanged.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import logging
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import Capability, actor_require, actor_role
from prakerja.core.errors import ApplicationError
from prakerja.core.jobs import JobLeaseHeld, job_lease
from prakerja.identity import crypto
from prakerja.identity.models import Person
from prakerja.labourdata.bulk import (
    json_text,
    pairs_where_in,
    rows_insert,
    rows_insert_new,
    rows_where_in,
)
from prakerja.labourdata.columns import JPS_COLUMNS, WORKER_COLUMNS, Column
from prakerja.labourdata.models import (
    ImportBatch,
    ImportRow,
    JpsRecipient,
    Kind,
    ReportedWorker,
    Source,
    WorkerReport,
)
from prakerja.labourdata.spreadsheet import (
    Table,
    file_check_size,
    file_kind,
    max_upload_bytes,
    table_read,
    xlsx_archive_check,
)
from prakerja.labourdata.validation import RegencyIndex, RowContext, RowValidator
from prakerja.regions.models import Regency

logger = logging.getLogger(__name__)

# Rows per chunk transaction (a setting, so that a test can kill a worker between chunks).
CHUNK_ROWS = settings.LABOURDATA_IMPORT_CHUNK_ROWS
# The lease of an import job (core.jobs): a batch whose worker died is continued by another.
IMPORT_JOB = "labourdata.import"
# Databases on which the next chunk is validated in a thread while this one is written. On
# PostgreSQL the server does its share of the work in its own process, so the job's waiting
# for it is a core free for validation. SQLite works inside this process (and the GIL).
PIPELINED_VENDORS = frozenset({"postgresql"})
REPORT_FIELDS = (
    "worker",
    "batch",
    "row_number",
    "source",
    "category",
    "migrant_reason",
    "regency",
    "company",
    "report_date",
    "phone",
    "full_name",
    "birth_date",
)
WORKER_FIELDS = (
    "person",
    "full_name",
    "birth_date",
    "gender",
    "regency",
    "phone",
    "first_reported_at",
)
JPS_FIELDS = ("person", "batch", "row_number", "full_name", "programme", "amount", "period")
READ_BLOCK = 1024 * 1024


def columns_for(kind: str) -> tuple[Column, ...]:
    return JPS_COLUMNS if kind == Kind.JPS else WORKER_COLUMNS


# --- Blind index in bulk ---------------------------------------------------------------------


class NikIndexer:
    """``crypto.blind_index(value, purpose="nik")`` with the purpose key derived once: the same
    digests (a test holds it to that), without re-deriving the key for every row."""

    def __init__(self, purpose: str = "nik") -> None:
        master = settings.NIK_HMAC_KEY.encode("utf-8")
        self._key = hmac.new(
            master, b"prakerja.blind-index." + purpose.encode(), hashlib.sha256
        ).digest()

    def __call__(self, value: str) -> str:
        return hmac.digest(self._key, value.encode("utf-8"), "sha256").hex()


def person_ids_ensure(
    niks: dict[str, str], *, tokens: dict[str, str] | None = None
) -> dict[str, int]:
    """``{nik_index: person_id}`` for ``{nik_index: nik}``, creating the persons who are new
    (``tokens``: ``{nik_index: encrypted NIK}`` already at hand, encrypted here otherwise).

    Insert-or-ignore on the unique blind index: a person created meanwhile by a registration
    (or a second import run) is simply found, never duplicated.
    """
    if not niks:
        return {}
    keys = list(niks)
    found: dict[str, int] = pairs_where_in(Person, "nik_index", "id", keys)
    missing = [key for key in keys if key not in found]
    if missing:
        encrypt = crypto.encrypt
        ready = tokens or {}
        now = timezone.now()
        found.update(
            rows_insert_new(
                Person,
                ("nik_encrypted", "nik_index", "kk_encrypted", "kk_index", "created_at"),
                [(ready.get(key) or encrypt(niks[key]), key, "", "", now) for key in missing],
                key_field="nik_index",
            )
        )
        # Created meanwhile by a registration or another import (the insert skipped them).
        raced = [key for key in missing if key not in found]
        if raced:
            found.update(pairs_where_in(Person, "nik_index", "id", raced))
    return found


def _file_fernet() -> MultiFernet:
    # The personal-data keys (newest first): an upload holds NIKs until the job has read it.
    return MultiFernet([Fernet(key) for key in settings.NIK_ENCRYPTION_KEYS])


def file_encrypt(data: bytes) -> bytes:
    return _file_fernet().encrypt(data)


def file_decrypt(token: bytes) -> bytes:
    return _file_fernet().decrypt(token)


# --- Upload ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadResult:
    batch: ImportBatch
    created: bool
    message: str


def _actor_scope_regency(actor: Any) -> str | None:
    """A regency data officer's regency; None for province-wide importers."""
    if actor_role(actor) == Role.DATA_OFFICER and getattr(actor, "regency_id", None):
        return str(actor.regency_id)
    return None


def _read_upload(upload: IO[bytes], size: int | None) -> bytes:
    if size is not None:
        file_check_size(size)
    # Read in blocks and stop one block past the limit, whatever the client said the size was.
    limit = max_upload_bytes()
    chunks: list[bytes] = []
    total = 0
    while True:
        block = upload.read(READ_BLOCK)
        if not block:
            break
        total += len(block)
        if total > limit:
            file_check_size(total)
        chunks.append(block)
    data = b"".join(chunks)
    file_check_size(len(data))
    return data


def import_batch_upload(
    *,
    actor: Any,
    kind: str,
    source: str = "",
    name: str,
    upload: IO[bytes],
    size: int | None = None,
    sheet: str = "",
) -> UploadResult:
    """Accept an uploaded list and queue its import; returns at once.

    The same file (same kind and SHA-256) again changes nothing and says so; a batch that
    failed is queued again (its rows were never stored), with the ``sheet`` now asked for.
    ``sheet``: the name of the workbook sheet to import, "" to let the job find it.
    """
    actor_require(actor, Capability.LABOUR_DATA_IMPORT)
    if kind not in Kind.values:
        raise ApplicationError(
            "labourdata.kind_invalid", _("Jenis data tidak dikenal."), field="kind"
        )
    if kind == Kind.WORKERS and source not in Source.values:
        raise ApplicationError(
            "labourdata.source_required", _("Pilih sumber data."), field="source"
        )
    if kind == Kind.JPS:
        source = ""
    name = (name or "").strip()[:255] or "berkas"
    sheet = (sheet or "").strip()[:100]
    data = _read_upload(upload, size)
    if file_kind(name, data[:8]) == "xlsx":
        # The sizes the zip declares, at once (no byte inflated here); the job inflates each
        # part once more under a cap before anything parses the workbook.
        xlsx_archive_check(data, inflate=False)
    digest = hashlib.sha256(data).hexdigest()

    with transaction.atomic():
        existing = ImportBatch.objects.select_for_update().filter(kind=kind, sha256=digest).first()
        if existing is not None:
            if existing.status == ImportBatch.Status.FAILED:
                existing.status = ImportBatch.Status.QUEUED
                existing.error_code = ""
                existing.error_message = ""
                existing.file_encrypted = file_encrypt(data)
                existing.sheet_name = sheet
                existing.notes = []
                existing.started_at = None
                existing.finished_at = None
                # A new run stores new rows: their retention starts when this run is done.
                existing.data_deleted_at = None
                existing.save()
                _enqueue(existing.pk)
                return UploadResult(
                    existing, False, str(_("Berkas ini pernah gagal diimpor; diproses ulang."))
                )
            if existing.status == ImportBatch.Status.COMPLETED:
                message = format_lazy(
                    _(
                        "Berkas yang sama persis sudah diimpor pada {when}. Tidak ada data yang "
                        "berubah."
                    ),
                    when=timezone.localtime(existing.created_at).strftime("%d-%m-%Y %H:%M"),
                )
            else:
                message = _("Berkas yang sama sedang diproses. Tidak ada data yang berubah.")
            return UploadResult(existing, False, str(message))
        batch = ImportBatch.objects.create(
            kind=kind,
            source=source,
            original_name=name,
            sha256=digest,
            size_bytes=len(data),
            file_encrypted=file_encrypt(data),
            sheet_name=sheet,
            scope_regency_id=_actor_scope_regency(actor),
            uploaded_by=actor,
        )
        _enqueue(batch.pk)
    return UploadResult(batch, True, str(_("Berkas diterima dan sedang diproses.")))


def _enqueue(batch_id: int) -> None:
    from prakerja.labourdata.tasks import import_batch_run

    transaction.on_commit(lambda: import_batch_run.enqueue(batch_id))


def import_batch_resume(*, batch_id: int) -> None:
    """Queue the job again for an unfinished batch (after a worker crash). Safe to repeat."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.is_finished:
        return
    with transaction.atomic():
        _enqueue(batch.pk)


# --- The job ---------------------------------------------------------------------------------


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
    # The cyclic garbage collector would walk every object of the process (Django's and the
    # table's) again and again while the chunks allocate their rows: about a third of the
    # job's CPU at 100,000 rows. Freeze what exists now; unfreeze when done.
    gc.freeze()
    try:
        return _chunks_store(batch, table, pipelined=pipelined, lease=lease)
    finally:
        gc.unfreeze()


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
                prepared = chunks.get(offset, end)
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


# --- Preparing a chunk: no database --------------------------------------------------------

Accepted = tuple[int, dict[str, str], dict[str, Any], str]  # index, cells, clean, nik_index


@dataclass
class PreparedChunk:
    """Rows ``[start, end)`` validated: what can be known without the database."""

    start: int
    end: int
    # ImportRow tuples of the rejected rows, their original cells already encrypted.
    rejected: list[tuple[Any, ...]]
    accepted: list[Accepted]
    # {nik_index: Fernet token of the NIK} for the accepted rows, when encrypted ahead.
    nik_tokens: dict[str, str]


class _ChunkPreparer:
    """Validates rows, computes blind indexes and encrypts — pure CPU, never a query, so it
    may run in a thread of its own (``_PipelinedChunks``)."""

    def __init__(
        self,
        table: Table,
        validator: RowValidator,
        indexer: NikIndexer,
        *,
        kind: str,
        batch_id: int,
        encrypt_niks: bool,
    ) -> None:
        self.table = table
        self.validator = validator
        self.indexer = indexer
        self.batch_id = batch_id
        self.encrypt_niks = encrypt_niks
        self.check = validator.worker_row if kind == Kind.WORKERS else validator.jps_row

    def __call__(self, start: int, end: int) -> PreparedChunk:
        table = self.table
        numeric = table.numeric_nik_rows
        row_numbers = table.row_numbers
        columns = list(table.cells.items())
        rejected: list[tuple[Any, ...]] = []
        accepted: list[Accepted] = []
        for index in range(start, end):
            cells = {key: (values[index] or "").strip() for key, values in columns}
            clean, errors = self.check(cells, numeric_nik=row_numbers[index] in numeric)
            if clean is None:
                rejected.append(
                    import_row(
                        table, self.batch_id, index, cells, ImportRow.Status.REJECTED, errors
                    )
                )
            else:
                accepted.append((index, cells, clean, self.indexer(clean["nik"])))
        tokens: dict[str, str] = {}
        if self.encrypt_niks:
            encrypt = crypto.encrypt
            for _index, _cells, clean, key in accepted:
                if key not in tokens:
                    tokens[key] = encrypt(clean["nik"])
        return PreparedChunk(start, end, rejected, accepted, tokens)


def cells_encrypt(table: Table, cells: dict[str, str]) -> str:
    """The original cells of a row under the file's own headers, Fernet-encrypted JSON."""
    original = {table.headers[key]: value for key, value in cells.items()}
    return crypto.encrypt(json.dumps(original, ensure_ascii=False))


def import_row(
    table: Table, batch_id: int, index: int, cells: dict[str, str], status: str, errors: list[Any]
) -> tuple[Any, ...]:
    """One ``ImportRow`` tuple. The original cells are kept (encrypted) only for rows a user
    may download and fix: rejected and duplicate rows. An accepted row's values are in its
    report; encrypting them again was half of the import's Fernet work."""
    return (
        batch_id,
        table.row_numbers[index],
        status,
        json_text(errors) if errors else "[]",
        "" if status == ImportRow.Status.ACCEPTED else cells_encrypt(table, cells),
    )


class _ChunkSource:
    def get(self, start: int, end: int) -> PreparedChunk:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _SerialChunks(_ChunkSource):
    """Prepares each chunk when it is asked for (inside its transaction)."""

    def __init__(self, prepare: _ChunkPreparer) -> None:
        self.prepare = prepare

    def get(self, start: int, end: int) -> PreparedChunk:
        return self.prepare(start, end)


@dataclass
class _Failed:
    error: BaseException


class _PipelinedChunks(_ChunkSource):
    """Prepares chunk after chunk in a background thread, one ahead of the writer.

    While the main thread waits for the database (the server's inserts, index updates and
    deferred foreign-key checks of chunk N), the thread validates and encrypts chunk N+1 on the
    other core. The queue holds one chunk, so at most three are in memory (written, queued,
    being prepared). The thread never touches the database: every write stays in the main
    thread's chunk transactions, so resuming, counts and "completed only with the last chunk"
    are those of the serial path. An exception in the thread is handed over through the queue
    and raised by ``get`` for the chunk it concerns.
    """

    def __init__(self, prepare: _ChunkPreparer, *, total: int, size: int, start: int) -> None:
        self.prepare = prepare
        self.total = total
        self.size = size
        # Messages in validation are translated: the thread uses the job's language.
        self.language = translation.get_language()
        self._launch(start)

    def _launch(self, start: int) -> None:
        self.next_start = start
        self.queue: queue.Queue[PreparedChunk | _Failed] = queue.Queue(maxsize=1)
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._work,
            args=(start, self.queue, self.stop),
            name="labourdata-prepare",
            daemon=True,
        )
        self.thread.start()

    def _work(
        self, start: int, out: queue.Queue[PreparedChunk | _Failed], stop: threading.Event
    ) -> None:
        try:
            with translation.override(self.language):
                offset = start
                while offset < self.total and not stop.is_set():
                    end = min(offset + self.size, self.total)
                    if not _put(out, self.prepare(offset, end), stop):
                        return
                    offset = end
        except BaseException as error:  # handed to the main thread, which raises it
            _put(out, _Failed(error), stop)

    def get(self, start: int, end: int) -> PreparedChunk:
        if start != self.next_start:
            # Another run of the job got further meanwhile: prepare from where it is.
            self.close()
            self._launch(start)
        item = self.queue.get()
        if isinstance(item, _Failed):
            self.next_start = -1  # whatever follows, start over
            raise item.error
        if (item.start, item.end) != (start, end):  # pragma: no cover - a bug, not a state
            raise RuntimeError(f"prepared rows {item.start}-{item.end}, wanted {start}-{end}")
        self.next_start = end
        return item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def _put(out: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    """Put ``item`` unless the consumer has stopped (it may never read again)."""
    while not stop.is_set():
        try:
            out.put(item, timeout=0.1)
        except queue.Full:
            continue
        return True
    return False


# --- Storing a chunk: the main thread, inside the chunk's transaction ----------------------


class _Chunk:
    """Stores one prepared chunk (inside the caller's transaction)."""

    def __init__(self, batch: ImportBatch, table: Table, prepared: PreparedChunk) -> None:
        self.batch = batch
        self.table = table
        self.prepared = prepared
        self.rows: list[tuple[Any, ...]] = list(prepared.rejected)
        self.counts = {status: 0 for status in ImportRow.Status.values}
        self.counts[ImportRow.Status.REJECTED] = len(prepared.rejected)

    def add_row(self, index: int, cells: dict[str, str], status: str, errors: list[Any]) -> None:
        self.counts[status] += 1
        self.rows.append(import_row(self.table, self.batch.pk, index, cells, status, errors))

    def run(self) -> dict[str, int]:
        raise NotImplementedError

    def flush_rows(self) -> None:
        rows_insert(
            ImportRow, ("batch", "row_number", "status", "errors", "raw_encrypted"), self.rows
        )
        self.rows = []


def _duplicate_in_file(column: str, row_number: int) -> dict[str, str]:
    return {
        "column": column,
        "code": "labourdata.duplicate_in_file",
        "message": str(
            format_lazy(_("NIK ini sudah ada di baris {row} berkas ini."), row=row_number)
        ),
    }


class _WorkerChunk(_Chunk):
    def run(self) -> dict[str, int]:
        accepted = self.prepared.accepted
        person_ids = person_ids_ensure(
            {key: clean["nik"] for _i, _c, clean, key in accepted},
            tokens=self.prepared.nik_tokens,
        )
        worker_ids = self._workers_ensure(accepted, person_ids)
        # Reports these workers already have: in this batch (an earlier row or chunk of the same
        # file) or the same report from the same source in an earlier batch.
        earlier: dict[int, list[tuple[int, int, str, str, date | None]]] = {}
        for report in rows_where_in(
            WorkerReport,
            "worker",
            ("batch", "row_number", "source", "category", "report_date"),
            list(set(worker_ids.values())),
        ):
            earlier.setdefault(report[0], []).append(report[1:])

        nik_column = self.table.headers.get("nik", "NIK")
        reports: list[tuple[Any, ...]] = []
        for index, cells, clean, key in accepted:
            worker_id = worker_ids[person_ids[key]]
            duplicate = self._duplicate(earlier.get(worker_id, ()), clean, nik_column)
            if duplicate is not None:
                self.add_row(index, cells, ImportRow.Status.DUPLICATE, [duplicate])
                continue
            row_number = self.table.row_numbers[index]
            earlier.setdefault(worker_id, []).append(
                (
                    self.batch.pk,
                    row_number,
                    self.batch.source,
                    clean["category"],
                    clean["report_date"],
                )
            )
            reports.append(
                (
                    worker_id,
                    self.batch.pk,
                    row_number,
                    self.batch.source,
                    clean["category"],
                    clean["migrant_reason"],
                    clean["regency"],
                    clean["company"],
                    clean["report_date"],
                    clean["phone"],
                    clean["full_name"],
                    clean["birth_date"],
                )
            )
            self.add_row(index, cells, ImportRow.Status.ACCEPTED, [])
        rows_insert(WorkerReport, REPORT_FIELDS, reports)
        self.flush_rows()
        return self.counts

    def _duplicate(
        self,
        earlier: Iterable[tuple[int, int, str, str, date | None]],
        clean: dict[str, Any],
        nik_column: str,
    ) -> dict[str, str] | None:
        for batch_id, row_number, source, category, report_date in earlier:
            if batch_id == self.batch.pk:
                return _duplicate_in_file(nik_column, row_number)
            if (source, category, report_date) == (
                self.batch.source,
                clean["category"],
                clean["report_date"],
            ):
                return {
                    "column": nik_column,
                    "code": "labourdata.duplicate_report",
                    "message": str(
                        format_lazy(
                            _(
                                "Pekerja ini sudah dilaporkan oleh sumber yang sama dengan "
                                "kategori dan tanggal yang sama (impor #{batch}, baris {row})."
                            ),
                            batch=batch_id,
                            row=row_number,
                        )
                    ),
                }
        return None

    def _workers_ensure(
        self,
        accepted: list[Accepted],
        person_ids: dict[str, int],
    ) -> dict[int, int]:
        """``{person_id: worker_id}``; a person reported for the first time gets a worker
        row with what this (first) report says."""
        wanted = list({person_ids[key] for *_rest, key in accepted})
        found: dict[int, int] = pairs_where_in(ReportedWorker, "person", "id", wanted)
        new: dict[int, tuple[Any, ...]] = {}
        now = timezone.now()
        for _index, _cells, clean, key in accepted:
            person_id = person_ids[key]
            if person_id in found or person_id in new:
                continue
            new[person_id] = (
                person_id,
                clean["full_name"],
                clean["birth_date"] or clean["nik_birth_date"],
                clean["gender"],
                clean["regency"],
                clean["phone"],
                now,
            )
        if new:
            found.update(
                rows_insert_new(
                    ReportedWorker, WORKER_FIELDS, list(new.values()), key_field="person"
                )
            )
            # Reported meanwhile by another import running at the same time.
            raced = [person_id for person_id in new if person_id not in found]
            if raced:
                found.update(pairs_where_in(ReportedWorker, "person", "id", raced))
        return found


class _JpsChunk(_Chunk):
    def run(self) -> dict[str, int]:
        accepted = self.prepared.accepted
        person_ids = person_ids_ensure(
            {key: clean["nik"] for _i, _c, clean, key in accepted},
            tokens=self.prepared.nik_tokens,
        )
        earlier: dict[tuple[int, str, str], tuple[int, int]] = {}
        for person_id, programme, period, batch_id, row_number in rows_where_in(
            JpsRecipient,
            "person",
            ("programme", "period", "batch", "row_number"),
            list(set(person_ids.values())),
        ):
            earlier[(person_id, programme, period)] = (batch_id, row_number)
        nik_column = self.table.headers.get("nik", "NIK")
        recipients: list[tuple[Any, ...]] = []
        for index, cells, clean, key in accepted:
            person_id = person_ids[key]
            identity = (person_id, clean["programme"], clean["period"])
            row_number = self.table.row_numbers[index]
            if identity in earlier:
                batch_id, earlier_row = earlier[identity]
                if batch_id == self.batch.pk:
                    problem = _duplicate_in_file(nik_column, earlier_row)
                else:
                    problem = {
                        "column": nik_column,
                        "code": "labourdata.duplicate_report",
                        "message": str(
                            format_lazy(
                                _(
                                    "Penerima ini sudah tercatat untuk program dan periode yang "
                                    "sama (impor #{batch}, baris {row})."
                                ),
                                batch=batch_id,
                                row=earlier_row,
                            )
                        ),
                    }
                self.add_row(index, cells, ImportRow.Status.DUPLICATE, [problem])
                continue
            earlier[identity] = (self.batch.pk, row_number)
            recipients.append(
                (
                    person_id,
                    self.batch.pk,
                    row_number,
                    clean["full_name"],
                    clean["programme"],
                    clean["amount"],
                    clean["period"],
                )
            )
            self.add_row(index, cells, ImportRow.Status.ACCEPTED, [])
        rows_insert(JpsRecipient, JPS_FIELDS, recipients)
        self.flush_rows()
        return self.counts
