"""Writes of the waves app: waves, quotas, joining, closing and selection runs (SPEC §3.5).

Every service is keyword-only, checks the actor's capability, runs in one transaction and
raises ``ApplicationError`` with an Indonesian message on bad input. Set-based where the
number of rows is the number of applicants (joining everyone, carrying over, publishing).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, Subquery
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor, Capability, actor_can, actor_require
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.core.jobs import job_lease
from prakerja.core.signals import selection_published
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA
from prakerja.registry.models import Programme, Registration
from prakerja.registry.selectors import registration_missing_steps
from prakerja.waves import selection
from prakerja.waves.models import (
    RegencyQuota,
    SelectionResult,
    SelectionRun,
    Wave,
    WaveEntry,
    WaveSettings,
)

logger = logging.getLogger(__name__)

SEED_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


# --- Settings ---------------------------------------------------------------------------


def wave_settings_get(*, programme: Programme) -> WaveSettings:
    """The programme's selection settings, created with the defaults on first use."""
    settings_row, _created = WaveSettings.objects.get_or_create(programme=programme)
    return settings_row


def _weights(settings_row: WaveSettings) -> selection.Weights:
    return selection.Weights(
        reported_by_disnaker=settings_row.weight_reported_by_disnaker,
        laid_off=settings_row.weight_laid_off,
        furloughed=settings_row.weight_furloughed,
        migrant_worker=settings_row.weight_migrant_worker,
        laid_off_pre_covid=settings_row.weight_laid_off_pre_covid,
        disability=settings_row.weight_disability,
    )


# --- Waves and quotas -------------------------------------------------------------------


def _quotas_clean(*, total_quota: int, regency_quotas: Mapping[str, int]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    for code, quota in regency_quotas.items():
        if not isinstance(quota, int) or isinstance(quota, bool) or quota < 0:
            raise ApplicationError(
                "waves.quota_invalid",
                format_lazy(
                    _("Kuota kabupaten/kota {code} harus bilangan bulat 0 atau lebih."),
                    code=str(code)[:8],
                ),
                field="regency_quotas",
            )
        cleaned[str(code)] = quota
    known = set(Regency.objects.filter(code__in=list(cleaned)).values_list("code", flat=True))
    unknown = sorted(set(cleaned) - known)
    if unknown:
        raise ApplicationError(
            "waves.quota_regency_unknown",
            format_lazy(
                _("Kode kabupaten/kota tidak dikenal: {codes}."),
                codes=", ".join(code[:8] for code in unknown[:5]),
            ),
            field="regency_quotas",
        )
    total = sum(cleaned.values())
    if total != total_quota:
        raise ApplicationError(
            "waves.quota_sum_mismatch",
            format_lazy(
                _(
                    "Jumlah kuota kabupaten/kota ({sum}) tidak sama dengan kuota total "
                    "gelombang ({total})."
                ),
                sum=f"{total:,}".replace(",", "."),
                total=f"{total_quota:,}".replace(",", "."),
            ),
            field="regency_quotas",
        )
    return cleaned


def _overlap_check(
    *, programme: Programme, opens_at: datetime, closes_at: datetime, exclude_id: int | None
) -> None:
    if closes_at <= opens_at:
        raise ApplicationError(
            "waves.closes_before_opening",
            _("Waktu penutupan harus setelah waktu pembukaan."),
            field="closes_at",
        )
    overlapping = (
        Wave.objects.filter(programme=programme, opens_at__lt=closes_at, closes_at__gt=opens_at)
        .exclude(pk=exclude_id or 0)
        .first()
    )
    if overlapping is not None:
        raise ApplicationError(
            "waves.overlap",
            format_lazy(
                _("Jadwal bertumpuk dengan {name} ({opens} – {closes})."),
                name=overlapping.name,
                opens=timezone.localtime(overlapping.opens_at).strftime("%d-%m-%Y %H:%M"),
                closes=timezone.localtime(overlapping.closes_at).strftime("%d-%m-%Y %H:%M"),
            ),
            field="opens_at",
        )


def _quotas_write(*, actor: Actor, wave: Wave, quotas: Mapping[str, int], method: str) -> None:
    existing = {q.regency_id: q for q in RegencyQuota.objects.filter(wave=wave)}
    for code, value in quotas.items():
        row = existing.pop(code, None) or RegencyQuota(wave=wave, regency_id=code)
        if row.pk and row.quota == value and row.method == method:
            continue
        row.quota = value
        row.method = method
        audit_as(row, actor=actor, reason="kuota ditetapkan")
        row.save()
    for row in existing.values():
        audit_as(row, actor=actor, reason="kuota dihapus")
        row.delete()


def _wave_editable(wave: Wave) -> None:
    if wave.status not in (Wave.Status.DRAFT, Wave.Status.OPEN):
        raise ApplicationError(
            "waves.not_editable",
            _("Kuota tidak dapat diubah: gelombang sudah ditutup."),
        )


@transaction.atomic
def wave_create(
    *,
    actor: Actor,
    programme: Programme,
    name: str,
    opens_at: datetime,
    closes_at: datetime,
    total_quota: int,
    regency_quotas: Mapping[str, int] | None = None,
) -> Wave:
    """A new wave (draft) after the programme's last one; quotas optional (set or allocate
    them before opening). Applicants not selected and the waiting list of the previous wave
    are carried into it."""
    actor_require(actor, Capability.WAVE_MANAGE)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApplicationError(
            "waves.name_invalid",
            _("Nama gelombang wajib diisi (maks. 100 karakter)."),
            field="name",
        )
    if total_quota <= 0:
        raise ApplicationError(
            "waves.total_quota_invalid",
            _("Kuota total harus lebih dari 0."),
            field="total_quota",
        )
    # One programme's waves are created one at a time (numbering and the overlap check).
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    _overlap_check(programme=programme, opens_at=opens_at, closes_at=closes_at, exclude_id=None)
    quotas = (
        _quotas_clean(total_quota=total_quota, regency_quotas=regency_quotas)
        if regency_quotas is not None
        else None
    )
    number = (Wave.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0) + 1
    wave = Wave(
        programme=programme,
        number=number,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        total_quota=total_quota,
    )
    audit_as(wave, actor=actor, reason="gelombang dibuat")
    wave.save()
    if quotas is not None:
        _quotas_write(actor=actor, wave=wave, quotas=quotas, method=RegencyQuota.Method.MANUAL)
    previous = (
        Wave.objects.filter(programme=programme, number__lt=number).order_by("-number").first()
    )
    if previous is not None:
        _carry_over(source=previous, target=wave)
    return wave


@transaction.atomic
def wave_quotas_set(*, actor: Actor, wave: Wave, regency_quotas: Mapping[str, int]) -> Wave:
    """Quotas entered by hand; they must add up to the wave's total."""
    actor_require(actor, Capability.WAVE_MANAGE)
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    _wave_editable(wave)
    quotas = _quotas_clean(total_quota=wave.total_quota, regency_quotas=regency_quotas)
    _quotas_write(actor=actor, wave=wave, quotas=quotas, method=RegencyQuota.Method.MANUAL)
    return wave


def quotas_largest_remainder(*, total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` over the keys in proportion to their weights, in whole numbers that sum
    to ``total`` exactly (Hamilton / largest-remainder method).

    Each key gets ``floor(total × w / W)``; the seats left over go one each to the keys with
    the largest remainders (ties: the lower code first). All weights zero: an equal split.
    Integer arithmetic only, so the result is the same on every machine.
    """
    keys = sorted(weights)
    if not keys:
        return {}
    weight_of = {k: max(0, int(weights[k])) for k in keys}
    whole = sum(weight_of.values())
    if whole == 0:
        weight_of = dict.fromkeys(keys, 1)
        whole = len(keys)
    shares = {k: total * weight_of[k] // whole for k in keys}
    remainders = {k: total * weight_of[k] % whole for k in keys}
    left = total - sum(shares.values())
    for k in sorted(keys, key=lambda k: (-remainders[k], k))[:left]:
        shares[k] += 1
    return shares


@transaction.atomic
def wave_quotas_allocate(*, actor: Actor, wave: Wave) -> dict[str, int]:
    """Allocate the wave's total quota over the programme's regencies (East Java's 38).

    Method (documented for the public): each regency's weight is the number of its
    registrations submitted and eligible **plus** the number of those reported by a Disnaker
    (so a reported worker counts twice: the programme's priority). The total is split in
    proportion to the weights with the largest-remainder method
    (``quotas_largest_remainder``), so the parts add up to the total exactly; with no
    registrations yet the split is equal.

    The cap by verified training capacity per regency is NOT applied yet: training capacity
    is not modelled (``training`` app). When it is, a regency's share is capped at its
    capacity and the excess is re-split over the others with the same method.
    """
    actor_require(actor, Capability.WAVE_MANAGE)
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    _wave_editable(wave)
    regencies = list(Regency.objects.filter(province_id=EAST_JAVA).values_list("code", flat=True))
    counts: dict[str, int] = dict.fromkeys(regencies, 0)
    from django.db.models import Count

    rows = (
        Registration.objects.filter(
            programme_id=wave.programme_id,
            status=Registration.Status.SUBMITTED,
            domicile_regency_id__in=regencies,
        )
        .values("domicile_regency_id")
        .annotate(n=Count("id"), reported=Count("id", filter=Q(reported_by_disnaker=True)))
    )
    for row in rows:
        counts[row["domicile_regency_id"]] = row["n"] + row["reported"]
    quotas = quotas_largest_remainder(total=wave.total_quota, weights=counts)
    _quotas_write(actor=actor, wave=wave, quotas=quotas, method=RegencyQuota.Method.ALLOCATED)
    return quotas


def _join_all_submitted(wave: Wave) -> int:
    """Automatic joining: every submitted registration of the programme that is not in the
    wave and was never selected, in one INSERT … SELECT."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO waves_waveentry
                (wave_id, registration_id, status, missing_items, joined_at, carried_from_id)
            SELECT %s, r.id, 'joined', %s, %s, NULL
            FROM registry_registration r
            WHERE r.programme_id = %s AND r.status = 'submitted'
              AND NOT EXISTS (SELECT 1 FROM waves_waveentry e
                              WHERE e.registration_id = r.id
                                AND (e.wave_id = %s OR e.status = 'selected'))
            """,
            [wave.pk, "[]", timezone.now(), wave.programme_id, wave.pk],
        )
        return int(cursor.rowcount)


@transaction.atomic
def wave_open(*, actor: Actor, wave: Wave) -> Wave:
    """Open a draft wave. Its quotas must add up to the total. In automatic mode every
    submitted applicant joins at once (and again at close, for those submitted meanwhile)."""
    actor_require(actor, Capability.WAVE_MANAGE)
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.DRAFT:
        raise ApplicationError(
            "waves.not_draft", _("Hanya gelombang berstatus draf yang dapat dibuka.")
        )
    quotas = dict(RegencyQuota.objects.filter(wave=wave).values_list("regency_id", "quota"))
    if not quotas:
        raise ApplicationError(
            "waves.quota_missing",
            _("Tetapkan kuota kabupaten/kota sebelum membuka gelombang."),
            field="regency_quotas",
        )
    _quotas_clean(total_quota=wave.total_quota, regency_quotas=quotas)
    wave.status = Wave.Status.OPEN
    audit_as(wave, actor=actor, reason="gelombang dibuka")
    wave.save(update_fields=["status"])
    if wave_settings_get(programme=wave.programme).join_mode == WaveSettings.JoinMode.AUTOMATIC:
        _join_all_submitted(wave)
    return wave


def _ever_selected(registration_id: int) -> bool:
    return WaveEntry.objects.filter(
        registration_id=registration_id, status=WaveEntry.Status.SELECTED
    ).exists()


@transaction.atomic
def wave_join(*, actor: Actor, wave: Wave, registration: Registration) -> WaveEntry:
    """The applicant (or an officer/manager on their behalf) joins an open wave. Idempotent:
    joining twice returns the same entry."""
    if not (
        (getattr(actor, "pk", None) is not None and actor.pk == registration.user_id)
        or actor_can(actor, Capability.APPLICANT_REGISTER_ON_BEHALF)
        or actor_can(actor, Capability.WAVE_MANAGE)
    ):
        raise PermissionDenied(
            "account.capability_missing", _("Anda tidak berhak mengakses data ini.")
        )
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    registration = Registration.objects.get(pk=registration.pk)
    if wave.programme_id != registration.programme_id:
        raise ApplicationError(
            "waves.other_programme", _("Pendaftaran ini bukan untuk program gelombang ini.")
        )
    if wave.status != Wave.Status.OPEN or timezone.now() >= wave.closes_at:
        raise ApplicationError("waves.not_open", _("Gelombang ini tidak sedang dibuka."))
    if registration.status != Registration.Status.SUBMITTED:
        missing = registration_missing_steps(registration)
        if registration.status == Registration.Status.INELIGIBLE:
            raise ApplicationError(
                "waves.ineligible",
                _("Pendaftaran tidak memenuhi syarat, sehingga tidak dapat ikut gelombang."),
            )
        raise ApplicationError(
            "waves.incomplete",
            format_lazy(
                _("Pendaftaran belum lengkap. Lengkapi dulu: {steps}."),
                steps=", ".join(str(step.label) for step in missing) or _("kirim pendaftaran"),
            ),
        )
    if _ever_selected(registration.pk):
        raise ApplicationError(
            "waves.already_selected", _("Anda sudah pernah terpilih di gelombang sebelumnya.")
        )
    entry, created = WaveEntry.objects.get_or_create(
        wave=wave, registration=registration, defaults={"status": WaveEntry.Status.JOINED}
    )
    if not created and entry.status == WaveEntry.Status.WAITING:
        entry.status = WaveEntry.Status.JOINED
        entry.missing_items = []
        audit_as(entry, actor=actor, reason="bergabung dari daftar tunggu")
        entry.save(update_fields=["status", "missing_items"])
    return entry


def _next_wave(wave: Wave) -> Wave | None:
    return (
        Wave.objects.filter(
            programme_id=wave.programme_id,
            number__gt=wave.number,
            status__in=[Wave.Status.DRAFT, Wave.Status.OPEN],
        )
        .order_by("number")
        .first()
    )


def _carry_over(*, source: Wave, target: Wave) -> int:
    """Move the source wave's applicants not selected (as joined) and its waiting list (as
    waiting) into the target wave, set-based; the source entries become ``carried_over``."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO waves_waveentry
                (wave_id, registration_id, status, missing_items, joined_at, carried_from_id)
            SELECT %s, s.registration_id,
                   CASE WHEN s.status = 'waiting' THEN 'waiting' ELSE 'joined' END,
                   s.missing_items, %s, s.id
            FROM waves_waveentry s
            WHERE s.wave_id = %s AND s.status IN ('not_selected', 'waiting')
              AND NOT EXISTS (SELECT 1 FROM waves_waveentry t
                              WHERE t.wave_id = %s AND t.registration_id = s.registration_id)
            """,
            [target.pk, now, source.pk, target.pk],
        )
        moved = int(cursor.rowcount)
    WaveEntry.objects.filter(
        wave=source, status__in=[WaveEntry.Status.NOT_SELECTED, WaveEntry.Status.WAITING]
    ).update(status=WaveEntry.Status.CARRIED_OVER)
    return moved


@transaction.atomic
def wave_close(*, actor: Actor, wave: Wave) -> Wave:
    """Close an open wave.

    Automatic mode: every submitted applicant not in the wave joins now. Incomplete
    applications (drafts of the programme) go on the waiting list of the next wave with their
    missing steps (``registry.selectors.registration_missing_steps``); while there is no next
    wave they wait as ``waiting`` entries of this one and move when the next wave is created.
    Waiting entries of this wave whose registration is now submitted join it.
    """
    actor_require(actor, Capability.WAVE_MANAGE)
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.OPEN:
        raise ApplicationError(
            "waves.not_open", _("Hanya gelombang yang sedang dibuka yang dapat ditutup.")
        )
    if wave_settings_get(programme=wave.programme).join_mode == WaveSettings.JoinMode.AUTOMATIC:
        WaveEntry.objects.filter(
            wave=wave,
            status=WaveEntry.Status.WAITING,
            registration__status=Registration.Status.SUBMITTED,
        ).update(status=WaveEntry.Status.JOINED, missing_items=[])
        _join_all_submitted(wave)
    target = _next_wave(wave) or wave
    # Drafts: their missing steps are computed by the registry's own rule, per draft. This
    # loop is over incomplete applications at close, not over the applicants being selected.
    waiting_ids = set(
        WaveEntry.objects.filter(wave=target).values_list("registration_id", flat=True)
    )
    batch: list[WaveEntry] = []
    drafts = Registration.objects.filter(
        programme_id=wave.programme_id, status=Registration.Status.DRAFT
    ).exclude(pk__in=Subquery(WaveEntry.objects.filter(wave=target).values("registration_id")))
    for registration in drafts.iterator(chunk_size=2000):
        if registration.pk in waiting_ids:
            continue
        missing = [str(step) for step in registration_missing_steps(registration)] or ["submit"]
        batch.append(
            WaveEntry(
                wave=target,
                registration=registration,
                status=WaveEntry.Status.WAITING,
                missing_items=missing,
            )
        )
        if len(batch) >= 2000:
            WaveEntry.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    WaveEntry.objects.bulk_create(batch, ignore_conflicts=True)
    wave.status = Wave.Status.CLOSED
    audit_as(wave, actor=actor, reason="gelombang ditutup")
    wave.save(update_fields=["status"])
    return wave


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
                "selection.seed_invalid",
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
        "selection.run_in_progress",
        _("Proses seleksi untuk gelombang ini sedang berjalan. Tunggu hingga selesai."),
    )


def _selection_run_create(*, actor: Actor, wave: Wave, seed: str | None) -> SelectionRun:
    wave = Wave.objects.get(pk=wave.pk)
    if wave.status != Wave.Status.CLOSED:
        raise ApplicationError(
            "selection.wave_not_closed",
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
    connections = selection.connections_for_run()
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
                locked.input_hash, locked.result_hash = selection.results_store_parallel(
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
                selection.results_discard(run_id=run_id)
            except Exception:
                logger.exception("selection run %s: its rows could not be deleted", run_id)
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        SelectionRun.objects.filter(pk=run_id).update(
            status=SelectionRun.Status.FAILED, error=reason.rstrip(": ")[:300]
        )
        raise
    return locked


@transaction.atomic
def selection_run_approve(*, actor: Actor, run: SelectionRun) -> SelectionRun:
    """Approval by a second programme manager (four-eyes): not the one who created the run."""
    actor_require(actor, Capability.SELECTION_APPROVE)
    locked = SelectionRun.objects.select_for_update().get(pk=run.pk)
    if locked.created_by_id == getattr(actor, "pk", None):
        raise ApplicationError(
            "selection.same_approver",
            _("Hasil seleksi harus disetujui oleh pengelola program lain, bukan pembuatnya."),
        )
    if locked.status != SelectionRun.Status.READY:
        raise ApplicationError(
            "selection.not_ready",
            format_lazy(
                _("Hanya hasil uji coba yang sudah selesai yang dapat disetujui (status: {s})."),
                s=locked.get_status_display(),
            ),
        )
    assert isinstance(actor, User)
    locked.status = SelectionRun.Status.APPROVED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    audit_as(locked, actor=actor, reason="hasil seleksi disetujui")
    locked.save(update_fields=["status", "approved_by", "approved_at"])
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
            "selection.not_approved",
            _(
                "Hasil seleksi belum disetujui pengelola program kedua, sehingga belum dapat "
                "diumumkan."
            ),
        )
    wave = Wave.objects.select_for_update().get(pk=locked.wave_id)
    if wave.status != Wave.Status.CLOSED:
        raise ApplicationError("selection.wave_not_closed", _("Gelombang ini sudah diumumkan."))
    assert isinstance(actor, User)
    selected_ids = SelectionResult.objects.filter(run=locked, selected=True).values(
        "registration_id"
    )
    WaveEntry.objects.filter(
        wave=wave, status=WaveEntry.Status.JOINED, registration_id__in=Subquery(selected_ids)
    ).update(status=WaveEntry.Status.SELECTED)
    WaveEntry.objects.filter(wave=wave, status=WaveEntry.Status.JOINED).update(
        status=WaveEntry.Status.NOT_SELECTED
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
        _carry_over(source=wave, target=next_wave)
    registration_ids = list(
        SelectionResult.objects.filter(run=locked, selected=True)
        .order_by("registration_id")
        .values_list("registration_id", flat=True)
    )
    selection_published.send(
        sender=SelectionRun, run=locked, wave=wave, registration_ids=registration_ids
    )
    return locked


def selection_run_get(*, run_id: int) -> SelectionRun:
    run = SelectionRun.objects.select_related("wave").filter(pk=run_id).first()
    if run is None:
        raise NotFound("selection.run_not_found", _("Proses seleksi tidak ditemukan."))
    return run
