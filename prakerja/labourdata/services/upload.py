"""Accepting an uploaded list: checked, stored encrypted, keyed by its SHA-256, its job queued."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import Capability, actor_require, actor_role
from prakerja.core.errors import ApplicationError
from prakerja.labourdata.errors import LabourDataError
from prakerja.labourdata.models import ImportBatch, Kind, Source
from prakerja.labourdata.spreadsheet import (
    file_check_size,
    file_kind,
    max_upload_bytes,
    xlsx_archive_check,
)

READ_BLOCK = 1024 * 1024


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
            LabourDataError.KIND_INVALID, _("Jenis data tidak dikenal."), field="kind"
        )
    if kind == Kind.WORKERS and source not in Source.values:
        raise ApplicationError(
            LabourDataError.SOURCE_REQUIRED, _("Pilih sumber data."), field="source"
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
