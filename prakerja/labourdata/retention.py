"""How long an import's personal data is kept, and who downloaded it (UU PDP 27/2022).

An uploaded list holds full NIKs in two places once it is imported: the uploaded file (already
emptied when the job finishes, kept here as a second guard) and the original cells of its
rejected and duplicate rows, kept so the uploading office can download, correct and upload
them again. ``LABOURDATA_RETENTION_DAYS`` (default 30) days after the batch is done, the daily
job ``import_data_retention_apply`` deletes both; the rows themselves stay, with their status
and reasons (which never hold a cell's value), so the batch's figures do not change.

Until then every rejected-rows download is written to the personal-data access log
(``identity.PersonalDataAccess``): who, which batch, when, why.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import actor_role
from prakerja.core.errors import ApplicationError
from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.services import personal_data_access_record
from prakerja.labourdata.errors import LabourDataError
from prakerja.labourdata.models import ImportBatch, ImportDataDeletion, ImportRow

logger = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 30


def retention_days() -> int:
    return int(getattr(settings, "LABOURDATA_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def data_kept_until(batch: ImportBatch) -> dt.datetime | None:
    """When the batch's file and rejected-row cells will be deleted (None: not done yet)."""
    if batch.finished_at is None or batch.data_deleted_at is not None:
        return None
    return batch.finished_at + dt.timedelta(days=retention_days())


@dataclass(frozen=True)
class RetentionResult:
    batches: int
    rows_cleared: int


def import_data_retention_apply(*, actor: Any | None = None, reason: str = "") -> RetentionResult:
    """Delete the uploaded file and the original cells of the rejected and duplicate rows of
    every batch done at least ``LABOURDATA_RETENTION_DAYS`` days ago, one transaction and one
    ``ImportDataDeletion`` audit row per batch. Safe to run twice or by several workers: a
    batch already deleted is skipped, and each batch is re-checked under its row lock.

    ``actor``: who ran it by hand; None for the scheduled job.
    """
    days = retention_days()
    now = timezone.now()
    cutoff = now - dt.timedelta(days=days)
    due = ImportBatch.objects.filter(
        status__in=[ImportBatch.Status.COMPLETED, ImportBatch.Status.FAILED],
        finished_at__lte=cutoff,
        data_deleted_at__isnull=True,
    )
    batches = rows_cleared = 0
    for batch_id in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            # The lock makes a rejected-rows download that is being written finish first (it
            # holds the same lock), and a second run of this job wait and then skip the batch.
            locked = (
                due.select_for_update()
                .filter(pk=batch_id)
                .annotate(file_bytes=Length("file_encrypted"))
                .values_list("pk", "file_bytes")
                .first()
            )
            if locked is None:
                continue  # deleted meanwhile by another run, or queued again after a failure
            cleared = (
                ImportRow.objects.filter(batch_id=batch_id)
                .exclude(raw_encrypted="")
                .update(raw_encrypted="")
            )
            ImportBatch.objects.filter(pk=batch_id).update(file_encrypted=b"", data_deleted_at=now)
            ImportDataDeletion.objects.create(
                batch_id=batch_id,
                deleted_by=actor if getattr(actor, "pk", None) else None,
                retention_days=days,
                reason=(reason or f"retensi {days} hari setelah impor selesai")[:200],
                rows_cleared=cleared,
                file_bytes_cleared=locked[1] or 0,
            )
        batches += 1
        rows_cleared += cleared
    if batches:
        logger.info(
            "labourdata retention: data of %d imports deleted (%d rows)", batches, rows_cleared
        )
    return RetentionResult(batches=batches, rows_cleared=rows_cleared)


def rejected_rows_deleted_message(deleted_at: dt.datetime) -> str:
    return str(
        format_lazy(
            _(
                "Data baris yang ditolak dari impor ini sudah dihapus pada {date} sesuai "
                "ketentuan retensi data."
            ),
            date=timezone.localtime(deleted_at).strftime("%d-%m-%Y"),
        )
    )


def rejected_rows_downloadable_by(*, actor: Any, batch: ImportBatch) -> bool:
    """Only the office that uploaded the list gets its rejected rows back (they hold full NIKs
    for correcting and re-uploading): a regency's data officers their regency's uploads, the
    province's its own. Others with the batch in scope (the superadmin too) see its figures,
    not the NIKs."""
    return (
        actor_role(actor) == Role.DATA_OFFICER
        and getattr(actor, "regency_id", None) == batch.scope_regency_id
    )


def rejected_rows_download_record(*, actor: Any, batch: ImportBatch, file_format: str) -> None:
    """Log a download of the batch's rejected rows (they hold full NIKs) in the personal-data
    access log, or refuse it with 410 once retention has deleted them.

    Call it inside the transaction that reads the rows: the batch's row lock taken here keeps
    the retention job from deleting the cells half-way through the download.
    """
    if not rejected_rows_downloadable_by(actor=actor, batch=batch):
        raise ApplicationError(
            LabourDataError.REJECTED_ROWS_OTHER_OFFICE,
            _(
                "Baris yang ditolak berisi NIK lengkap dan hanya dapat diunduh oleh kantor yang "
                "mengunggah daftar ini."
            ),
            status=403,
        )
    locked = ImportBatch.objects.select_for_update().defer("file_encrypted").get(pk=batch.pk)
    if locked.data_deleted_at is not None:
        raise ApplicationError(
            LabourDataError.REJECTED_ROWS_DELETED,
            rejected_rows_deleted_message(locked.data_deleted_at),
            status=410,
        )
    personal_data_access_record(
        actor=actor,
        purpose=PersonalDataAccess.Purpose.REJECTED_ROWS_DOWNLOAD,
        subject=f"impor #{batch.pk} ({file_format})",
        found=True,
    )
