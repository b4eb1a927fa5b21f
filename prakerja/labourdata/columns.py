"""The columns of the two templates (reported workers, JPS recipients), in Indonesian.

A file's header is matched loosely — case, spaces and punctuation do not matter, and the usual
variants ("No. HP", "Kab/Kota") are accepted — so a list typed by hand in a Disnaker office
still fits. The template itself always uses ``header``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prakerja.labourdata.models import Kind

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# The fake NIK of the templates' example row (a woman born 17 August 1990 in Karang Pilang,
# Surabaya, serial 0001): an upload still holding that row is refused row by row.
EXAMPLE_NIK = "3578015708900001"


# "No. KTP" and "NIK KTP" as offices write them; "Nomor Induk Kependudukan" spelled out.
NIK_ALIASES = (
    "No KTP",
    "Nomor KTP",
    "NIK KTP",
    "Nomor NIK",
    "No NIK",
    "NIK (KTP)",
    "Nomor Induk Kependudukan",
    "NIK/No KTP",
)


def header_normalise(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    example: str
    help: str
    aliases: tuple[str, ...] = ()

    def matches(self, normalised: str) -> bool:
        return normalised == header_normalise(self.header) or normalised in {
            header_normalise(alias) for alias in self.aliases
        }


WORKER_COLUMNS: tuple[Column, ...] = (
    Column(
        "nik",
        "NIK",
        True,
        EXAMPLE_NIK,
        "16 angka, ketik sebagai teks",
        NIK_ALIASES,
    ),
    Column(
        "full_name",
        "Nama Lengkap",
        True,
        "Siti Rahayu",
        "sesuai KTP",
        ("Nama", "Nama Pekerja", "Nama Tenaga Kerja", "Nama Sesuai KTP", "Nama Lengkap Pekerja"),
    ),
    Column(
        "birth_date",
        "Tanggal Lahir",
        False,
        "17/08/1990",
        "HH/BB/TTTT",
        ("Tgl Lahir", "Tanggal Lahir (HH/BB/TTTT)", "Tgl. Lahir (HH/BB/TTTT)"),
    ),
    Column(
        "gender",
        "Jenis Kelamin",
        False,
        "P",
        "L atau P",
        ("JK", "L/P", "Jenis Kelamin (L/P)", "Gender"),
    ),
    Column(
        "category",
        "Kategori",
        True,
        "Dirumahkan",
        "PHK, Dirumahkan, PMI, atau PHK Sebelum COVID-19",
        ("Status", "Kategori Pekerja", "Status Pekerja", "Jenis PHK", "Status PHK"),
    ),
    Column(
        "migrant_reason",
        "Keterangan PMI",
        False,
        "",
        "untuk PMI: Kontrak Selesai, Bermasalah, atau Gagal Berangkat",
        ("Keterangan Pekerja Migran", "Ket PMI"),
    ),
    Column(
        "regency",
        "Kabupaten/Kota",
        True,
        "Kota Surabaya",
        "nama atau kode, mis. Kota Surabaya atau 3578",
        (
            "Kab/Kota",
            "Kabupaten",
            "Kota",
            "Kabupaten Kota",
            "Kode Kabupaten/Kota",
            "Kabupaten/Kota Domisili",
            "Kab/Kota Domisili",
            "Domisili",
        ),
    ),
    Column(
        "company",
        "Perusahaan",
        False,
        "PT Contoh Sejahtera",
        "nama perusahaan",
        (
            "Nama Perusahaan",
            "Tempat Kerja",
            "Perusahaan Tempat Bekerja",
            "Nama Perusahaan/Tempat Kerja",
        ),
    ),
    Column(
        "report_date",
        "Tanggal Laporan",
        False,
        "11/04/2020",
        "HH/BB/TTTT",
        (
            "Tgl Laporan",
            "Tanggal PHK",
            "Tgl PHK",
            "Tanggal Dirumahkan",
            "Tgl Dirumahkan",
            "Tanggal PHK/Dirumahkan",
            "Tgl PHK/Dirumahkan",
        ),
    ),
    Column(
        "phone",
        "Nomor HP",
        False,
        "081234567890",
        "nomor HP aktif",
        (
            "No HP",
            "HP",
            "Nomor Telepon",
            "No Telp",
            "Telepon",
            "No HP/WA",
            "Nomor HP/WA",
            "No WA",
            "Nomor WhatsApp",
            "HP/WA",
        ),
    ),
)

JPS_COLUMNS: tuple[Column, ...] = (
    Column(
        "nik",
        "NIK",
        True,
        EXAMPLE_NIK,
        "16 angka, ketik sebagai teks",
        NIK_ALIASES,
    ),
    Column(
        "full_name", "Nama Lengkap", True, "Siti Rahayu", "sesuai KTP", ("Nama", "Nama Penerima")
    ),
    Column(
        "programme",
        "Program",
        True,
        "BST",
        "PKH, BPNT, BST, BLT Dana Desa, Kartu Sembako, atau nama program lain",
        ("Program Bantuan", "Jenis Bantuan"),
    ),
    Column(
        "amount", "Nilai (Rp)", False, "600000", "angka tanpa titik", ("Nilai", "Nominal", "Jumlah")
    ),
    Column(
        "period", "Periode", True, "2020-04", "TTTT-BB, mis. 2020-04", ("Bulan", "Periode Bantuan")
    ),
)

# Headers that may stand in a file without meaning anything to the import, silently: the
# row-number column people add, and the reasons column of a downloaded rejected-rows file.
# Any other column that is not in the template (an address, notes) is ignored too, but named
# in a note on the batch, so the office knows its contents were not imported.
IGNORED_HEADERS = frozenset(
    header_normalise(text)
    for text in ("No", "No.", "Nomor Urut", "No Urut", "Nomor", "Urut", "No Urt", "Alasan")
)
REASON_HEADER = "Alasan"


def column_key(text: str, columns: tuple[Column, ...]) -> str | None:
    normalised = header_normalise(text)
    if not normalised:
        return None
    for column in columns:
        if column.matches(normalised):
            return column.key
    return None


def ignored_header(text: str) -> bool:
    return header_normalise(text) in IGNORED_HEADERS


def columns_for(kind: str) -> tuple[Column, ...]:
    return JPS_COLUMNS if kind == Kind.JPS else WORKER_COLUMNS
