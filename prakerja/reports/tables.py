"""The dashboard's tables as plain rows: the page, the CSV and the XLSX all use these, so the
numbers a leader reads, downloads and forwards are the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from prakerja.reports.dashboard import Dashboard


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]]


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def dashboard_tables(data: Dashboard) -> dict[str, Table]:
    stages = data.funnel_labels
    tables = [
        Table(
            "corong",
            _("Corong pendaftaran"),
            [_("Tahap"), _("Jumlah"), _("% dari yang mulai mendaftar")],
            [[s.label, s.value, _share(s.share)] for s in data.stages],
        ),
        Table(
            "harian",
            _("Corong per hari"),
            [
                _("Tanggal"),
                *stages,
                _("Lengkap: daring"),
                _("Lengkap: posko"),
                _("Lengkap: call center"),
                _("Konfirmasi call center"),
                _("Orang dilayani di posko"),
            ],
            [
                [
                    d.day,
                    *d.funnel,
                    d.online,
                    d.post,
                    d.callcentre,
                    d.confirmations,
                    d.visits,
                ]
                for d in data.days
            ],
        ),
        Table(
            "kanal",
            _("Corong menurut kanal"),
            [_("Kanal"), *stages],
            [[c.label, *c.funnel] for c in data.channels],
        ),
        Table(
            "wilayah",
            _("Corong menurut kabupaten/kota"),
            [_("Kabupaten/kota"), *stages, _("Pekerja terdampak dilaporkan")],
            [[r.label or _("(belum diisi)"), *r.funnel, r.extra] for r in data.regencies],
        ),
        Table(
            "posko",
            _("Menurut posko"),
            [
                _("Posko"),
                _("Kabupaten/kota"),
                _("Orang dilayani"),
                stages[0],
                stages[2],
            ],
            [[p.label, p.key, p.extra, p.funnel[0], p.funnel[2]] for p in data.posts],
        ),
        Table(
            "posko_harian",
            _("Orang dilayani per posko per hari"),
            [_("Tanggal"), _("Posko"), _("Orang dilayani")],
            [[r.day, r.post, r.people] for r in data.post_days],
        ),
        Table(
            "kuota",
            _("Keterisian kuota per kabupaten/kota"),
            [
                _("Gelombang"),
                _("Kabupaten/kota"),
                _("Kuota"),
                _("Peserta aktif"),
                _("Sudah membeli pelatihan"),
                _("% terisi"),
            ],
            [
                [q.wave, q.regency, q.quota, q.filled, q.enrolled, round(q.percent, 1)]
                for q in data.quota
            ],
        ),
        Table(
            "kategori",
            _("Pekerja terdampak dilaporkan per kategori"),
            [_("Kategori"), _("Jumlah laporan")],
            [[label, value] for label, value in data.categories],
        ),
    ]
    return {table.key: table for table in tables}
