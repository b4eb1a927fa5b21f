"""Default data of the East Java programme: rules, consent text and demo test questions.

Rules are data (SPEC §3.2): a programme manager edits them later on ``/daftar/aturan/``; the
seed only creates what is missing, so re-running it never overwrites a manager's edit.
"""

from __future__ import annotations

from typing import Any

from prakerja.registry.models import EligibilityRule, Occupation

PROGRAMME_CODE = "prakerja-jatim"
PROGRAMME_NAME = "Kartu Prakerja Jawa Timur"

CONSENT_VERSION = "v1"
CONSENT_BODY = (
    "Saya menyetujui Pemerintah Provinsi Jawa Timur (Disnakertrans Jatim) memproses data pribadi "
    "saya — termasuk NIK, nomor Kartu Keluarga, nomor HP, alamat, riwayat pekerjaan, dan "
    "keterangan disabilitas — untuk pendaftaran, verifikasi, seleksi, dan pelaksanaan program "
    "Kartu Prakerja, sesuai Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi. "
    "Data saya dapat dicocokkan dengan data Disnaker kabupaten/kota, Kementerian Ketenagakerjaan, "
    "dan data penerima jaring pengaman sosial. Saya berhak mengakses, memperbaiki, dan meminta "
    "salinan data saya, serta menarik persetujuan ini dengan menghubungi call center."
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
