"""Selection runs: created, executed as a leased job, approved by a second manager, published."""

from __future__ import annotations

import logging
import re
import secrets
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor, Capability, actor_require
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.core.history import history_bulk_update
from prakerja.core.jobs import job_lease
from prakerja.core.signals import selection_published
from prakerja.waves import selection, selection_parallel
from prakerja.waves.errors import WavesError
from prakerja.waves.models import (
    RegencyQuota,
    SelectionResult,
    SelectionRun,
    Wave,
    WaveEntry,
    WaveSettings,
)
from prakerja.waves.services.waves import (
    _carry_over,
    _next_wave,
    wave_settings_get,
)

logger = logging.getLogger(__name__)
SEED_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def _weights(settings_row: WaveSettings) -> selection.Weights:
    return selection.Weights(
        reported_by_disnaker=settings_row.weight_reported_by_disnaker,
        laid_off=settings_row.weight_laid_off,
        furloughed=settings_row.weight_furloughed,
        migrant_worker=settings_row.weight_migrant_worker,
        laid_off_pre_covid=settings_row.weight_laid_off_pre_covid,
        disability=settings_row.weight_disability,
    )


# --- Selection runs ---------------------------------------------------------------------


def _run_parameters(wave: Wave, settings_row: WaveSettings) -> dict[str, Any]:
    quotas = dict(
        RegencyQuota.objects.filter(wave=wave)
        .order_by("regency_id")
        .values_list("regency_id", "quota")
    )
    return {
        "wave": wave.pk,
        "lottery": selection.LOTTERY_VERSION,
        "weights": {
            "reported_by_disnaker": settings_row.weight_reported_by_disnaker,
            "laid_off": settings_row.weight_laid_off,
            "furloughed": settings_row.weight_furloughed,
            "migrant_worker": settings_row.weight_migrant_worker,
            "laid_off_pre_covid": settings_row.weight_laid_off_pre_covid,
            "disability": settings_row.weight_disability,
        },
        "reserved_share": None
        if settings_row.reserved_share is None
        else str(Decimal(settings_row.reserved_share).quantize(Decimal("0.001"))),
        "kk_cap": settings_row.kk_cap,
        "quotas": quotas,
    }


def selection_run_create(*, actor: Actor, wave: Wave, seed: str | None = None) -> SelectionRun:
    """Create a dry run of a closed wave: the seed is fixed and published now (stored with
    its time, shown on the run page) before the job ranks anyone; the job is enqueued once
    this is committed. A second run while one is queued or running is refused (a partial
    unique index decides, so two clicks at the same moment cannot both pass)."""
    actor_require(actor, Capability.WAVE_MANAGE)
    if seed is not None:
        seed = seed.strip()
        if not SEED_PATTERN.match(seed):
            raise ApplicationError(
                WavesError.SELECTION_SEED_INVALID,
                _(
                    "Benih undian 1–64 karakter: huruf, angka, titik, titik dua, garis bawah "
                    "atau tanda hubung."
                ),
                field="seed",
            )
    try:
        with transaction.atomic():
            run = _selection_run_create(actor=actor, wave=wave, seed=seed)
    except IntegrityError:
        raise _run_in_progress() from None
    from prakerja.waves.tasks import selection_run_execute_task

    transaction.on_commit(partial(selection_run_execute_task.enqueue, run_id=run.pk), robust=True)
    return run


def _run_in_progress() -> ApplicationError:
    return ApplicationError(
        WavesError.SELECTION_RUN_IN_PROGRESS,
        _("Proses seleksi untuk gelombang ini sedang berjalan. Tunggu hingga selesai."),
    )


def _selection_run_create(*, actor: Actor, wave: Wave, seed: str | None) -> SelectionRun:
    wave = Wave.objects.get(pk=wave.pk)
    if wave.status != Wave.Status.CLOSED:
        raise ApplicationError(
            WavesError.SELECTION_WAVE_NOT_CLOSED,
            _(
                "Seleksi hanya dapat dijalankan untuk gelombang yang sudah ditutup dan belum "
                "diumumkan."
            ),
        )
    if SelectionRun.objects.filter(
        wave=wave, status__in=[SelectionRun.Status.QUEUED, SelectionRun.Status.RUNNING]
    ).exists():
        raise _run_in_progress()
    settings_row = wave_settings_get(programme=wave.programme)
    now = timezone.now()
    assert isinstance(actor, User)
    run = SelectionRun(
        wave=wave,
        created_by=actor,
        seed=seed or secrets.token_hex(16),
        seed_published_at=now,
        parameters=_run_parameters(wave, settings_row),
    )
    audit_as(run, actor=actor, reason="uji coba seleksi dibuat; benih diumumkan")
    run.save()
    # Earlier dry runs of the wave no longer count once a new one is made.
    for old in SelectionRun.objects.filter(
        wave=wave,
        status__in=[
            SelectionRun.Status.READY,
            SelectionRun.Status.APPROVED,
            SelectionRun.Status.FAILED,
        ],
    ).exclude(pk=run.pk):
        old.status = SelectionRun.Status.SUPERSEDED
        audit_as(old, actor=actor, reason="digantikan uji coba baru")
        old.save(update_fields=["status"])
    return run


def _progress(run_id: int, value: int, **fields: Any) -> None:
    SelectionRun.objects.filter(pk=run_id).update(progress=value, **fields)


# The lease of a selection job (core.jobs).
SELECTION_JOB = "waves.selection"


def selection_run_execute(*, run_id: int) -> SelectionRun:
    """The job body: rank the wave's applicants and store the results (idempotent).

    A run already ready (or later) is left as it is; a queued or interrupted one is
    recomputed from scratch. All or nothing: with the single statement the old rows are
    deleted and the new ones written in one transaction; with the parallel plan
    (``SELECTION_CONNECTIONS`` ≥ 2 on PostgreSQL, see ``waves.selection``) the parts commit on
    their own connections, so on any failure every row of the run is deleted and the stage
    dropped before the run is marked failed. Progress is coarse: 0 (queued), 10 (running), 100.
    """
    run = SelectionRun.objects.get(pk=run_id)
    if run.status not in (SelectionRun.Status.QUEUED, SelectionRun.Status.RUNNING):
        return run
    # The lease (core.jobs) lets another worker take the run back if this one dies: the run is
    # then recomputed from scratch (same seed, same rows), after deleting whatever the dead
    # attempt left. The heartbeat is a row of its own: this job holds the run's row lock.
    with job_lease(SELECTION_JOB, run_id) as lease:
        if lease is None:
            return run  # a live worker is ranking it
        return _selection_run_rank(run)


def _selection_run_rank(run: SelectionRun) -> SelectionRun:
    run_id = run.pk
    connections = selection_parallel.connections_for_run()
    _progress(run_id, 10, status=SelectionRun.Status.RUNNING, started_at=timezone.now())
    params = run.parameters
    share = None if params["reserved_share"] is None else Decimal(params["reserved_share"])
    owned = False
    try:
        with transaction.atomic():
            # The lock is held until the run is marked ready: a second worker on the same
            # run (a retried task) waits here, then finds it ready and leaves it alone.
            locked = SelectionRun.objects.select_for_update().get(pk=run_id)
            if locked.status != SelectionRun.Status.RUNNING:
                return locked
            owned = True
            arguments: dict[str, Any] = {
                "run_id": run_id,
                "wave_id": locked.wave_id,
                "seed": locked.seed,
                "weights": selection.Weights(**params["weights"]),
                "kk_cap": int(params["kk_cap"]),
                "permille": selection.reserved_permille(share),
            }
            parameters = {**params, "seed": locked.seed}
            if connections > 1:
                locked.input_hash, locked.result_hash = selection_parallel.results_store_parallel(
                    **arguments, parameters=parameters, connections=connections
                )
            else:
                SelectionResult.objects.filter(run_id=run_id).delete()
                selection.results_insert(**arguments)
                locked.input_hash, locked.result_hash = selection.run_hashes(
                    run_id=run_id, parameters=parameters
                )
            locked.status = SelectionRun.Status.READY
            locked.progress = 100
            locked.finished_at = timezone.now()
            audit_as(locked, actor=None, reason="uji coba seleksi selesai")
            locked.save()
    except Exception as exc:
        logger.exception("selection run %s failed", run_id)
        if owned and connections > 1:
            # Rows committed by the parallel parts are not undone by the rollback above.
            try:
                selection_parallel.results_discard(run_id=run_id)
            except Exception:
                logger.exception("selection run %s: its rows could not be deleted", run_id)
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        SelectionRun.objects.filter(pk=run_id).update(
            status=SelectionRun.Status.FAILED, error=reason.rstrip(": ")[:300]
        )
        raise
    return locked


def _ready_run_locked_for_second_manager(
    *, actor: Actor, run: SelectionRun, same_person: Any, not_ready: Any
) -> SelectionRun:
    """The run, row-locked, for approval or rejection: four eyes (not its creator) and only a
    finished dry run. ``not_ready`` has a ``{s}`` for the run's status."""
    locked = SelectionRun.objects.select_for_update().get(pk=run.pk)
    if locked.created_by_id == getattr(actor, "pk", None):
        raise ApplicationError(WavesError.SELECTION_SAME_APPROVER, same_person)
    if locked.status != SelectionRun.Status.READY:
        raise ApplicationError(
            WavesError.SELECTION_NOT_READY,
            format_lazy(not_ready, s=locked.get_status_display()),
        )
    return locked


@transaction.atomic
def selection_run_approve(*, actor: Actor, run: SelectionRun) -> SelectionRun:
    """Approval by a second programme manager (four-eyes): not the one who created the run."""
    actor_require(actor, Capability.SELECTION_APPROVE)
    locked = _ready_run_locked_for_second_manager(
        actor=actor,
        run=run,
        same_person=_(
            "Hasil seleksi harus disetujui oleh pengelola program lain, bukan pembuatnya."
        ),
        not_ready=_("Hanya hasil uji coba yang sudah selesai yang dapat disetujui (status: {s})."),
    )
    assert isinstance(actor, User)
    locked.status = SelectionRun.Status.APPROVED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    audit_as(locked, actor=actor, reason="hasil seleksi disetujui")
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    return locked


REJECTION_COMMENT_MAX = 500


@transaction.atomic
def selection_run_reject(*, actor: Actor, run: SelectionRun, comment: str) -> SelectionRun:
    """The second manager refuses a dry run, with a comment for the first. Four eyes as for
    approval: the creator cannot reject their own run (they start a new one instead)."""
    actor_require(actor, Capability.SELECTION_APPROVE)
    comment = " ".join(comment.split())
    if not comment:
        raise ApplicationError(
            WavesError.SELECTION_REJECTION_COMMENT,
            _("Tulis alasan penolakan, agar pembuat uji coba tahu apa yang harus diperbaiki."),
            field="comment",
        )
    if len(comment) > REJECTION_COMMENT_MAX:
        raise ApplicationError(
            WavesError.SELECTION_REJECTION_COMMENT,
            format_lazy(_("Alasan penolakan paling banyak {n} karakter."), n=REJECTION_COMMENT_MAX),
            field="comment",
        )
    locked = _ready_run_locked_for_second_manager(
        actor=actor,
        run=run,
        same_person=_(
            "Hasil seleksi harus ditinjau oleh pengelola program lain, bukan pembuatnya."
        ),
        not_ready=_("Hanya hasil uji coba yang sudah selesai yang dapat ditolak (status: {s})."),
    )
    assert isinstance(actor, User)
    locked.status = SelectionRun.Status.REJECTED
    locked.rejected_by = actor
    locked.rejected_at = timezone.now()
    locked.rejection_comment = comment
    audit_as(locked, actor=actor, reason="hasil seleksi ditolak")
    locked.save(update_fields=["status", "rejected_by", "rejected_at", "rejection_comment"])
    return locked


@transaction.atomic
def selection_run_publish(*, actor: Actor, run: SelectionRun) -> SelectionRun:
    """Publish an approved run: entries become selected / not selected, those not selected
    are carried over to the next wave (if it exists already; else when it is created), and
    ``selection_published`` is sent inside this transaction."""
    actor_require(actor, Capability.SELECTION_APPROVE)
    locked = SelectionRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != SelectionRun.Status.APPROVED:
        raise ApplicationError(
            WavesError.SELECTION_NOT_APPROVED,
            _(
                "Hasil seleksi belum disetujui pengelola program kedua, sehingga belum dapat "
                "diumumkan."
            ),
        )
    wave = Wave.objects.select_for_update().get(pk=locked.wave_id)
    if wave.status != Wave.Status.CLOSED:
        raise ApplicationError(
            WavesError.SELECTION_WAVE_NOT_CLOSED, _("Gelombang ini sudah diumumkan.")
        )
    assert isinstance(actor, User)
    selected_ids = SelectionResult.objects.filter(run=locked, selected=True).values(
        "registration_id"
    )
    # Each entry's new status gets its history row: two set-based statements per update.
    history_bulk_update(
        WaveEntry.objects.filter(
            wave=wave, status=WaveEntry.Status.JOINED, registration_id__in=Subquery(selected_ids)
        ),
        actor=actor,
        reason="hasil seleksi diumumkan",
        status=WaveEntry.Status.SELECTED,
    )
    history_bulk_update(
        WaveEntry.objects.filter(wave=wave, status=WaveEntry.Status.JOINED),
        actor=actor,
        reason="hasil seleksi diumumkan",
        status=WaveEntry.Status.NOT_SELECTED,
    )
    locked.status = SelectionRun.Status.PUBLISHED
    locked.published_by = actor
    locked.published_at = timezone.now()
    audit_as(locked, actor=actor, reason="hasil seleksi diumumkan")
    locked.save(update_fields=["status", "published_by", "published_at"])
    wave.status = Wave.Status.PUBLISHED
    audit_as(wave, actor=actor, reason="hasil seleksi diumumkan")
    wave.save(update_fields=["status"])
    next_wave = _next_wave(wave)
    if next_wave is not None:
        _carry_over(actor=actor, source=wave, target=next_wave)
    registration_ids = list(
        SelectionResult.objects.filter(run=locked, selected=True)
        .order_by("registration_id")
        .values_list("registration_id", flat=True)
    )
    selection_published.send(
        sender=SelectionRun, run=locked, wave=wave, registration_ids=registration_ids
    )
    return locked
