"""Fake identity numbers for tests: built from real region codes, never a real person's."""

from __future__ import annotations

from datetime import date

from prakerja.identity.nik import nik_build

# The worked example of the brief: a woman born 17 August 1990, Karang Pilang, Kota Surabaya.
NIK_WOMAN_SURABAYA = "3578015708900001"
# The same birth date and district for a man.
NIK_MAN_SURABAYA = "3578011708900002"
KK_SURABAYA = "3578010201150007"


def fake_nik(
    *,
    district_code: str = "357801",
    birth_date: date = date(1990, 8, 17),
    gender: str = "P",
    serial: int = 1,
) -> str:
    return nik_build(
        district_code=district_code, birth_date=birth_date, gender=gender, serial=serial
    )


def fake_kk(*, district_code: str = "357801", serial: int = 7) -> str:
    # A KK carries its issue date where a NIK carries the birth date.
    return f"{district_code}020115{serial:04d}"
