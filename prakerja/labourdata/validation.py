"""Checking one row of an uploaded list: every problem of every cell, in Indonesian.

Pure functions over the text of the cells (no queries per row): the regency table is read
once per import into a ``RegencyIndex``. A row's result is its cleaned values, or the list of
``{column, code, message}`` found — never the offending value itself (it may be a NIK).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from prakerja.core.errors import ApplicationError
from prakerja.identity.names import person_name_check
from prakerja.identity.nik import nik_parse
from prakerja.identity.phones import phone_normalise
from prakerja.labourdata.columns import EXAMPLE_NIK
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
_FAST_MOBILE = re.compile(r"^(?:\+?62|0)(8[1-9]\d{7,10})$")
_PHONE_SEPARATORS = re.compile(r"[\s().-]+")
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


def _issue(column: str, code: str, message: str) -> dict[str, str]:
    return {"column": column, "code": f"labourdata.{code}", "message": message}


def date_parse(text: str) -> date | None:
    """ISO ("2020-04-11", also what a date cell reads as), Indonesian day-first order, a month
    name ("17 Agustus 1990", "17-Agt-1990") or an Excel date serial ("33102")."""
    match = _ISO_DATE.match(text)
    try:
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = _DMY_DATE.match(text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _NAMED_MONTH_DATE.match(text.strip())
        if match:
            month = MONTHS.get(match.group(2).lower())
            if month is None:
                return None
            return date(int(match.group(3)), month, int(match.group(1)))
        match = _EXCEL_SERIAL.match(text.strip())
        if match:
            return _EXCEL_EPOCH + timedelta(days=int(match.group(1)))
    except (ValueError, OverflowError):
        return None
    return None


def phone_clean(text: str) -> str:
    """E.164 of an Indonesian mobile; the common shapes without the phonenumbers parser
    (a hundred thousand rows would spend seconds in it), anything else through it."""
    compact = _PHONE_SEPARATORS.sub("", text)
    match = _FAST_MOBILE.match(compact)
    if match:
        return f"+62{match.group(1)}"
    if compact.isdigit() and compact.startswith("8") and 9 <= len(compact) <= 12:
        # The leading zero lost to a number-formatted Excel cell.
        return f"+62{compact}"
    return phone_normalise(text)


def name_clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


@dataclass
class RowContext:
    regencies: RegencyIndex
    scope_regency: str | None  # a regency data officer's regency; None = whole province
    today: date


class RowValidator:
    """Checks rows of one file against its column headers (for the messages)."""

    def __init__(self, headers: dict[str, str], context: RowContext) -> None:
        self.headers = headers
        self.context = context

    def _column(self, key: str) -> str:
        return self.headers.get(key, key)

    def _nik(self, text: str, errors: list[dict[str, str]], numeric: bool) -> Any:
        column = self._column("nik")
        if not text:
            errors.append(_issue(column, "required", _("NIK wajib diisi.")))
            return None
        if numeric:
            errors.append(
                _issue(
                    column,
                    "nik_stored_as_number",
                    _(
                        "NIK tersimpan sebagai angka di Excel, sehingga angka terakhirnya bisa "
                        "hilang. Ubah format kolom NIK menjadi Teks, ketik ulang NIK, lalu "
                        "unggah lagi."
                    ),
                )
            )
            return None
        if text == EXAMPLE_NIK:
            errors.append(
                _issue(
                    column,
                    "example_row",
                    _("Ini baris contoh dari templat. Hapus baris ini lalu unggah lagi."),
                )
            )
            return None
        parsed = nik_parse(text, today=self.context.today)
        if parsed.errors:
            # The NIK's own codes (nik.length, nik.birth_date, …), first problem only.
            issue = parsed.errors[0]
            errors.append({"column": column, "code": issue.code, "message": str(issue.message)})
            return None
        return parsed

    def _name(self, text: str, errors: list[dict[str, str]]) -> str:
        column = self._column("full_name")
        name = name_clean(text)
        if not name:
            errors.append(_issue(column, "required", _("Nama lengkap wajib diisi.")))
        elif len(name) > NAME_MAX:
            errors.append(
                _issue(column, "too_long", _("Nama terlalu panjang (paling banyak 150 karakter)."))
            )
        else:
            # The one rule for people's names (identity.names), as registration applies it;
            # codes stay labourdata.name_<problem> (name_digits as before).
            name, issue = person_name_check(name)
            if issue is not None:
                suffix = issue.code.removeprefix("name.")
                errors.append(_issue(column, f"name_{suffix}", str(issue.message)))
        return name

    def _formula_cells(self, cells: dict[str, str], errors: list[dict[str, str]]) -> None:
        for key, text in cells.items():
            if text.startswith("="):
                errors.append(
                    _issue(
                        self._column(key),
                        "formula",
                        _("Isian diawali tanda “=” (rumus). Tulis nilainya saja."),
                    )
                )

    def worker_row(
        self, cells: dict[str, str], *, numeric_nik: bool = False
    ) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
        errors: list[dict[str, str]] = []
        self._formula_cells(cells, errors)
        if errors:
            return None, errors
        parsed = self._nik(cells.get("nik", ""), errors, numeric_nik)
        name = self._name(cells.get("full_name", ""), errors)

        birth_date = None
        birth_text = cells.get("birth_date", "")
        if birth_text:
            birth_date = date_parse(birth_text)
            if birth_date is None or birth_date > self.context.today:
                errors.append(
                    _issue(
                        self._column("birth_date"),
                        "date_invalid",
                        _("Tanggal lahir tidak valid. Tulis HH/BB/TTTT, misalnya 17/08/1990."),
                    )
                )
                birth_date = None

        gender = ""
        gender_text = cells.get("gender", "")
        if gender_text:
            gender = GENDER_ALIASES.get(_key(gender_text), "")
            if not gender:
                errors.append(
                    _issue(
                        self._column("gender"),
                        "gender_invalid",
                        _("Jenis kelamin harus L (laki-laki) atau P (perempuan)."),
                    )
                )

        category_text = cells.get("category", "")
        category = CATEGORY_ALIASES.get(_key(category_text), "")
        if not category_text:
            errors.append(_issue(self._column("category"), "required", _("Kategori wajib diisi.")))
        elif not category:
            errors.append(
                _issue(
                    self._column("category"),
                    "category_invalid",
                    _(
                        "Kategori tidak dikenal. Gunakan salah satu: PHK, Dirumahkan, PMI, "
                        "PHK Sebelum COVID-19."
                    ),
                )
            )

        migrant_reason = ""
        reason_text = cells.get("migrant_reason", "")
        if category == Category.MIGRANT:
            migrant_reason = MIGRANT_REASON_ALIASES.get(_key(reason_text), "")
            if not migrant_reason:
                errors.append(
                    _issue(
                        self._column("migrant_reason")
                        if "migrant_reason" in self.headers
                        else "Keterangan PMI",
                        "migrant_reason_invalid",
                        _(
                            "Untuk kategori PMI, isi Keterangan PMI dengan Kontrak Selesai, "
                            "Bermasalah, atau Gagal Berangkat."
                        ),
                    )
                )

        regency_code = self._regency(cells.get("regency", ""), errors)

        company = name_clean(cells.get("company", ""))
        if len(company) > COMPANY_MAX:
            errors.append(
                _issue(
                    self._column("company"),
                    "too_long",
                    _("Nama perusahaan terlalu panjang (paling banyak 200 karakter)."),
                )
            )

        report_date = None
        report_text = cells.get("report_date", "")
        if report_text:
            report_date = date_parse(report_text)
            if report_date is None or report_date > self.context.today:
                errors.append(
                    _issue(
                        self._column("report_date"),
                        "date_invalid",
                        _(
                            "Tanggal laporan tidak valid atau di masa depan. Tulis HH/BB/TTTT, "
                            "misalnya 11/04/2020."
                        ),
                    )
                )
                report_date = None

        phone = ""
        phone_text = cells.get("phone", "")
        if phone_text:
            try:
                phone = phone_clean(phone_text)
            except ApplicationError as error:
                errors.append(_issue(self._column("phone"), "phone_invalid", str(error.message)))

        if errors or parsed is None:
            return None, errors
        return {
            "nik": parsed.value,
            "full_name": name,
            "birth_date": birth_date,
            "nik_birth_date": parsed.birth_date,
            "gender": gender or parsed.gender or "",
            "category": category,
            "migrant_reason": migrant_reason,
            "regency": regency_code,
            "company": company,
            "report_date": report_date,
            "phone": phone,
        }, errors

    def _regency(self, text: str, errors: list[dict[str, str]]) -> str | None:
        column = self._column("regency")
        if not text:
            errors.append(_issue(column, "required", _("Kabupaten/kota wajib diisi.")))
            return None
        code, problem = self.context.regencies.resolve(text)
        if problem == "ambiguous":
            errors.append(
                _issue(
                    column,
                    "regency_ambiguous",
                    _(
                        "Sebutkan “Kabupaten” atau “Kota”, misalnya Kabupaten Malang "
                        "atau Kota Malang."
                    ),
                )
            )
            return None
        if problem == "outside":
            errors.append(
                _issue(column, "regency_outside", _("Kabupaten/kota di luar Jawa Timur."))
            )
            return None
        if code is None:
            errors.append(
                _issue(
                    column,
                    "regency_unknown",
                    _("Kabupaten/kota tidak dikenal. Tulis nama lengkap, misalnya Kota Surabaya."),
                )
            )
            return None
        scope = self.context.scope_regency
        if scope is not None and code != scope:
            errors.append(
                _issue(
                    column,
                    "regency_out_of_scope",
                    _("Baris ini untuk {other}; Anda hanya dapat mengimpor data {own}.").format(
                        other=self.context.regencies.names.get(code, code),
                        own=self.context.regencies.names.get(scope, scope),
                    ),
                )
            )
            return None
        return code

    def jps_row(
        self, cells: dict[str, str], *, numeric_nik: bool = False
    ) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
        errors: list[dict[str, str]] = []
        self._formula_cells(cells, errors)
        if errors:
            return None, errors
        parsed = self._nik(cells.get("nik", ""), errors, numeric_nik)
        name = self._name(cells.get("full_name", ""), errors)

        programme_text = name_clean(cells.get("programme", ""))
        programme = PROGRAMME_CANONICAL.get(_key(programme_text), programme_text)
        if not programme:
            errors.append(_issue(self._column("programme"), "required", _("Program wajib diisi.")))
        elif len(programme) > PROGRAMME_MAX:
            errors.append(
                _issue(
                    self._column("programme"),
                    "too_long",
                    _("Nama program terlalu panjang (paling banyak 60 karakter)."),
                )
            )

        amount = None
        amount_text = cells.get("amount", "")
        if amount_text:
            # "600000", "600.000", "Rp 600.000,00", or a number cell's "600000.0".
            digits = _RUPIAH_PREFIX.sub("", amount_text.strip())
            digits = _DECIMALS.sub("", digits).replace(".", "").replace(",", "").replace(" ", "")
            if digits.isdigit() and len(digits) <= 12:
                amount = int(digits)
            else:
                errors.append(
                    _issue(
                        self._column("amount"),
                        "amount_invalid",
                        _("Nilai harus berupa angka rupiah, misalnya 600000."),
                    )
                )

        period = ""
        period_text = cells.get("period", "").strip()
        match = _PERIOD.match(period_text)
        if not period_text:
            errors.append(_issue(self._column("period"), "required", _("Periode wajib diisi.")))
        elif match and 1 <= int(match.group(2) or match.group(3)) <= 12:
            year = match.group(1) or match.group(4)
            month = int(match.group(2) or match.group(3))
            period = f"{year}-{month:02d}"
        else:
            errors.append(
                _issue(
                    self._column("period"),
                    "period_invalid",
                    _("Periode harus ditulis TTTT-BB, misalnya 2020-04."),
                )
            )

        if errors or parsed is None:
            return None, errors
        return {
            "nik": parsed.value,
            "full_name": name,
            "programme": programme,
            "amount": amount,
            "period": period,
        }, errors
