"""Default data of the East Java programme: rules, consent text and demo test questions.

Rules are data (SPEC §3.2): a programme manager edits them later on ``/daftar/aturan/``; the
seed only creates what is missing, so re-running it never overwrites a manager's edit.
"""

from __future__ import annotations

from typing import Any

from prakerja.registry.models import EligibilityRule, Occupation

PROGRAMME_CODE = "prakerja-jatim"
PROGRAMME_NAME = "Kartu Prakerja Jawa Timur"

# v2: the same consent in plain Indonesian, short paragraphs (what, why, who sees it, rights),
# one per blank line; the page shows them as paragraphs. A registration keeps the version it
# agreed to (``Registration.consent_text``); the label is stored, not shown.
CONSENT_VERSION = "v2"
CONSENT_BODY = "\n\n".join(
    (
        "Data yang kami kumpulkan: NIK, nomor Kartu Keluarga, nama, tanggal lahir, nomor HP, "
        "alamat, pekerjaan, pendidikan, dan keterangan disabilitas bila Anda mengisinya.",
        "Untuk apa: memeriksa apakah Anda memenuhi syarat, memilih peserta, mengirim hasil "
        "lewat SMS, serta menjalankan pelatihan dan pembayaran insentif Kartu Prakerja.",
        "Siapa yang melihat: petugas Disnakertrans Jawa Timur dan Disnaker kabupaten/kota yang "
        "menangani pendaftaran Anda. Data Anda dicocokkan dengan data pekerja terdampak dari "
        "Disnaker dan Kementerian Ketenagakerjaan, dan dengan data penerima bantuan sosial. "
        "Data Anda tidak dijual dan tidak dipakai untuk iklan.",
        "Hak Anda: melihat dan mengunduh data Anda serta melihat siapa yang membukanya, dari "
        "halaman status pendaftaran; meminta perbaikan atau penghapusan, atau menarik "
        "persetujuan ini, lewat call center 031-8293097 atau 031-8280254.",
        "Dasar hukum: Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi.",
    )
)
TRUTHFULNESS_BODY = (
    "Saya menyatakan bahwa data yang saya isi adalah benar dan sesuai dokumen kependudukan saya. "
    "Saya memahami bahwa data yang tidak benar dapat menyebabkan pendaftaran saya dibatalkan."
)

RULES: list[dict[str, Any]] = [
    {
        "kind": EligibilityRule.Kind.MIN_AGE,
        "parameter": {"years": 18},
        "reason": "Usia Anda belum 18 tahun pada tanggal pendaftaran.",
    },
    {
        "kind": EligibilityRule.Kind.NOT_IN_EDUCATION,
        "parameter": {},
        "reason": "Anda sedang menempuh pendidikan formal (sekolah atau kuliah).",
    },
    {
        "kind": EligibilityRule.Kind.EXCLUDED_OCCUPATION,
        "parameter": {"occupations": [o.value for o in Occupation if o != Occupation.NONE]},
        "reason": (
            "Jabatan Anda (ASN, TNI, Polri, kepala atau perangkat desa, anggota DPR/DPRD, "
            "direksi atau komisaris BUMN/BUMD) tidak dapat mengikuti program ini."
        ),
    },
    {
        "kind": EligibilityRule.Kind.KK_CAP,
        "parameter": {"max": 2},
        "reason": (
            "Sudah ada 2 anggota keluarga dalam Kartu Keluarga yang sama yang terdaftar "
            "(batas per Kartu Keluarga)."
        ),
    },
]

# (kind, text, choices, correct index or None). Ability questions are deliberately easy: the
# test is a completeness step and its score is never used to rank anyone (SPEC §1, §3.2).
QUESTIONS: list[tuple[str, str, list[str], int | None]] = [
    (
        "motivation",
        "Apa alasan utama Anda mengikuti program Kartu Prakerja?",
        [
            "Mendapat keterampilan baru untuk bekerja kembali",
            "Meningkatkan keterampilan di pekerjaan sekarang",
            "Memulai atau mengembangkan usaha sendiri",
            "Alasan lain",
        ],
        None,
    ),
    (
        "motivation",
        "Berapa jam per minggu Anda dapat mengikuti pelatihan daring?",
        ["Kurang dari 5 jam", "5 sampai 10 jam", "Lebih dari 10 jam"],
        None,
    ),
    (
        "motivation",
        "Bidang pelatihan apa yang paling Anda minati?",
        [
            "Teknologi informasi dan komputer",
            "Kewirausahaan dan pemasaran",
            "Keterampilan teknik (otomotif, listrik, las)",
            "Kuliner, tata busana, dan kecantikan",
        ],
        None,
    ),
    (
        "ability",
        "Sebuah toko menjual 3 bungkus kopi seharga Rp5.000 per bungkus. Berapa harga totalnya?",
        ["Rp8.000", "Rp15.000", "Rp35.000", "Rp53.000"],
        1,
    ),
    (
        "ability",
        "Pelatihan dimulai pukul 08.00 dan berlangsung 2 jam 30 menit. Pukul berapa selesai?",
        ["09.30", "10.00", "10.30", "11.30"],
        2,
    ),
    (
        "ability",
        "Kata manakah yang artinya paling dekat dengan 'terampil'?",
        ["Cakap", "Lambat", "Ragu-ragu", "Lelah"],
        0,
    ),
]
