"""NIK and KK numbers: parsing, checking and masking, with no database.

A NIK is ``PP RR DD ddmmyy ssss``: province, regency and district of first registration, birth
date (women add 40 to the day) and a serial. The rules come from SPEC §3.1:

* hard errors (``nik.*``) for a number that cannot be anyone's NIK — wrong length or characters,
  an unknown province, an impossible birth date, serial 0000;
* warnings for what may still be right: a regency or district code missing from today's table
  (codes retired by a regency split stay printed on old KTPs) and a stated birth date or gender
  that disagrees with the NIK.

The region codes come from the CSVs shipped in ``prakerja/regions/data`` (loaded once), so the
check runs as the user types without a query and works before ``regions_load`` has run.

Never put the number itself into a message: messages end up in logs, API answers and screens.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

import prakerja.regions
from prakerja.identity.errors import IdentityError

REGIONS_DATA_DIR = Path(prakerja.regions.__file__).resolve().parent / "data"

NIK_LENGTH = 16
KK_LENGTH = 16
MAX_AGE_YEARS = 120
FEMALE_DAY_OFFSET = 40
MALE = "L"
FEMALE = "P"
GENDERS = (MALE, FEMALE)

# What people type between digit groups. Only spaces and dots: a dash or a letter is more likely
# a mistake the user should see than formatting we should silently drop.
_SEPARATORS = re.compile(r"[\s.]+")
# ASCII digits only: str.isdigit() would accept "٣" or "３", which no KTP carries.
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


@dataclass(frozen=True)
class Issue:
    """One finding about a number: ``code`` is stable for clients, ``message`` is for people."""

    code: str
    message: str | Promise

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": str(self.message)}


@dataclass(frozen=True)
class RegionCatalog:
    """The region codes of today's table, as plain (undotted) strings."""

    provinces: frozenset[str]
    regencies: frozenset[str]
    districts: frozenset[str]

    @classmethod
    def from_directory(cls, data_dir: Path) -> RegionCatalog:
        def codes(name: str) -> frozenset[str]:
            with (data_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
                return frozenset(row["code"].replace(".", "") for row in csv.DictReader(handle))

        return cls(
            provinces=codes("provinces"),
            regencies=codes("regencies"),
            districts=codes("districts"),
        )


@functools.cache
def region_catalog() -> RegionCatalog:
    """The shipped catalog, read once per process (about 8,000 codes, a few milliseconds)."""
    return RegionCatalog.from_directory(REGIONS_DATA_DIR)


@dataclass(frozen=True)
class KkResult:
    """A parsed 16-digit number: the region it names, and what is wrong with it. A KK (family
    card) number carries nothing more; ``NikResult`` adds the birth date, gender and serial."""

    value: str
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def masked(self) -> str:
        return nik_mask(self.value)


@dataclass(frozen=True)
class NikResult(KkResult):
    birth_date: date | None = None
    gender: str | None = None
    serial: str | None = None


def number_normalise(value: str) -> str:
    """Drop the spaces and dots people type between digit groups ("3578 0157 0890 0001")."""
    return _SEPARATORS.sub("", value)


def nik_mask(value: str) -> str:
    """``3578015708900001`` → ``3578********0001``: enough to recognise, not enough to use.

    Anything shorter than 12 characters is masked completely, so a masked fragment never shows
    more than half of what was typed.
    """
    value = number_normalise(value)
    if len(value) < 12:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


kk_mask = nik_mask


def _is_ascii_digits(value: str) -> bool:
    return _ASCII_DIGITS.fullmatch(value) is not None


def _age_on(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _infer_birth_date(day: int, month: int, yy: int, today: date) -> date | None:
    """The most recent century in which ``dd-mm-yy`` is a real, non-future date of someone aged
    0 to 120 — or None. A NIK only has two year digits, so a centenarian's NIK reads as a
    child's when both are possible: the most recent reading is the likelier one.
    """
    year = today.year - ((today.year - yy) % 100)
    # +1: someone born 121 calendar years ago is still 120 until their birthday.
    while today.year - year <= MAX_AGE_YEARS + 1:
        try:
            candidate = date(year, month, day)
        except ValueError:
            # Feb 29 exists in some centuries only (2000 yes, 1900 no): try the previous one.
            candidate = None
        if candidate is not None and candidate <= today:
            age = _age_on(candidate, today)
            return candidate if 0 <= age <= MAX_AGE_YEARS else None
        year -= 100
    return None


def _region_warnings(
    prefix: str, regency_code: str, district_code: str, catalog: RegionCatalog
) -> list[Issue]:
    # Only the most specific finding: an unknown regency implies an unknown district.
    if regency_code not in catalog.regencies:
        return [
            Issue(
                f"{prefix}.regency_unknown",
                format_lazy(
                    _(
                        "Kode kabupaten/kota {code} tidak ada dalam daftar wilayah saat ini. "
                        "Kode lama dari sebelum pemekaran wilayah tetap berlaku; pastikan angka "
                        "sudah sesuai dengan yang tertulis."
                    ),
                    code=regency_code,
                ),
            )
        ]
    if district_code not in catalog.districts:
        return [
            Issue(
                f"{prefix}.district_unknown",
                format_lazy(
                    _(
                        "Kode kecamatan {code} tidak ada dalam daftar wilayah saat ini. "
                        "Kode lama dari sebelum pemekaran wilayah tetap berlaku; pastikan angka "
                        "sudah sesuai dengan yang tertulis."
                    ),
                    code=district_code,
                ),
            )
        ]
    return []


def nik_parse(
    value: str,
    *,
    stated_birth_date: date | None = None,
    stated_gender: str | None = None,
    today: date | None = None,
    catalog: RegionCatalog | None = None,
) -> NikResult:
    """Check a NIK and read what it says. Never raises on any string."""
    normalised = number_normalise(value)
    errors: list[Issue] = []
    if len(normalised) != NIK_LENGTH:
        errors.append(
            Issue(
                IdentityError.NIK_LENGTH,
                format_lazy(
                    _("NIK harus terdiri dari 16 angka, yang diisi {count} karakter."),
                    count=len(normalised),
                ),
            )
        )
    if normalised and not _is_ascii_digits(normalised):
        errors.append(Issue(IdentityError.NIK_NON_DIGIT, _("NIK hanya boleh berisi angka 0–9.")))
    if errors:
        return NikResult(value=normalised, errors=errors)

    catalog = catalog or region_catalog()
    today = today or timezone.localdate()
    province_code = normalised[:2]
    regency_code = normalised[:4]
    district_code = normalised[:6]
    dd, mm, yy = int(normalised[6:8]), int(normalised[8:10]), int(normalised[10:12])
    serial = normalised[12:]
    warnings: list[Issue] = []

    if province_code not in catalog.provinces:
        errors.append(
            Issue(
                IdentityError.NIK_PROVINCE_UNKNOWN,
                format_lazy(
                    _(
                        "Dua angka pertama NIK ({code}) bukan kode provinsi yang dikenal. "
                        "Periksa kembali NIK pada KTP."
                    ),
                    code=province_code,
                ),
            )
        )
    else:
        warnings.extend(_region_warnings("nik", regency_code, district_code, catalog))

    gender: str | None = None
    day = dd
    if 1 <= dd <= 31:
        gender = MALE
    elif 1 + FEMALE_DAY_OFFSET <= dd <= 31 + FEMALE_DAY_OFFSET:
        gender = FEMALE
        day = dd - FEMALE_DAY_OFFSET
    birth_date = _infer_birth_date(day, mm, yy, today) if gender and 1 <= mm <= 12 else None
    if birth_date is None:
        errors.append(
            Issue(
                IdentityError.NIK_DATE_INVALID,
                _(
                    "Tanggal lahir dalam NIK (angka ke-7 sampai ke-12) bukan tanggal yang "
                    "mungkin. Untuk perempuan, tanggal lahir ditambah 40. Periksa kembali NIK "
                    "pada KTP."
                ),
            )
        )
        # A gender read from an impossible date is not worth reporting.
        gender = None

    if serial == "0000":
        errors.append(
            Issue(IdentityError.NIK_SERIAL_ZERO, _("Empat angka terakhir NIK tidak boleh 0000."))
        )

    if birth_date is not None and stated_birth_date is not None and stated_birth_date != birth_date:
        warnings.append(
            Issue(
                IdentityError.NIK_BIRTH_DATE_MISMATCH,
                _(
                    "Tanggal lahir yang diisi berbeda dengan tanggal lahir dalam NIK. "
                    "Periksa kembali keduanya."
                ),
            )
        )
    if gender is not None and stated_gender and stated_gender.strip().upper() != gender:
        warnings.append(
            Issue(
                IdentityError.NIK_GENDER_MISMATCH,
                _(
                    "Jenis kelamin yang dipilih berbeda dengan yang tercantum dalam NIK "
                    "(untuk perempuan, tanggal lahir dalam NIK ditambah 40)."
                ),
            )
        )

    return NikResult(
        value=normalised,
        province_code=province_code,
        regency_code=regency_code,
        district_code=district_code,
        birth_date=birth_date,
        gender=gender,
        serial=serial,
        errors=errors,
        warnings=warnings,
    )


def kk_parse(value: str, *, catalog: RegionCatalog | None = None) -> KkResult:
    """Check a family-card (KK) number: 16 digits starting with a known province code.

    Like a NIK, a KK starts with the region where it was issued, so an unknown regency or
    district is only a warning.
    """
    normalised = number_normalise(value)
    errors: list[Issue] = []
    if len(normalised) != KK_LENGTH:
        errors.append(
            Issue(
                IdentityError.KK_LENGTH,
                format_lazy(
                    _("Nomor KK harus terdiri dari 16 angka, yang diisi {count} karakter."),
                    count=len(normalised),
                ),
            )
        )
    if normalised and not _is_ascii_digits(normalised):
        errors.append(
            Issue(IdentityError.KK_NON_DIGIT, _("Nomor KK hanya boleh berisi angka 0–9."))
        )
    if errors:
        return KkResult(value=normalised, errors=errors)

    catalog = catalog or region_catalog()
    province_code, regency_code, district_code = normalised[:2], normalised[:4], normalised[:6]
    if province_code not in catalog.provinces:
        errors.append(
            Issue(
                IdentityError.KK_PROVINCE_UNKNOWN,
                format_lazy(
                    _(
                        "Dua angka pertama nomor KK ({code}) bukan kode provinsi yang dikenal. "
                        "Periksa kembali nomor pada Kartu Keluarga."
                    ),
                    code=province_code,
                ),
            )
        )
        warnings: list[Issue] = []
    else:
        warnings = _region_warnings("kk", regency_code, district_code, catalog)
    return KkResult(
        value=normalised,
        province_code=province_code,
        regency_code=regency_code,
        district_code=district_code,
        errors=errors,
        warnings=warnings,
    )


def nik_build(*, district_code: str, birth_date: date, gender: str, serial: int) -> str:
    """Compose a NIK from its parts: for demo data and tests (never a real person's NIK)."""
    if gender not in GENDERS:
        raise ValueError("gender must be 'L' or 'P'")
    if len(district_code) != 6 or not _is_ascii_digits(district_code):
        raise ValueError("district_code must be 6 digits")
    if not 0 <= serial <= 9999:
        raise ValueError("serial must be 0..9999")
    day = birth_date.day + (FEMALE_DAY_OFFSET if gender == FEMALE else 0)
    return f"{district_code}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
