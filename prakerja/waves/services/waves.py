"""Waves: created, opened, joined, closed; applicants carried over to the next wave."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.errors import AccountsError
from prakerja.accounts.scopes import Actor, Capability, actor_can, actor_require
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.core.history import history_bulk_insert, history_bulk_update
from prakerja.registry.models import Programme, Registration
from prakerja.registry.selectors import registration_missing_steps
from prakerja.waves.errors import WavesError
from prakerja.waves.models import (
    RegencyQuota,
    Wave,
    WaveEntry,
    WaveSettings,
)
from prakerja.waves.selectors import join_blocked_until
from prakerja.waves.services.quotas import (
    _quotas_clean,
    _quotas_write,
    wave_quotas_allocate,
)
from prakerja.waves.sqlnames import ENTRY_TABLE, JOIN_BLOCK_TABLE, REGISTRATION_TABLE, literal

# --- Settings ---------------------------------------------------------------------------


def wave_settings_get(*, programme: Programme) -> WaveSettings:
    """The programme's selection settings, created with the defaults on first use."""
    settings_row, _created = WaveSettings.objects.get_or_create(programme=programme)
    return settings_row


def _overlap_check(
    *, programme: Programme, opens_at: datetime, closes_at: datetime, exclude_id: int | None
) -> None:
    if closes_at <= opens_at:
        raise ApplicationError(
            WavesError.CLOSES_BEFORE_OPENING,
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
            WavesError.OVERLAP,
            format_lazy(
                _("Jadwal bertumpuk dengan {name} ({opens} – {closes})."),
                name=overlapping.name,
                opens=timezone.localtime(overlapping.opens_at).strftime("%d-%m-%Y %H:%M"),
                closes=timezone.localtime(overlapping.closes_at).strftime("%d-%m-%Y %H:%M"),
            ),
            field="opens_at",
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
    allocate: bool = False,
) -> Wave:
    """A new wave (draft) after the programme's last one; quotas optional (set or allocate
    them before opening). Applicants not selected and the waiting list of the previous wave
    are carried into it.

    ``allocate``: split the total over the regencies at once (``wave_quotas_allocate``), in
    this service's transaction: a refused allocation leaves no wave behind.
    """
    actor_require(actor, Capability.WAVE_MANAGE)
    if allocate and regency_quotas is not None:
        raise ValueError("wave_create: regency_quotas or allocate, not both")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApplicationError(
            WavesError.NAME_INVALID,
            _("Nama gelombang wajib diisi (maks. 100 karakter)."),
            field="name",
        )
    if total_quota <= 0:
        raise ApplicationError(
            WavesError.TOTAL_QUOTA_INVALID,
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
        _carry_over(actor=actor, source=previous, target=wave)
    if allocate:
        wave_quotas_allocate(actor=actor, wave=wave)
    return wave


def _join_all_submitted(wave: Wave, *, actor: Actor) -> int:
    """Automatic joining: every submitted registration of the programme that is not in the
    wave and was never selected, in one INSERT … SELECT, and their "created" history rows in
    one more."""
    now = timezone.now()
    # Stored as the ORM stores it, so that the history below finds the rows by this value.
    stamp = connection.ops.adapt_datetimefield_value(now)
    joined = literal(WaveEntry.Status.JOINED)
    selected = literal(WaveEntry.Status.SELECTED)
    submitted = literal(Registration.Status.SUBMITTED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ENTRY_TABLE}
                (wave_id, registration_id, status, missing_items, joined_at, carried_from_id)
            SELECT %s, r.id, {joined}, %s, %s, NULL
            FROM {REGISTRATION_TABLE} r
            WHERE r.programme_id = %s AND r.status = {submitted}
              AND NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} e
                              WHERE e.registration_id = r.id
                                AND (e.wave_id = %s OR e.status = {selected}))
              AND NOT EXISTS (SELECT 1 FROM {JOIN_BLOCK_TABLE} b
                              WHERE b.registration_id = r.id AND b.until > %s)
            """,  # noqa: S608 - table names and enum values of the models only
            [wave.pk, "[]", stamp, wave.programme_id, wave.pk, stamp],
        )
        created = int(cursor.rowcount)
    if created:
        # The rows this insert wrote share its timestamp (the wave is locked meanwhile).
        history_bulk_insert(
            WaveEntry,
            WaveEntry.objects.filter(wave=wave, joined_at=now),
            actor=actor,
            reason="bergabung otomatis",
            history_date=now,
        )
    return created


@transaction.atomic
def wave_open(*, actor: Actor, wave: Wave) -> Wave:
    """Open a draft wave. Its quotas must add up to the total. In automatic mode every
    submitted applicant joins at once (and again at close, for those submitted meanwhile)."""
    actor_require(actor, Capability.WAVE_MANAGE)
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.DRAFT:
        raise ApplicationError(
            WavesError.NOT_DRAFT, _("Hanya gelombang berstatus draf yang dapat dibuka.")
        )
    quotas = dict(RegencyQuota.objects.filter(wave=wave).values_list("regency_id", "quota"))
    if not quotas:
        raise ApplicationError(
            WavesError.QUOTA_MISSING,
            _("Tetapkan kuota kabupaten/kota sebelum membuka gelombang."),
            field="regency_quotas",
        )
    _quotas_clean(total_quota=wave.total_quota, regency_quotas=quotas)
    wave.status = Wave.Status.OPEN
    audit_as(wave, actor=actor, reason="gelombang dibuka")
    wave.save(update_fields=["status"])
    if wave_settings_get(programme=wave.programme).join_mode == WaveSettings.JoinMode.AUTOMATIC:
        _join_all_submitted(wave, actor=actor)
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
            AccountsError.ACCOUNT_CAPABILITY_MISSING, _("Anda tidak berhak mengakses data ini.")
        )
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    registration = Registration.objects.get(pk=registration.pk)
    if wave.programme_id != registration.programme_id:
        raise ApplicationError(
            WavesError.OTHER_PROGRAMME, _("Pendaftaran ini bukan untuk program gelombang ini.")
        )
    if wave.status != Wave.Status.OPEN or timezone.now() >= wave.closes_at:
        raise ApplicationError(WavesError.NOT_OPEN, _("Gelombang ini tidak sedang dibuka."))
    if registration.status != Registration.Status.SUBMITTED:
        missing = registration_missing_steps(registration)
        if registration.status == Registration.Status.INELIGIBLE:
            raise ApplicationError(
                WavesError.INELIGIBLE,
                _("Pendaftaran tidak memenuhi syarat, sehingga tidak dapat ikut gelombang."),
            )
        raise ApplicationError(
            WavesError.INCOMPLETE,
            format_lazy(
                _("Pendaftaran belum lengkap. Lengkapi dulu: {steps}."),
                steps=", ".join(str(step.label) for step in missing) or _("kirim pendaftaran"),
            ),
        )
    if _ever_selected(registration.pk):
        raise ApplicationError(
            WavesError.ALREADY_SELECTED, _("Anda sudah pernah terpilih di gelombang sebelumnya.")
        )
    blocked_until = join_blocked_until(registration.pk)
    if blocked_until is not None:
        raise ApplicationError(
            WavesError.JOIN_BLOCKED,
            format_lazy(
                _(
                    "Kepesertaan Anda di gelombang sebelumnya dicabut karena tidak membeli "
                    "pelatihan sampai batas waktu. Anda dapat ikut gelombang lagi mulai {date}."
                ),
                date=date_format(timezone.localtime(blocked_until), "j F Y"),
            ),
            status=409,
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


def _carry_over(*, actor: Actor, source: Wave, target: Wave) -> int:
    """Move the source wave's applicants not selected (as joined) and its waiting list (as
    waiting) into the target wave, set-based; the source entries become ``carried_over``.
    Both sides get their history rows (``core.history``), a constant number of statements."""
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    waiting = literal(WaveEntry.Status.WAITING)
    joined = literal(WaveEntry.Status.JOINED)
    not_selected = literal(WaveEntry.Status.NOT_SELECTED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ENTRY_TABLE}
                (wave_id, registration_id, status, missing_items, joined_at, carried_from_id)
            SELECT %s, s.registration_id,
                   CASE WHEN s.status = {waiting} THEN {waiting} ELSE {joined} END,
                   s.missing_items, %s, s.id
            FROM {ENTRY_TABLE} s
            WHERE s.wave_id = %s AND s.status IN ({not_selected}, {waiting})
              AND NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} t
                              WHERE t.wave_id = %s AND t.registration_id = s.registration_id)
            """,  # noqa: S608 - table names and enum values of the models only
            [target.pk, stamp, source.pk, target.pk],
        )
        moved = int(cursor.rowcount)
    reason = "dialihkan ke gelombang berikutnya"
    if moved:
        history_bulk_insert(
            WaveEntry,
            WaveEntry.objects.filter(wave=target, joined_at=now),
            actor=actor,
            reason=reason,
            history_date=now,
        )
    history_bulk_update(
        WaveEntry.objects.filter(
            wave=source, status__in=[WaveEntry.Status.NOT_SELECTED, WaveEntry.Status.WAITING]
        ),
        actor=actor,
        reason=reason,
        status=WaveEntry.Status.CARRIED_OVER,
    )
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
            WavesError.NOT_OPEN, _("Hanya gelombang yang sedang dibuka yang dapat ditutup.")
        )
    if wave_settings_get(programme=wave.programme).join_mode == WaveSettings.JoinMode.AUTOMATIC:
        history_bulk_update(
            WaveEntry.objects.filter(
                wave=wave,
                status=WaveEntry.Status.WAITING,
                registration__status=Registration.Status.SUBMITTED,
            ),
            actor=actor,
            reason="bergabung dari daftar tunggu",
            status=WaveEntry.Status.JOINED,
            missing_items=[],
        )
        _join_all_submitted(wave, actor=actor)
    target = _next_wave(wave) or wave
    # Drafts: their missing steps are computed by the registry's own rule, per draft. This
    # loop is over incomplete applications at close, not over the applicants being selected.
    waiting_ids = set(
        WaveEntry.objects.filter(wave=target).values_list("registration_id", flat=True)
    )
    batch: list[WaveEntry] = []
    started = timezone.now()
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
    # The waiting entries just created: only this close writes waiting entries into the
    # target from now on (carry-over did so before, with an earlier timestamp).
    history_bulk_insert(
        WaveEntry,
        WaveEntry.objects.filter(
            wave=target, status=WaveEntry.Status.WAITING, joined_at__gte=started
        ),
        actor=actor,
        reason="daftar tunggu saat gelombang ditutup",
    )
    wave.status = Wave.Status.CLOSED
    audit_as(wave, actor=actor, reason="gelombang ditutup")
    wave.save(update_fields=["status"])
    return wave
