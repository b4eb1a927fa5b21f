"""Payment batches: built by one treasury officer from the due instalments (all, or one
regency or channel), approved by a second, exported as the bank's bulk-transfer file.

While a line waits for the bank its instalment is in no other batch: the partial unique
constraint ``payment_line_one_open_batch`` holds it at the database, and two officers building
at once simply split the due instalments between them (``ON CONFLICT DO NOTHING``).

File layouts (CSV, UTF-8, comma-separated, one record per line; every cell through the
formula-safe writer):

* bank (``bank``): ``H,<batch>,<approved YYYYMMDD>,<lines>,<total>``, then per transfer
  ``D,<line id>,<bank code>,<account number>,<holder name>,<amount>,<reference>``, then
  ``T,<lines>,<total>,<sha256>``;
* e-wallet (``ewallet``): the same header and trailer, with
  ``D,<line id>,<e-wallet>,<phone 62…>,<holder name>,<amount>,<reference>``.

``<sha256>`` is the hex SHA-256 of the detail records exactly as written (with their line
ends); ``<reference>`` is ``PRAKERJA-<batch>-<line id>``. The content depends only on stored
data, so exporting again gives the same bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.core.exports import csv_text
from prakerja.enrolment.models import Participant
from prakerja.identity import crypto
from prakerja.payments.errors import PaymentError
from prakerja.payments.models import Channel, Instalment, PaymentAccount, PaymentBatch, PaymentLine
from prakerja.payments.services.ledger import movements_from_lines
from prakerja.payments.sql import db_time, literal, table
from prakerja.regions.models import Regency


def batch_get(*, actor: Any, batch_id: int, lock: bool = False) -> PaymentBatch:
    actor_require(actor, Capability.PAYMENT_MANAGE)
    rows = PaymentBatch.objects.select_for_update() if lock else PaymentBatch.objects
    batch = rows.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(PaymentError.BATCH_NOT_FOUND, _("Batch pembayaran tidak ditemukan."))
    return batch


def batch_build(*, actor: Any, regency_code: str = "", channel: str = "") -> PaymentBatch:
    """A draft batch of every due instalment whose participant is active and has a checked
    account not on hold, optionally of one regency or one channel."""
    actor_require(actor, Capability.PAYMENT_MANAGE)
    regency = None
    if regency_code:
        regency = Regency.objects.filter(code=regency_code).first()
        if regency is None:
            raise ApplicationError(
                PaymentError.BATCH_FILTER_INVALID,
                _("Kabupaten/kota tidak dikenal."),
                field="regency",
                status=422,
            )
    if channel and channel not in Channel.values:
        raise ApplicationError(
            PaymentError.BATCH_FILTER_INVALID,
            _("Jenis pembayaran harus rekening bank atau dompet digital."),
            field="channel",
            status=422,
        )
    now = timezone.now()
    filters = ""
    params: list[Any] = []
    if regency is not None:
        filters += " AND i.regency_id = %s"
        params.append(regency.pk)
    if channel:
        filters += " AND a.channel = %s"
        params.append(channel)
    with transaction.atomic():
        batch = PaymentBatch(built_by=actor, channel=channel, regency=regency)
        audit_as(batch, actor=actor, reason="batch disusun")
        batch.save()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table(PaymentLine)} (batch_id, instalment_id, participant_id,
                    amount, channel, provider, number_encrypted, holder_name, result, reason,
                    settled_at)
                SELECT %s, i.id, i.participant_id, i.amount, a.channel, a.provider,
                       a.number_encrypted, a.holder_name, {literal(PaymentLine.Result.PENDING)},
                       '', NULL
                FROM {table(Instalment)} i
                JOIN {table(PaymentAccount)} a
                  ON a.participant_id = i.participant_id AND a.is_active
                JOIN {table(Participant)} p ON p.id = i.participant_id
                WHERE i.status = {literal(Instalment.Status.DUE)}
                  AND p.status = {literal(Participant.Status.ACTIVE)}
                  AND a.name_check = {literal(PaymentAccount.NameCheck.MATCHED)}
                  AND (a.blocked_until IS NULL OR a.blocked_until <= %s) {filters}
                ORDER BY i.id
                ON CONFLICT DO NOTHING
                """,  # noqa: S608 - table names and enum values of the models only
                [batch.pk, db_time(now), *params],
            )
        lines = PaymentLine.objects.filter(batch=batch)
        count = lines.count()
        if count == 0:
            raise ApplicationError(
                PaymentError.BATCH_EMPTY,
                _("Tidak ada angsuran yang siap dibayar dengan pilihan ini."),
                status=409,
            )
        movements_from_lines(
            kind="batched", where="l.batch_id = %s", params=[batch.pk], actor=actor, now=now
        )
        Instalment.objects.filter(lines__batch=batch).update(status=Instalment.Status.IN_BATCH)
        total = lines.aggregate(total=Sum("amount"))["total"] or 0
        PaymentBatch.objects.filter(pk=batch.pk).update(line_count=count, total=total)
        batch.line_count, batch.total = count, total
    return batch


def batch_approve(*, actor: Any, batch_id: int) -> PaymentBatch:
    """The second officer's approval; the one who built the batch may not approve it."""
    with transaction.atomic():
        batch = batch_get(actor=actor, batch_id=batch_id, lock=True)
        if batch.status != PaymentBatch.Status.DRAFT:
            raise ApplicationError(
                PaymentError.BATCH_NOT_DRAFT, _("Batch ini sudah disetujui."), status=409
            )
        if batch.built_by_id == getattr(actor, "pk", None):
            raise ApplicationError(
                PaymentError.BATCH_SELF_APPROVAL,
                _("Batch harus disetujui oleh petugas lain, bukan penyusunnya."),
                status=409,
            )
        batch.status = PaymentBatch.Status.APPROVED
        batch.approved_by = actor
        batch.approved_at = timezone.now()
        audit_as(batch, actor=actor, reason="batch disetujui")
        batch.save(update_fields=["status", "approved_by", "approved_at"])
    return batch


def _digits(number_encrypted: str) -> str:
    """The account number, or the e-wallet's phone as ``62…`` (digits only: a cell starting
    with ``+`` would be quoted by the formula-safe writer, and banks read digits)."""
    return crypto.decrypt(number_encrypted).lstrip("+")


@dataclass(frozen=True)
class ExportFile:
    name: str
    content: bytes
    sha256: str
    lines: int
    total: int


def batch_export(*, actor: Any, batch_id: int, layout: str) -> ExportFile:
    """The bank's (``bank``) or the e-wallet provider's (``ewallet``) file of an approved
    batch: its lines of that channel. Audited each time."""
    if layout not in Channel.values:
        raise ApplicationError(
            PaymentError.BATCH_FILTER_INVALID, _("Format berkas tidak dikenal."), status=422
        )
    with transaction.atomic():
        batch = batch_get(actor=actor, batch_id=batch_id, lock=True)
        if batch.status == PaymentBatch.Status.DRAFT:
            raise ApplicationError(
                PaymentError.BATCH_NOT_APPROVED,
                _("Batch belum disetujui petugas kedua: berkas bank belum dapat diunduh."),
                status=409,
            )
        rows = list(
            PaymentLine.objects.filter(batch=batch, channel=layout)
            .order_by("id")
            .values_list("id", "provider", "number_encrypted", "holder_name", "amount")
        )
        if batch.exported_at is None:
            batch.exported_at = timezone.now()
        audit_as(batch, actor=actor, reason=f"berkas {layout} diunduh")
        batch.save(update_fields=["exported_at"])
    assert batch.approved_at is not None
    details = csv_text(
        [
            [
                "D",
                pk,
                provider,
                _digits(number),
                holder,
                amount,
                f"PRAKERJA-{batch.code}-{pk}",
            ]
            for pk, provider, number, holder, amount in rows
        ]
    )
    total = sum(row[4] for row in rows)
    digest = hashlib.sha256(details.encode("utf-8")).hexdigest()
    day = timezone.localtime(batch.approved_at).strftime("%Y%m%d")
    content = (
        csv_text([["H", batch.code, day, len(rows), total]])
        + details
        + csv_text([["T", len(rows), total, digest]])
    ).encode("utf-8")
    return ExportFile(
        name=f"{batch.code}-{layout}.csv",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        lines=len(rows),
        total=total,
    )
