"""Demo Sisnaker list, made from the providers the demo has so that the report shows all three
groups: most providers listed (one by number with another capacity, one by a near name that
waits for review), two left out (missing in Sisnaker), and institutions not registered here.
Idempotent: made once, uploaded by the province's demo data officer ("datajatim")."""

from __future__ import annotations

from prakerja.accounts.models import User
from prakerja.core.exports import csv_text
from prakerja.labourdata.models import SisnakerImport
from prakerja.labourdata.sisnaker import sisnaker_import
from prakerja.training.models import Provider

UNREGISTERED = [
    (
        "LPK.3578.0901",
        "LPK Mitra Kerja Nusantara",
        "LPK",
        "Kota Surabaya",
        "Jl. Kenjeran 88",
        "120",
    ),
    ("LPK.3578.0902", "LPK Bina Terampil", "LPK", "Kota Surabaya", "Jl. Ngagel 5", "60"),
    ("LPK.3507.0311", "LPK Tunas Harapan", "LPK", "Kabupaten Malang", "Jl. Raya Kepanjen 3", "90"),
    ("PLK.3525.0044", "PLK Gresik Teknik", "PLK", "Kabupaten Gresik", "Jl. Veteran 21", "200"),
]


def sisnaker_demo_load() -> int:
    """Make the demo list once; returns how many imports exist."""
    officer = User.objects.filter(username="datajatim").first()
    providers = list(Provider.objects.select_related("regency").order_by("pk"))
    if officer is None or len(providers) < 4 or SisnakerImport.objects.exists():
        return SisnakerImport.objects.count()
    rows: list[list[object]] = []
    rows.append(
        [
            "Nomor Sisnaker",
            "Nama Lembaga",
            "Jenis",
            "Kabupaten/Kota",
            "Alamat",
            "Kapasitas per Tahun",
        ]
    )
    for i, provider in enumerate(providers[2:]):  # the first two are missing in Sisnaker
        number = provider.sisnaker_number or f"LPK.{provider.regency_id}.{1000 + i}"
        name = provider.name
        capacity = provider.yearly_capacity or 100
        if i == 0:
            capacity += 50  # listed with another capacity
        if i == 1:
            number, name = "", name.replace("LPK ", "Lembaga Pelatihan ") + " Indonesia"
        rows.append(
            [
                number,
                name,
                provider.kind.upper(),
                provider.regency.name,
                provider.address,
                capacity,
            ]
        )
    rows.extend(list(row) for row in UNREGISTERED)
    data = csv_text(rows).encode()
    sisnaker_import(actor=officer, data=data, name="sisnaker-jatim-demo.csv")
    return SisnakerImport.objects.count()
