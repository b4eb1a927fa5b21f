"""The evidence a reviewer sees for one pair: both records side by side and the match weight of
each comparison, in plain Indonesian (split from ``linkage.selectors``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from prakerja.accounts.scopes import Actor
from prakerja.labourdata.models import ReportedWorker, WorkerReport
from prakerja.linkage.models import Link
from prakerja.linkage.selectors import link_get_for_actor
from prakerja.registry.models import Registration


@dataclass(frozen=True)
class SideEvidence:
    name: str
    birth_date: Any
    regency: str
    nik_masked: str
    phone: str
    employer: str = ""  # the report's company; the registration's last employer


@dataclass(frozen=True)
class LinkEvidence:
    link: Link
    worker: SideEvidence
    registrant: SideEvidence
    comparisons: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    review_reason: str = ""
    bar_max: int = 20


def link_evidence(*, actor: Actor, link_id: int) -> LinkEvidence:
    """Both sides of a pair as a reviewer sees them: NIKs masked, per-comparison weights."""
    link = link_get_for_actor(actor=actor, link_id=link_id)
    worker = ReportedWorker.objects.select_related("person", "regency").get(pk=link.worker_id)
    registration = Registration.objects.select_related("person", "domicile_regency").get(
        pk=link.registration_id
    )
    comparisons = []
    for key, value in (link.evidence or {}).items():
        if key.startswith("_"):
            continue
        weight = value.get("weight")
        comparisons.append(
            {
                "key": key,
                "name": _COMPARISON_LABELS.get(key, key),
                "level": _level_label(key, value.get("level", "")),
                "weight": weight,
                "direction": _direction(weight),
                # The bar of the waterfall: a <meter>, so no inline style or script (CSP).
                "bar": min(abs(weight), _BAR_MAX) if weight is not None else 0,
            }
        )
    reports: list[dict[str, Any]] = [
        dict(row)
        for row in WorkerReport.objects.filter(worker_id=worker.pk)
        .order_by("-batch_id")
        .values("source", "category", "regency__name", "company", "report_date")
    ]
    # What the matching compared: the latest report that names a company.
    company = next((row["company"] for row in reports if row["company"]), "")
    return LinkEvidence(
        link=link,
        worker=SideEvidence(
            name=worker.full_name,
            birth_date=worker.birth_date,
            regency=worker.regency.name,
            nik_masked=worker.person.nik_masked,
            phone="",
            employer=company,
        ),
        registrant=SideEvidence(
            name=registration.full_name,
            birth_date=registration.birth_date,
            regency=registration.domicile_regency.name if registration.domicile_regency else "",
            nik_masked=registration.person.nik_masked if registration.person else "",
            phone="",
            employer=registration.last_employer,
        ),
        comparisons=comparisons,
        reports=reports,
        review_reason=str(_REVIEW_REASONS.get((link.evidence or {}).get("_review_reason", ""), "")),
        bar_max=_BAR_MAX,
    )


_BAR_MAX = 20
_COMPARISON_LABELS = {
    "nama": _("Nama"),
    "tanggal_lahir": _("Tanggal lahir"),
    "jenis_kelamin": _("Jenis kelamin"),
    "nomor_hp": _("Nomor HP"),
    "nik": _("NIK"),
    "kabupaten": _("Kabupaten/kota"),
    "tempat_kerja": _("Tempat kerja"),
}
# The model's level labels (matching.model) in words a reviewer reads.
_LEVEL_LABELS = {
    "sama": _("sama"),
    "berbeda": _("berbeda"),
    "tidak ada data": _("tidak ada data di salah satu sisi"),
    "sama, dengan inisial": _("sama, salah satu ditulis dengan inisial"),
    "satu nama tidak ditulis": _("sama, tetapi satu kata nama tidak ditulis"),
    "hanya satu nama umum yang sama": _(
        "hanya satu kata nama yang sama, dan nama itu umum (misalnya Siti atau Muhammad)"
    ),
    "sangat mirip": _("sangat mirip (beda ejaan/salah ketik)"),
    "mirip": _("agak mirip"),
    "tanggal dan bulan tertukar": _("tanggal dan bulan tertukar"),
    "tahun beda 1 angka": _("tahun beda satu angka"),
    "tanggal/bulan beda 1 angka": _("tanggal atau bulan beda satu angka"),
    "NIK di laporan = nomor KK pendaftar": _(
        "NIK di laporan sama dengan nomor KK pendaftar (salah kolom)"
    ),
    "beda hanya di nomor urut": _(
        "beda hanya di nomor urut (bisa orang lain yang lahir di hari dan kecamatan sama)"
    ),
    "beda 1 angka di kode wilayah/tanggal": _(
        "beda satu angka di kode provinsi/kabupaten atau tanggal (kemungkinan salah ketik)"
    ),
    "beda 1 angka di nomor urut": _(
        "beda satu angka di nomor urut, jauh dari nomor urut pendaftar (kemungkinan salah ketik)"
    ),
    "beda 1 angka, kode kecamatan tidak ada": _(
        "beda satu angka, dan kode kecamatan di NIK laporan tidak ada (kemungkinan salah ketik)"
    ),
    "beda 1 angka di kode kecamatan": _(
        "beda satu angka di kode kecamatan (bisa orang lain dari kecamatan tetangga)"
    ),
    "beda 2 angka": _("beda dua angka (bisa orang lain yang lahir di hari dan wilayah sama)"),
    "sama, satu lebih lengkap": _(
        "sama, tetapi salah satu ditulis lebih lengkap (misalnya dengan cabang atau unit)"
    ),
    "singkatan": _("sama, salah satu ditulis sebagai singkatan"),
    "sama, tempat kerja besar": _(
        "sama, tetapi tempat kerja besar: banyak pendaftar bekerja di sana, bisa juga orang "
        "lain dengan nama sama"
    ),
}
# Where one label reads differently for one comparison.
_LEVEL_LABELS_FOR = {
    ("tempat_kerja", "sama"): _("sama (tanpa PT/CV/UD/Tbk, tanda baca, huruf besar/kecil)"),
    ("tempat_kerja", "tidak ada data"): _(
        "tidak diisi di salah satu sisi (misalnya laporan PMI tanpa perusahaan)"
    ),
}


def _level_label(comparison: str, level: str) -> str:
    label = _LEVEL_LABELS_FOR.get((comparison, level)) or _LEVEL_LABELS.get(level)
    return str(label) if label is not None else level


_REVIEW_REASONS = {
    "below_bar": _("Peluang cocok belum cukup tinggi untuk ditautkan otomatis."),
    "tie": _(
        "Ada calon lain yang hampir sama kuat (misalnya saudara kembar atau orang dengan nama "
        "dan tanggal lahir sama); petugas yang memutuskan."
    ),
    "sex_differs": _("Jenis kelamin kedua data berbeda."),
    "not_identified": _(
        "Nama kurang sama, atau NIK, nomor KK, nomor HP dan tempat kerja tidak menunjuk ke satu "
        "orang: bisa orang lain dengan nama dan tanggal lahir sama (misalnya saudara kembar, "
        "atau orang lain yang bekerja di tempat yang sama)."
    ),
}


def _direction(weight: float | None) -> str:
    if weight is None or abs(weight) < 0.5:
        return str(_("hampir tidak berpengaruh"))
    return str(_("mendukung") if weight > 0 else _("menentang"))
