"""Reading single cell values of an uploaded list: dates, regencies, categories, names.

Pure functions over text, no queries: the regency table is read once per import into a
``RegencyIndex``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from prakerja.labourdata.models import Category, JpsRecipient, MigrantReason

EAST_JAVA = "35"
NAME_MAX = 150
COMPANY_MAX = 200
PROGRAMME_MAX = 60
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?(?:\.0+)?)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# "17 Agustus 1990", "17 Agt. 1990", "17-Agu-1990", "17/Aug/1990".
_NAMED_MONTH_DATE = re.compile(r"^(\d{1,2})[\s/.-]*([^\W\d_]+)\.?[\s/.-]*(\d{4})$")
# An Excel date serial (a date cell formatted as a number, or a CSV written from one). Only
# five digits: 10000 is 18 May 1927, so a year typed alone ("1990") is never taken for a date.
_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
# Day 0 of Excel's serials (1899-12-30 absorbs its fictitious 29 February 1900).
_EXCEL_EPOCH = date(1899, 12, 30)
_PERIOD = re.compile(r"^(\d{4})[-/](\d{1,2})$|^(\d{1,2})[-/](\d{4})$")
_RUPIAH_PREFIX = re.compile(r"^(?i:rp)\.?\s*")
_DECIMALS = re.compile(r"(?:,00|\.0)$")


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


CATEGORY_ALIASES: dict[str, str] = {
    "phk": Category.LAID_OFF,
    "pemutusanhubungankerja": Category.LAID_OFF,
    "dirumahkan": Category.FURLOUGHED,
    "pmi": Category.MIGRANT,
    "pekerjamigran": Category.MIGRANT,
    "pekerjamigranindonesia": Category.MIGRANT,
    "tki": Category.MIGRANT,
    "phksebelumcovid": Category.LAID_OFF_PRE_COVID,
    "phksebelumcovid19": Category.LAID_OFF_PRE_COVID,
    "phksebelumpandemi": Category.LAID_OFF_PRE_COVID,
}
MIGRANT_REASON_ALIASES: dict[str, str] = {
    "kontrakselesai": MigrantReason.CONTRACT_ENDED,
    "habiskontrak": MigrantReason.CONTRACT_ENDED,
    "selesaikontrak": MigrantReason.CONTRACT_ENDED,
    "bermasalah": MigrantReason.IN_TROUBLE,
    "gagalberangkat": MigrantReason.FAILED_TO_DEPART,
}
# Indonesian month names as offices write them, full and abbreviated (with the English
# abbreviations an English Excel shows).
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan"),
            ("februari", "pebruari", "feb", "peb"),
            ("maret", "mar", "mrt"),
            ("april", "apr"),
            ("mei", "may"),
            ("juni", "jun"),
            ("juli", "jul"),
            ("agustus", "agu", "agt", "ags", "agst", "agus", "aug"),
            ("september", "sep", "sept", "spt"),
            ("oktober", "okt", "oct"),
            ("november", "nov", "nop", "nopember"),
            ("desember", "des", "dec"),
        ),
        start=1,
    )
    for name in names
}
GENDER_ALIASES = {"l": "L", "lakilaki": "L", "pria": "L", "p": "P", "perempuan": "P", "wanita": "P"}
PROGRAMME_CANONICAL = {_key(value): value for value in JpsRecipient.Programme.values}


@dataclass(frozen=True)
class RegencyIndex:
    """East Java regencies by code ("3578", "35.78") and by name ("Kota Surabaya",
    "Kab. Malang", "Surabaya" — but not "Malang", which is both a kabupaten and a kota)."""

    by_key: dict[str, str]
    names: dict[str, str]
    ambiguous: frozenset[str]

    @classmethod
    def build(cls, regencies: list[tuple[str, str]]) -> RegencyIndex:
        by_key: dict[str, str] = {}
        short: dict[str, list[str]] = {}
        names = {}
        for code, name in regencies:
            names[code] = name
            by_key[code] = code
            by_key[_key(name)] = code
            lowered = name.lower()
            for prefix, alt in (("kabupaten ", ("kab", "kabupaten")), ("kota ", ("kota", "kodya"))):
                if lowered.startswith(prefix):
                    bare = _key(lowered[len(prefix) :])
                    for word in alt:
                        by_key[word + bare] = code
                    short.setdefault(bare, []).append(code)
        ambiguous = set()
        for bare, codes in short.items():
            if len(codes) == 1:
                by_key.setdefault(bare, codes[0])
            else:
                ambiguous.add(bare)
        return cls(by_key=by_key, names=names, ambiguous=frozenset(ambiguous))

    def resolve(self, text: str) -> tuple[str | None, str | None]:
        """``(code, None)`` or ``(None, error code)``."""
        stripped = text.strip()
        if stripped.replace(".", "").isdigit():
            digits = stripped.replace(".", "")
            if digits in self.by_key:
                return digits, None
            return None, "unknown" if digits[:2] == EAST_JAVA else "outside"
        key = _key(stripped)
        if key.startswith("kabupaten"):
            key = "kab" + key[len("kabupaten") :]
        if key in self.by_key:
            return self.by_key[key], None
        if key in self.ambiguous:
            return None, "ambiguous"
        return None, "unknown"


def _iso(match: re.Match[str]) -> date | None:
    return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def _day_first(match: re.Match[str]) -> date | None:
    return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))


def _named_month(match: re.Match[str]) -> date | None:
    month = MONTHS.get(match.group(2).lower())
    return None if month is None else date(int(match.group(3)), month, int(match.group(1)))


def _excel_serial(match: re.Match[str]) -> date | None:
    return _EXCEL_EPOCH + timedelta(days=int(match.group(1)))


# The shapes a date cell comes in, tried in this order: (pattern, match the stripped text,
# the date of a match). The first pattern that matches decides, also when its date is invalid.
_DATE_SHAPES: tuple[tuple[re.Pattern[str], bool, Callable[[re.Match[str]], date | None]], ...] = (
    (_ISO_DATE, False, _iso),
    (_DMY_DATE, False, _day_first),
    (_NAMED_MONTH_DATE, True, _named_month),
    (_EXCEL_SERIAL, True, _excel_serial),
)


def date_parse(text: str) -> date | None:
    """ISO ("2020-04-11", also what a date cell reads as), Indonesian day-first order, a month
    name ("17 Agustus 1990", "17-Agt-1990") or an Excel date serial ("33102")."""
    for pattern, stripped, build in _DATE_SHAPES:
        match = pattern.match(text.strip() if stripped else text)
        if match:
            try:
                return build(match)
            except (ValueError, OverflowError):
                return None
    return None


def name_clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
