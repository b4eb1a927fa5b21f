"""Checking one row of an uploaded list: every problem of every cell, in Indonesian.

Pure functions over the text of the cells (no queries per row); single values are read by
``values``. A row's result is its cleaned values, or the list of ``{column, code, message}``
found — never the offending value itself (it may be a NIK).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prakerja.core.errors import ApplicationError
from prakerja.identity.names import person_name_check
from prakerja.identity.nik import nik_parse
from prakerja.identity.phones import phone_normalise
from prakerja.labourdata.columns import EXAMPLE_NIK
from prakerja.labourdata.errors import LabourDataError
from prakerja.labourdata.models import Category
from prakerja.labourdata.values import (
    _DECIMALS,
    _PERIOD,
    _RUPIAH_PREFIX,
    CATEGORY_ALIASES,
    COMPANY_MAX,
    GENDER_ALIASES,
    MIGRANT_REASON_ALIASES,
    NAME_MAX,
    PROGRAMME_CANONICAL,
    PROGRAMME_MAX,
    RegencyIndex,
    _key,
    date_parse,
    name_clean,
)

__all__ = ["RegencyIndex", "RowContext", "RowValidator", "date_parse"]


def _issue(column: str, code: str, message: str) -> dict[str, str]:
    return {"column": column, "code": code, "message": message}


# Lazy: translated only for a row that has the problem, not for every row checked.
_BIRTH_DATE_INVALID = gettext_lazy(
    "Tanggal lahir tidak valid. Tulis HH/BB/TTTT, misalnya 17/08/1990."
)
_REPORT_DATE_INVALID = gettext_lazy(
    "Tanggal laporan tidak valid atau di masa depan. Tulis HH/BB/TTTT, misalnya 11/04/2020."
)


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
            errors.append(_issue(column, LabourDataError.REQUIRED, _("NIK wajib diisi.")))
            return None
        if numeric:
            errors.append(
                _issue(
                    column,
                    LabourDataError.NIK_STORED_AS_NUMBER,
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
                    LabourDataError.EXAMPLE_ROW,
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
            errors.append(_issue(column, LabourDataError.REQUIRED, _("Nama lengkap wajib diisi.")))
        elif len(name) > NAME_MAX:
            errors.append(
                _issue(
                    column,
                    LabourDataError.TOO_LONG,
                    _("Nama terlalu panjang (paling banyak 150 karakter)."),
                )
            )
        else:
            # The one rule for people's names (identity.names), as registration applies it;
            # codes stay labourdata.name_<problem> (name_digits as before).
            name, issue = person_name_check(name)
            if issue is not None:
                suffix = issue.code.removeprefix("name.")
                errors.append(_issue(column, f"labourdata.name_{suffix}", str(issue.message)))
        return name

    def _date(
        self, cells: dict[str, str], key: str, errors: list[dict[str, str]], message: Promise
    ) -> date | None:
        """The date of an optional cell; a date that cannot be read or lies in the future is
        an error with ``message``."""
        text = cells.get(key, "")
        if not text:
            return None
        value = date_parse(text)
        if value is None or value > self.context.today:
            errors.append(_issue(self._column(key), LabourDataError.DATE_INVALID, str(message)))
            return None
        return value

    def _formula_cells(self, cells: dict[str, str], errors: list[dict[str, str]]) -> None:
        for key, text in cells.items():
            if text.startswith("="):
                errors.append(
                    _issue(
                        self._column(key),
                        LabourDataError.FORMULA,
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

        birth_date = self._date(cells, "birth_date", errors, _BIRTH_DATE_INVALID)

        gender = ""
        gender_text = cells.get("gender", "")
        if gender_text:
            gender = GENDER_ALIASES.get(_key(gender_text), "")
            if not gender:
                errors.append(
                    _issue(
                        self._column("gender"),
                        LabourDataError.GENDER_INVALID,
                        _("Jenis kelamin harus L (laki-laki) atau P (perempuan)."),
                    )
                )

        category_text = cells.get("category", "")
        category = CATEGORY_ALIASES.get(_key(category_text), "")
        if not category_text:
            errors.append(
                _issue(
                    self._column("category"), LabourDataError.REQUIRED, _("Kategori wajib diisi.")
                )
            )
        elif not category:
            errors.append(
                _issue(
                    self._column("category"),
                    LabourDataError.CATEGORY_INVALID,
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
                        LabourDataError.MIGRANT_REASON_INVALID,
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
                    LabourDataError.TOO_LONG,
                    _("Nama perusahaan terlalu panjang (paling banyak 200 karakter)."),
                )
            )

        report_date = self._date(cells, "report_date", errors, _REPORT_DATE_INVALID)

        phone = ""
        phone_text = cells.get("phone", "")
        if phone_text:
            try:
                phone = phone_normalise(phone_text, from_list=True)
            except ApplicationError as error:
                errors.append(
                    _issue(self._column("phone"), LabourDataError.PHONE_INVALID, str(error.message))
                )

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
            errors.append(
                _issue(column, LabourDataError.REQUIRED, _("Kabupaten/kota wajib diisi."))
            )
            return None
        code, problem = self.context.regencies.resolve(text)
        if problem == "ambiguous":
            errors.append(
                _issue(
                    column,
                    LabourDataError.REGENCY_AMBIGUOUS,
                    _(
                        "Sebutkan “Kabupaten” atau “Kota”, misalnya Kabupaten Malang "
                        "atau Kota Malang."
                    ),
                )
            )
            return None
        if problem == "outside":
            errors.append(
                _issue(
                    column, LabourDataError.REGENCY_OUTSIDE, _("Kabupaten/kota di luar Jawa Timur.")
                )
            )
            return None
        if code is None:
            errors.append(
                _issue(
                    column,
                    LabourDataError.REGENCY_UNKNOWN,
                    _("Kabupaten/kota tidak dikenal. Tulis nama lengkap, misalnya Kota Surabaya."),
                )
            )
            return None
        scope = self.context.scope_regency
        if scope is not None and code != scope:
            errors.append(
                _issue(
                    column,
                    LabourDataError.REGENCY_OUT_OF_SCOPE,
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
            errors.append(
                _issue(
                    self._column("programme"), LabourDataError.REQUIRED, _("Program wajib diisi.")
                )
            )
        elif len(programme) > PROGRAMME_MAX:
            errors.append(
                _issue(
                    self._column("programme"),
                    LabourDataError.TOO_LONG,
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
                        LabourDataError.AMOUNT_INVALID,
                        _("Nilai harus berupa angka rupiah, misalnya 600000."),
                    )
                )

        period = ""
        period_text = cells.get("period", "").strip()
        match = _PERIOD.match(period_text)
        if not period_text:
            errors.append(
                _issue(self._column("period"), LabourDataError.REQUIRED, _("Periode wajib diisi."))
            )
        elif match and 1 <= int(match.group(2) or match.group(3)) <= 12:
            year = match.group(1) or match.group(4)
            month = int(match.group(2) or match.group(3))
            period = f"{year}-{month:02d}"
        else:
            errors.append(
                _issue(
                    self._column("period"),
                    LabourDataError.PERIOD_INVALID,
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
