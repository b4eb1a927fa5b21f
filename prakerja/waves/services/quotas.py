"""Quotas of a wave: per regency, typed by hand or allocated by largest remainder."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.scopes import Actor, Capability, actor_require
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA
from prakerja.registry.models import Registration
from prakerja.waves.errors import WavesError
from prakerja.waves.models import (
    RegencyQuota,
    Wave,
)
from prakerja.waves.selectors import QuotaInputs, quota_inputs


def _quotas_clean(*, total_quota: int, regency_quotas: Mapping[str, int]) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    for code, quota in regency_quotas.items():
        if not isinstance(quota, int) or isinstance(quota, bool) or quota < 0:
            raise ApplicationError(
                WavesError.QUOTA_INVALID,
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
            WavesError.QUOTA_REGENCY_UNKNOWN,
            format_lazy(
                _("Kode kabupaten/kota tidak dikenal: {codes}."),
                codes=", ".join(code[:8] for code in unknown[:5]),
            ),
            field="regency_quotas",
        )
    total = sum(cleaned.values())
    if total != total_quota:
        raise ApplicationError(
            WavesError.QUOTA_SUM_MISMATCH,
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


def _quotas_write(
    *,
    actor: Actor,
    wave: Wave,
    quotas: Mapping[str, int],
    method: str,
    inputs: Mapping[str, QuotaInputs] | None = None,
) -> None:
    existing = {q.regency_id: q for q in RegencyQuota.objects.filter(wave=wave)}
    for code, value in quotas.items():
        row = existing.pop(code, None) or RegencyQuota(wave=wave, regency_id=code)
        given = inputs.get(code) if inputs else None
        demand, capacity = (given.demand, given.capacity) if given else (None, None)
        if row.pk and (row.quota, row.method, row.demand, row.capacity) == (
            value,
            method,
            demand,
            capacity,
        ):
            continue
        row.quota = value
        row.method = method
        row.demand, row.capacity = demand, capacity
        audit_as(row, actor=actor, reason="kuota ditetapkan")
        row.save()
    for row in existing.values():
        audit_as(row, actor=actor, reason="kuota dihapus")
        row.delete()


def _wave_editable(wave: Wave) -> None:
    if wave.status not in (Wave.Status.DRAFT, Wave.Status.OPEN):
        raise ApplicationError(
            WavesError.NOT_EDITABLE,
            _("Kuota tidak dapat diubah: gelombang sudah ditutup."),
        )


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
def wave_quotas_allocate_by_capacity(*, actor: Actor, wave: Wave) -> dict[str, int]:
    """Allocate by demand and training capacity: each regency's weight is
    ``min(registrations, verified training capacity for the wave's period)``
    (``waves.selectors.quota_inputs``), and the wave's total is split over the weights with the
    largest-remainder method, so the parts add up to the total exactly. A regency without a
    verified provider gets no seats: its applicants could not train. Both inputs are stored
    with each quota (``RegencyQuota.demand``/``capacity``); hand-set quotas stay possible."""
    actor_require(actor, Capability.WAVE_MANAGE)
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    _wave_editable(wave)
    inputs = quota_inputs(wave=wave)
    weights = {code: given.weight for code, given in inputs.items()}
    if not any(weights.values()):
        raise ApplicationError(
            WavesError.QUOTA_NO_CAPACITY,
            _(
                "Belum ada kabupaten/kota yang punya pendaftar sekaligus lembaga pelatihan "
                "terverifikasi: kuota tidak dapat dibagi menurut kapasitas."
            ),
            field="regency_quotas",
        )
    quotas = quotas_largest_remainder(total=wave.total_quota, weights=weights)
    _quotas_write(
        actor=actor, wave=wave, quotas=quotas, method=RegencyQuota.Method.CAPACITY, inputs=inputs
    )
    return quotas


@transaction.atomic
def wave_quotas_allocate(*, actor: Actor, wave: Wave) -> dict[str, int]:
    """Allocate the wave's total quota over the programme's regencies (East Java's 38).

    Method (documented for the public): each regency's weight is the number of its
    registrations submitted and eligible **plus** the number of those reported by a Disnaker
    (so a reported worker counts twice: the programme's priority). The total is split in
    proportion to the weights with the largest-remainder method
    (``quotas_largest_remainder``), so the parts add up to the total exactly; with no
    registrations yet the split is equal.

    ``wave_quotas_allocate_by_capacity`` is the other mode: by demand and training capacity.
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
