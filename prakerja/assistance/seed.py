"""Seed data: the 56 East Java assistance posts and the two call-centre lines (SPEC §1).

Posts: the Disnakertrans Jatim office in Surabaya, 16 UPT Balai Latihan Kerja, the LTSA-UPT P2TK
on Jalan Bendul Merisi, and the Disnaker office of each of the 38 regencies/cities of province 35.
The two offices named in the press keep a public address; the others follow the province's
choice not to publicise office locations, and admins can change that per post.
"""

from __future__ import annotations

from dataclasses import dataclass

CALL_CENTRE_LINES = [
    ("031-8293097", "Call Center Disnakertrans Jatim 1"),
    ("031-8280254", "Call Center Disnakertrans Jatim 2"),
]


@dataclass(frozen=True)
class PostSeed:
    code: str
    name: str
    kind: str
    regency_code: str
    address: str = ""
    address_public: bool = False


# UPT Pelatihan Kerja (BLK) of the province, with the regency/city each sits in.
UPT_BLK = [
    ("surabaya", "Surabaya", "3578"),
    ("singosari", "Singosari", "3507"),
    ("wonojati", "Wonojati", "3507"),
    ("kediri", "Kediri", "3571"),
    ("madiun", "Madiun", "3577"),
    ("jember", "Jember", "3509"),
    ("banyuwangi", "Banyuwangi", "3510"),
    ("pasuruan", "Pasuruan", "3575"),
    ("mojokerto", "Mojokerto", "3516"),
    ("tuban", "Tuban", "3523"),
    ("bojonegoro", "Bojonegoro", "3522"),
    ("sumenep", "Sumenep", "3529"),
    ("tulungagung", "Tulungagung", "3504"),
    ("lamongan", "Lamongan", "3524"),
    ("nganjuk", "Nganjuk", "3518"),
    ("jombang", "Jombang", "3517"),
]


def post_seeds(regency_names: dict[str, str]) -> list[PostSeed]:
    """``regency_names`` maps the 38 regency codes of province 35 to their names."""
    seeds = [
        PostSeed(
            code="disnakertrans-jatim",
            name="Kantor Dinas Tenaga Kerja dan Transmigrasi Provinsi Jawa Timur",
            kind="province_office",
            regency_code="3578",
            address="Jl. Dukuh Menanggal No. 124, Gayungan, Surabaya",
            address_public=True,
        ),
        PostSeed(
            code="ltsa-p2tk-surabaya",
            name="LTSA-UPT P2TK (Layanan Terpadu Satu Atap Pekerja Migran Indonesia)",
            kind="ltsa",
            regency_code="3578",
            address="Jl. Bendul Merisi, Wonocolo, Surabaya",
            address_public=True,
        ),
    ]
    seeds += [
        PostSeed(
            code=f"upt-blk-{slug}",
            name=f"UPT Balai Latihan Kerja {place}",
            kind="upt_blk",
            regency_code=regency_code,
        )
        for slug, place, regency_code in UPT_BLK
    ]
    seeds += [
        PostSeed(
            code=f"disnaker-{code}",
            name=f"Kantor Disnaker {name}",
            kind="regency_office",
            regency_code=code,
        )
        for code, name in sorted(regency_names.items())
    ]
    return seeds
