"""The bank's result file: per line paid, failed (with a reason) or returned.

Layout (CSV, UTF-8, header row required): ``batch,line,amount,status,reason`` where
``batch`` is the batch code (``PB-000012``), ``line`` the line id of the exported file,
``amount`` in rupiah, ``status`` one of ``paid``/``failed``/``returned`` (Indonesian
``berhasil``/``gagal``/``dikembalikan`` are read too).

Nothing is applied silently: a line that matches nothing, repeats an earlier line, has another
amount, holds a formula, or is already settled is reported with its number and reason and
changes nothing. The same file (by SHA-256) imported twice is refused the second time.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.errors import ApplicationError
from prakerja.core.exports import FORMULA_START
from prakerja.core.history import history_bulk_update
from prakerja.notifications.services import sms_send_on_commit
from prakerja.payments.errors import PaymentError
from prakerja.payments.models import (
    Instalment,
    PaymentBatch,
    PaymentLine,
    ResultImport,
)
from prakerja.payments.services.ledger import movements_from_lines

MAX_BYTES = 20 * 1024 * 1024
# Ids per statement where a set of lines is named by id.
CHUNK = 5000
COLUMNS = ("batch", "line", "amount", "status", "reason")
STATUSES = {
    "paid": PaymentLine.Result.PAID,
    "berhasil": PaymentLine.Result.PAID,
    "failed": PaymentLine.Result.FAILED,
    "gagal": PaymentLine.Result.FAILED,
    "returned": PaymentLine.Result.RETURNED,
    "dikembalikan": PaymentLine.Result.RETURNED,
}


@dataclass(frozen=True)
class _Row:
    number: int
    batch_code: str
    line_id: int
    status: str
    reason: str
    amount: int


@dataclass
class ResultSummary:
    import_id: int
    lines: int
    paid: int = 0
    failed: int = 0
    returned: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


def _file_error(code: str, message: str, status: int = 400) -> ApplicationError:
    return ApplicationError(code, message, field="file", status=status)


def _problem(number: int, code: str, message: str) -> dict[str, Any]:
    return {"line": number, "code": code, "message": message}


def result_import(*, actor: Any, name: str, content: bytes) -> ResultSummary:
    actor_require(actor, Capability.PAYMENT_MANAGE)
    if len(content) > MAX_BYTES:
        raise _file_error(
            PaymentError.RESULT_FILE_TOO_LARGE,
            _("Berkas hasil bank terlalu besar (paling besar 20 MB)."),
            status=413,
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(
            PaymentError.RESULT_FILE_ENCODING,
            _('Berkas harus CSV dengan pengodean UTF-8. Simpan ulang sebagai "CSV UTF-8".'),
        ) from None
    if "\x00" in text:
        raise _file_error(PaymentError.RESULT_FILE_ENCODING, _("Berkas bukan teks CSV."))
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        raise _file_error(
            PaymentError.RESULT_FILE_INVALID,
            _("Baris pertama harus berisi kolom: %(cols)s.") % {"cols": ",".join(COLUMNS)},
            status=422,
        )
    digest = hashlib.sha256(content).hexdigest()
    earlier = ResultImport.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise _file_error(
            PaymentError.RESULT_FILE_DUPLICATE,
            _("Berkas ini sudah pernah diimpor (impor #%(id)s); tidak ada yang diubah.")
            % {"id": earlier.pk},
            status=409,
        )
    rows = list(enumerate(reader, start=2))
    problems: list[dict[str, Any]] = []
    wanted: dict[int, _Row] = {}
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        parsed = _row_parse(number, cells, wanted, problems)
        if parsed is not None:
            wanted[parsed.line_id] = parsed
    now = timezone.now()
    try:
        with transaction.atomic():
            record = ResultImport.objects.create(
                sha256=digest, file_name=name[:200], uploaded_by=actor, lines_total=len(rows)
            )
            summary = _apply(actor, record, wanted, problems, now)
            record.applied = summary.paid + summary.failed + summary.returned
            record.problems = problems
            record.save(update_fields=["applied", "problems"])
    except IntegrityError:
        raise _file_error(
            PaymentError.RESULT_FILE_DUPLICATE,
            _("Berkas ini sedang atau sudah diimpor; tidak ada yang diubah."),
            status=409,
        ) from None
    summary.problems = problems
    return summary


def _row_parse(
    number: int,
    cells: list[str],
    seen: dict[int, _Row],
    problems: list[dict[str, Any]],
) -> _Row | None:
    cells = [cell.strip() for cell in cells] + [""] * (len(COLUMNS) - len(cells))
    batch_code, line_text, amount_text, status_text, reason = cells[: len(COLUMNS)]
    invalid = PaymentError.RESULT_LINE_INVALID
    if any(cell.startswith(FORMULA_START) for cell in (batch_code, line_text, status_text, reason)):
        problems.append(_problem(number, invalid, _("Baris berisi rumus (diawali = + - @).")))
        return None
    if not line_text.isdigit():
        problems.append(_problem(number, invalid, _("Nomor baris transfer tidak valid.")))
        return None
    if not amount_text.isdigit():
        problems.append(_problem(number, invalid, _("Jumlah harus angka rupiah tanpa titik.")))
        return None
    status = STATUSES.get(status_text.lower())
    if status is None:
        problems.append(_problem(number, invalid, _("Status harus paid, failed, atau returned.")))
        return None
    if status != PaymentLine.Result.PAID and not reason:
        reason = _("Bank tidak memberi alasan.")
    line_id = int(line_text)
    if line_id in seen:
        problems.append(
            _problem(
                number,
                invalid,
                _("Baris transfer %(line)s sudah ada di baris %(row)s berkas ini.")
                % {"line": line_id, "row": seen[line_id].number},
            )
        )
        return None
    return _Row(number, batch_code, line_id, status, reason[:200], int(amount_text))


def _apply(
    actor: Any,
    record: ResultImport,
    wanted: dict[int, _Row],
    problems: list[dict[str, Any]],
    now: Any,
) -> ResultSummary:
    summary = ResultSummary(import_id=record.pk, lines=len(wanted))
    invalid = PaymentError.RESULT_LINE_INVALID
    ids = sorted(wanted)
    # (batch id, batch status, amount, result, instalment id) per line: plain tuples, not
    # model instances (a bank file has half a million lines).
    lines: dict[int, tuple[int, str, int, str, int]] = {}
    for start in range(0, len(ids), CHUNK):
        lines.update(
            (row[0], row[1:])
            for row in PaymentLine.objects.select_for_update(of=("self",))
            .filter(pk__in=ids[start : start + CHUNK])
            .values_list("id", "batch_id", "batch__status", "amount", "result", "instalment_id")
        )
    settled: dict[str, list[int]] = {value: [] for value in PaymentLine.Result.values}
    # One UPDATE per (result, reason) and chunk of ids: a bank gives few distinct reasons.
    groups: dict[tuple[str, str], list[int]] = {}
    for line_id in ids:
        row = wanted[line_id]
        number, status = row.number, row.status
        line = lines.get(line_id)
        if line is None or f"PB-{line[0]:06d}" != row.batch_code:
            problems.append(
                _problem(number, invalid, _("Batch atau baris transfer ini tidak dikenal."))
            )
            continue
        _batch, batch_status, amount, result, _instalment = line
        if batch_status == PaymentBatch.Status.DRAFT:
            problems.append(_problem(number, invalid, _("Batch ini belum disetujui.")))
            continue
        if row.amount != amount:
            problems.append(
                _problem(
                    number,
                    invalid,
                    _("Jumlah %(got)s berbeda dengan jumlah di batch (%(want)s).")
                    % {"got": row.amount, "want": amount},
                )
            )
            continue
        if result != PaymentLine.Result.PENDING:
            problems.append(
                _problem(number, invalid, _("Baris transfer ini sudah diproses sebelumnya."))
            )
            continue
        settled[status].append(line_id)
        reason = "" if status == PaymentLine.Result.PAID else row.reason
        groups.setdefault((status, reason), []).append(line_id)
    if not groups:
        return summary
    for (result, reason), same in groups.items():
        for start in range(0, len(same), CHUNK):
            PaymentLine.objects.filter(pk__in=same[start : start + CHUNK]).update(
                result=result, reason=reason, settled_at=now, result_import=record
            )
    for status, moved in settled.items():
        if not moved:
            continue
        movements_from_lines(
            kind=status,
            where="l.result_import_id = %s AND l.result = %s",
            params=[record.pk, status],
            actor=actor,
            now=now,
            result_import_id=record.pk,
        )
    settled_here = PaymentLine.objects.filter(result_import=record)
    Instalment.objects.filter(
        pk__in=settled_here.filter(result=PaymentLine.Result.PAID).values("instalment_id")
    ).update(status=Instalment.Status.PAID, paid_at=now, problem="")
    # Back to due with the bank's reason: one UPDATE per reason and chunk of instalments.
    for (result, reason), same in groups.items():
        if result == PaymentLine.Result.PAID:
            continue
        instalment_ids = [lines[line_id][4] for line_id in same]
        for start in range(0, len(instalment_ids), CHUNK):
            Instalment.objects.filter(pk__in=instalment_ids[start : start + CHUNK]).update(
                status=Instalment.Status.DUE, problem=reason
            )
    back = settled[PaymentLine.Result.FAILED] + settled[PaymentLine.Result.RETURNED]
    summary.paid = len(settled[PaymentLine.Result.PAID])
    summary.failed = len(settled[PaymentLine.Result.FAILED])
    summary.returned = len(settled[PaymentLine.Result.RETURNED])
    if back:
        _failures_notify(back)
    batch_ids = {lines[line_id][0] for group in settled.values() for line_id in group}
    for batch_id in batch_ids:
        if not PaymentLine.objects.filter(
            batch_id=batch_id, result=PaymentLine.Result.PENDING
        ).exists():
            history_bulk_update(
                PaymentBatch.objects.filter(pk=batch_id),
                actor=actor,
                reason="batch selesai direkonsiliasi",
                status=PaymentBatch.Status.RECONCILED,
                reconciled_at=now,
            )
    return summary


def _failures_notify(line_ids: list[int]) -> None:
    """An SMS to each participant whose transfer failed or came back, with the bank's reason
    and where to fix the account."""
    url = settings.PUBLIC_BASE_URL.rstrip("/") + "/pembayaran-saya/"
    for start in range(0, len(line_ids), CHUNK):
        rows = PaymentLine.objects.filter(pk__in=line_ids[start : start + CHUNK]).values_list(
            "amount", "reason", "participant__registration__phone"
        )
        for amount, reason, phone in rows:
            if not phone:
                continue
            sms_send_on_commit(
                to=str(phone),
                body=_(
                    "Transfer insentif Prakerja Rp %(amount)s gagal: %(reason)s. Periksa dan "
                    "perbaiki rekening Anda di %(url)s"
                )
                % {"amount": f"{amount:,}".replace(",", "."), "reason": reason, "url": url},
            )
