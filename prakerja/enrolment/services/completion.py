"""The provider records attendance and completion (SPEC §3.6): one enrolment at a time (console
or API) or a whole batch from a CSV file, all or nothing.

Completion needs a final assessment score: a score at or above the programme's pass mark
(``TrainingSettings.pass_score``) completes the enrolment and issues a certificate, a lower one
records it as not passed. Only the operator of the course's provider records, and only once
the batch has started. Every change writes a history row with the acting user.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.enrolment.errors import CompletionError
from prakerja.enrolment.models import Enrolment
from prakerja.enrolment.selectors_stats import provider_figures_refresh
from prakerja.enrolment.services.certificates import certificate_issue
from prakerja.enrolment.services.participants import training_settings_get
from prakerja.training.models import CourseBatch

MAX_UPLOAD_BYTES = 1_000_000
MAX_UPLOAD_ROWS = 5_000
COLUMNS = ("id_pendaftaran", "kehadiran", "nilai")


class UploadRejected(ApplicationError):
    """A completion file with errors: every row's problem, nothing written."""

    def __init__(self, rows: list[str]) -> None:
        super().__init__(
            CompletionError.UPLOAD_ROWS,
            _("Berkas tidak diproses: %(n)d baris bermasalah. Perbaiki lalu unggah lagi.")
            % {"n": len(rows)},
            status=422,
        )
        self.rows = rows


def _operator_of(actor: Actor | None, batch: CourseBatch) -> None:
    role = actor_role(actor)
    if role == Role.SUPERADMIN:
        return
    if role != Role.PROVIDER:
        raise PermissionDenied(
            CompletionError.FORBIDDEN, _("Hanya lembaga penyelenggara yang mencatat kelulusan.")
        )
    assert isinstance(actor, User)
    if batch.course.provider_id != actor.provider_id:
        raise PermissionDenied(CompletionError.FORBIDDEN, _("Angkatan ini milik lembaga lain."))


def batch_get_for_operator(*, actor: Actor | None, batch_id: int) -> CourseBatch:
    batch = CourseBatch.objects.select_related("course__provider").filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(CompletionError.ENROLMENT_NOT_FOUND, _("Angkatan tidak ditemukan."))
    _operator_of(actor, batch)
    return batch


def _check_values(attendance: int | None, score: int | None, *, prefix: str = "") -> None:
    if attendance is None or not 0 <= attendance <= 100:
        raise ApplicationError(
            CompletionError.ATTENDANCE_INVALID,
            prefix + _("Kehadiran harus angka 0 sampai 100 (persen)."),
            field="attendance_percent",
        )
    if score is None or not 0 <= score <= 100:
        raise ApplicationError(
            CompletionError.SCORE_INVALID,
            prefix + _("Kelulusan perlu nilai ujian akhir: angka 0 sampai 100."),
            field="final_score",
        )


def _pass_score(enrolment: Enrolment, known: dict[int, int]) -> int:
    """The pass mark of the enrolment's programme (``known``: per programme, looked up once)."""
    programme_id = enrolment.participant.wave.programme_id
    if programme_id not in known:
        known[programme_id] = training_settings_get(programme_id=programme_id).pass_score
    return known[programme_id]


def _record(
    enrolment: Enrolment, *, actor: Actor | None, attendance: int, score: int, pass_score: int
) -> None:
    today = timezone.localdate()
    if enrolment.batch.starts_on > today:
        raise ApplicationError(
            CompletionError.BATCH_NOT_STARTED,
            _("Kelulusan dicatat setelah pelatihan dimulai (%(date)s).")
            % {"date": enrolment.batch.starts_on.strftime("%d-%m-%Y")},
            status=409,
        )
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise ApplicationError(
            CompletionError.NOT_ENROLLED,
            _("Peserta ini tidak sedang terdaftar di angkatan ini (status: %(status)s).")
            % {"status": enrolment.get_status_display()},
            status=409,
        )
    passed = score >= pass_score
    enrolment.attendance_percent = attendance
    enrolment.final_score = score
    enrolment.status = Enrolment.Status.COMPLETED if passed else Enrolment.Status.FAILED
    enrolment.completed_at = timezone.now()
    audit_as(enrolment, actor=actor, reason="kelulusan dicatat lembaga")
    enrolment.save(update_fields=["attendance_percent", "final_score", "status", "completed_at"])
    if passed:
        certificate_issue(enrolment=enrolment, actor=actor)


def completion_record(
    *,
    actor: Actor | None,
    enrolment_id: int,
    attendance_percent: int | None,
    final_score: int | None,
) -> Enrolment:
    """Record one participant's attendance and final score; completes or fails them."""
    _check_values(attendance_percent, final_score)
    assert attendance_percent is not None and final_score is not None
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("batch__course__provider", "participant__wave")
            .filter(pk=enrolment_id)
            .first()
        )
        if enrolment is None:
            raise NotFound(CompletionError.ENROLMENT_NOT_FOUND, _("Pendaftaran tidak ditemukan."))
        _operator_of(actor, enrolment.batch)
        _record(
            enrolment,
            actor=actor,
            attendance=attendance_percent,
            score=final_score,
            pass_score=_pass_score(enrolment, {}),
        )
        provider_figures_refresh(provider_id=enrolment.batch.course.provider_id)
    return enrolment


@dataclass(frozen=True)
class UploadResult:
    completed: int
    failed: int


def _number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else None


def completion_upload(*, actor: Actor | None, batch_id: int, content: bytes) -> UploadResult:
    """A CSV of ``id_pendaftaran,kehadiran,nilai`` for one batch: every row checked first;
    one bad row (someone not enrolled in this batch, a bad number) and nothing is written."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            CompletionError.UPLOAD_TOO_LARGE,
            _("Berkas terlalu besar: paling besar 1 MB."),
            status=413,
        )
    batch = batch_get_for_operator(actor=actor, batch_id=batch_id)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(
            CompletionError.UPLOAD_INVALID, _("Berkas harus CSV dengan huruf UTF-8.")
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if tuple(header[:3]) != COLUMNS:
        raise ApplicationError(
            CompletionError.UPLOAD_INVALID,
            _("Baris pertama harus berisi kolom: id_pendaftaran, kehadiran, nilai."),
        )
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if len(rows) > MAX_UPLOAD_ROWS:
        raise ApplicationError(
            CompletionError.UPLOAD_TOO_LARGE,
            _("Paling banyak %(n)d baris per berkas.") % {"n": MAX_UPLOAD_ROWS},
            status=413,
        )
    problems: list[str] = []
    parsed: list[tuple[int, int, int, int]] = []
    for line, row in enumerate(rows, start=2):
        cells = [*row, "", "", ""][:3]
        enrolment_id, attendance, score = (_number(cell) for cell in cells)
        prefix = _("Baris %(line)d: ") % {"line": line}
        if enrolment_id is None:
            problems.append(prefix + _("id_pendaftaran harus angka."))
            continue
        try:
            _check_values(attendance, score, prefix=prefix)
        except ApplicationError as error:
            problems.append(str(error.message))
            continue
        assert attendance is not None and score is not None
        parsed.append((line, enrolment_id, attendance, score))
    with transaction.atomic():
        enrolments = {
            e.pk: e
            for e in Enrolment.objects.select_for_update(of=("self",))
            .select_related("batch__course__provider", "participant__wave")
            .filter(batch=batch, pk__in=[p[1] for p in parsed])
        }
        seen: set[int] = set()
        for line, enrolment_id, _attendance, _score in parsed:
            prefix = _("Baris %(line)d: ") % {"line": line}
            enrolment = enrolments.get(enrolment_id)
            if enrolment is None:
                problems.append(
                    prefix
                    + _("pendaftaran %(id)d tidak terdaftar di angkatan ini.")
                    % {"id": enrolment_id}
                )
            elif enrolment_id in seen:
                problems.append(
                    prefix + _("pendaftaran %(id)d tertulis dua kali.") % {"id": enrolment_id}
                )
            elif enrolment.status != Enrolment.Status.ENROLLED:
                problems.append(
                    prefix
                    + _("pendaftaran %(id)d sudah berstatus %(status)s.")
                    % {"id": enrolment_id, "status": enrolment.get_status_display()}
                )
            seen.add(enrolment_id)
        if problems:
            raise UploadRejected(sorted(problems, key=_line_of))
        completed = failed = 0
        pass_scores: dict[int, int] = {}
        for _line, enrolment_id, attendance, score in parsed:
            enrolment = enrolments[enrolment_id]
            _record(
                enrolment,
                actor=actor,
                attendance=attendance,
                score=score,
                pass_score=_pass_score(enrolment, pass_scores),
            )
            if enrolment.status == Enrolment.Status.COMPLETED:
                completed += 1
            else:
                failed += 1
        provider_figures_refresh(provider_id=batch.course.provider_id)
    return UploadResult(completed=completed, failed=failed)


def _line_of(problem: str) -> int:
    digits = "".join(ch for ch in problem.split(":")[0] if ch.isdigit())
    return int(digits) if digits else 0
