"""What both readers share: the limits, ``Table``, the errors, headers and the data rows."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.labourdata.columns import Column, column_key, ignored_header
from prakerja.labourdata.errors import LabourDataError

DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
# An .xlsx is a zip: a small upload can inflate to gigabytes and take the worker's memory
# with it (the case measured: ``bench/README.md``). Honest workbooks of the upload limit unzip
# to well under this.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_COMPRESSION_RATIO = 100
# Members smaller than this are not held to the ratio: a tiny styles.xml may compress very well
# and costs nothing to open.
RATIO_MIN_BYTES = 1024 * 1024
INFLATE_BLOCK = 1024 * 1024
_ZIP_LOCAL_HEADER = struct.Struct("<4s22xHH")
_SHEET_TAG = re.compile(rb"<sheet\b[^>]*>")
_SHEET_NAME = re.compile(rb'\bname="([^"]*)"')
_SHEET_RID = re.compile(rb'\br:id="([^"]+)"')
# Cells that lost nothing but the apostrophe Excel users type to keep a number as text.
_TEXT_MARKS = "'\u2018\u2019`"
# "Jumlah", "JUMLAH TOTAL", "Total:", "Grand total", "Sub Total" — not "Totalia".
_TOTALS_LABEL = re.compile(r"^(?:grand\s*|sub\s*)?(?:jumlah|total)\b", re.IGNORECASE)
# A count or a sum: "125", "1.250", "Rp 6.000.000".
_COUNT = re.compile(r"^(?:rp\.?\s*)?\d[\d.,]*$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# A totals row is looked for among the last rows only, never in the middle of the data.
TOTALS_SEARCH_ROWS = 3
# How far down a title block above the column names is looked for (to name it in the message).
HEADER_SEARCH_ROWS = 10
XLSX_MAGIC = b"PK\x03\x04"
_CELL_REF = re.compile(rb"<c r=\"([A-Z]{1,3})(\d+)\"([^>]*)>")
_FORMULA_CELL = re.compile(rb"<c r=\"([A-Z]{1,3}\d+)\"[^>]*>(?:<v>[^<]*</v>)?<f[ >/]")
_MERGE = re.compile(rb"<mergeCell ref=\"([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)\"")


def max_upload_bytes() -> int:
    return int(getattr(settings, "LABOURDATA_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_uncompressed_bytes() -> int:
    return int(
        getattr(settings, "LABOURDATA_XLSX_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)
    )


def max_compression_ratio() -> int:
    return int(getattr(settings, "LABOURDATA_XLSX_MAX_RATIO", DEFAULT_MAX_COMPRESSION_RATIO))


@dataclass
class Table:
    """The data rows of a file: ``cells[key][i]`` is the text (or None) of data row ``i``,
    ``row_numbers[i]`` the row number the uploader sees in their spreadsheet program."""

    headers: dict[str, str]  # column key -> header as written in the file
    cells: dict[str, list[str | None]]
    row_numbers: list[int]
    # Sheet rows whose NIK cell was stored as a number (digits may already be lost).
    numeric_nik_rows: set[int] = field(default_factory=set)
    encoding: str = "utf-8"
    # What was accepted but changed: [{"code": "labourdata.…", "message": "…"}] for the batch.
    notes: list[dict[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row_numbers)


def _error(code: str, message: object) -> ApplicationError:
    return ApplicationError(code, message, field="file")  # type: ignore[arg-type]


def _note(code: str, message: object) -> dict[str, str]:
    return {"code": code, "message": str(message)}


def _quoted(names: list[str]) -> str:
    return ", ".join(f"“{name}”" for name in names)


def file_check_size(size: int) -> None:
    if size == 0:
        raise _error(
            LabourDataError.FILE_EMPTY, _("Berkas kosong (0 byte). Pilih berkas yang berisi data.")
        )
    limit = max_upload_bytes()
    if size > limit:
        raise _error(
            LabourDataError.FILE_TOO_LARGE,
            format_lazy(
                _(
                    "Berkas terlalu besar ({size} MB); batasnya {limit} MB. Pecah data menjadi "
                    "beberapa berkas lalu unggah satu per satu."
                ),
                size=round(size / 1024 / 1024, 1),
                limit=round(limit / 1024 / 1024, 1),
            ),
        )


def file_kind(name: str, head: bytes) -> str:
    """ "xlsx" or "csv", from the name and the first bytes; anything else is refused."""
    lowered = name.lower()
    if lowered.endswith(".xlsx") and head.startswith(XLSX_MAGIC):
        return "xlsx"
    if lowered.endswith(".csv") and not head.startswith(XLSX_MAGIC):
        return "csv"
    if lowered.endswith(".xls"):
        raise _error(
            LabourDataError.FILE_TYPE,
            _(
                "Format .xls (Excel 97–2003) tidak didukung. Simpan ulang sebagai .xlsx "
                "(File → Save As → Excel Workbook) lalu unggah lagi."
            ),
        )
    raise _error(
        LabourDataError.FILE_TYPE,
        _("Berkas harus berformat .xlsx atau .csv. Gunakan templat yang disediakan."),
    )


def _column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based position: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- Headers -------------------------------------------------------------------------------


@dataclass
class _Headers:
    found: dict[str, str]  # column key -> header as written
    positions: dict[str, int]  # column key -> position
    blank: list[int]  # positions of blank headers
    extra: list[tuple[int, str]]  # columns not in the template: (position, header)
    quiet: list[int]  # numbering / reasons columns, ignored without a note


def _headers_resolve(raw_headers: list[str | None], columns: tuple[Column, ...]) -> _Headers:
    """Map the file's headers to column keys and positions; duplicated or missing columns
    refused. Columns that are not in the template are ignored (and named in a note): an
    office's own address or notes column is no reason to refuse its list. A blank header over
    an empty column is a leftover and ignored, over data it is refused (``_unnamed_check``)."""
    headers = _Headers({}, {}, [], [], [])
    for position, raw in enumerate(raw_headers):
        text = (raw or "").strip()
        if not text:
            headers.blank.append(position)
            continue
        key = column_key(text, columns)
        if key is None:
            if ignored_header(text):
                headers.quiet.append(position)
            else:
                headers.extra.append((position, text))
            continue
        if key in headers.found:
            raise _error(
                LabourDataError.COLUMNS_DUPLICATE,
                format_lazy(
                    _("Kolom “{name}” muncul lebih dari sekali. Hapus salah satunya."), name=text
                ),
            )
        headers.found[key] = text
        headers.positions[key] = position
    missing = [
        column.header for column in columns if column.required and column.key not in headers.found
    ]
    if missing:
        raise _error(
            LabourDataError.COLUMNS_MISSING,
            format_lazy(
                _(
                    "Kolom wajib tidak ada: {names}. Tambahkan kolom tersebut seperti di "
                    "templat.{unknown}"
                ),
                names=_quoted(missing),
                unknown=format_lazy(
                    _(" Kolom yang tidak dikenal: {names}."),
                    names=_quoted([name for _position, name in headers.extra]),
                )
                if headers.extra
                else "",
            ),
        )
    return headers


def _unnamed_check(data: pl.DataFrame, names: list[str], blank: list[int]) -> None:
    """Refuse a column with data under a blank header: its values would otherwise be dropped
    without anyone noticing (a header deleted by mistake, a shifted paste)."""
    for position in blank:
        column = data.get_column(names[position])
        if column.dtype != pl.String:
            column = column.cast(pl.String)
        if (column.str.strip_chars().fill_null("") != "").any():
            raise _error(
                LabourDataError.COLUMNS_UNNAMED,
                format_lazy(
                    _(
                        "Kolom {letter} (kolom ke-{number}) berisi data tetapi tidak punya nama "
                        "di baris 1. Beri nama kolom seperti di templat, atau hapus kolom itu."
                    ),
                    letter=_column_letter(position),
                    number=position + 1,
                ),
            )


def _looks_like_header(values: list[str | None], columns: tuple[Column, ...]) -> bool:
    keys = {column_key(value or "", columns) for value in values}
    keys.discard(None)
    return len(keys) >= 2


def _title_rows_check(first_rows: list[list[str | None]], columns: tuple[Column, ...]) -> None:
    """Refuse a title block above the column names, naming the row the names are in."""
    if first_rows and _looks_like_header(first_rows[0], columns):
        return
    for index, values in enumerate(first_rows[1:HEADER_SEARCH_ROWS], start=2):
        if _looks_like_header(values, columns):
            raise _error(
                LabourDataError.HEADER_NOT_FIRST,
                format_lazy(
                    _(
                        "Nama kolom ada di baris {row}, bukan di baris 1. Hapus baris judul di "
                        "atasnya (baris 1–{last}) sehingga baris pertama berisi nama kolom."
                    ),
                    row=index,
                    last=index - 1,
                ),
            )


# --- Both ---------------------------------------------------------------------------------


@dataclass
class _Layout:
    positions: dict[str, int]  # column key -> position in the frame
    header_row: int  # sheet row number of the header
    totals_rows: list[int] = field(default_factory=list)  # sheet row numbers skipped


def _blank(value: object) -> bool:
    return value is None or not str(value).strip()


def _totals_row(values: list[str | None], nik: str | None) -> bool:
    """A row that sums up the list rather than naming a person: no NIK (a count may stand in
    the NIK column), "Jumlah"/"Total" in its first filled cell or none, and nothing else but
    counts. A person whose NIK is missing has a name, a category, a regency: a rejected row."""
    if nik is not None and len(_DIGIT.findall(nik)) >= 10:
        return False
    filled = [str(value).strip() for value in values if not _blank(value)]
    if not filled:
        return False
    if _TOTALS_LABEL.match(filled[0]):
        filled = filled[1:]
    # Beside the label only counts and sums: a person's row has a category, a regency.
    return all(_COUNT.match(text) for text in filled)


def _table_from_raw(
    frame: pl.DataFrame, columns: tuple[Column, ...], *, first_row_number: int
) -> tuple[Table, _Layout]:
    """``frame`` holds every row of the sheet as text, the column names in its first row."""
    if frame.height == 0:
        raise _error(LabourDataError.FILE_NO_ROWS, _("Berkas tidak berisi baris data."))
    first_rows = [list(row) for row in frame.head(HEADER_SEARCH_ROWS).iter_rows()]
    _title_rows_check(first_rows, columns)
    resolved = _headers_resolve(first_rows[0], columns)
    positions = resolved.positions
    names = frame.columns
    data = frame.slice(1).with_row_index("__row__", offset=first_row_number + 1)
    _unnamed_check(data, names, resolved.blank)
    # "'3578…": the apostrophe (or the curly one a word processor makes of it) that kept the
    # number as text in the office's spreadsheet is not part of it.
    marked = [names[positions[key]] for key in ("nik", "phone") if key in positions]
    if marked:
        data = data.with_columns(
            pl.col(name).str.strip_chars().str.strip_chars_start(_TEXT_MARKS) for name in marked
        )
    wanted = [names[position] for position in positions.values()]
    # Rows where every known cell is blank are formatting leftovers, not data.
    data = data.filter(
        pl.any_horizontal([pl.col(name).str.strip_chars().fill_null("") != "" for name in wanted])
    )
    layout = _Layout(positions=positions, header_row=first_row_number)
    notes: list[dict[str, str]] = []
    if data.height:
        nik_name = names[positions["nik"]] if "nik" in positions else None
        tail = data.tail(TOTALS_SEARCH_ROWS)
        for row in reversed(tail.rows(named=True)):
            values = [row[name] for name in names]
            if not _totals_row(values, row[nik_name] if nik_name else None):
                break
            layout.totals_rows.insert(0, row["__row__"])
        if layout.totals_rows:
            data = data.filter(~pl.col("__row__").is_in(layout.totals_rows))
            notes.append(
                _note(
                    LabourDataError.TOTALS_ROW_SKIPPED,
                    format_lazy(
                        _(
                            "Baris {rows} berisi jumlah/total, bukan data seseorang; baris itu "
                            "dilewati."
                        ),
                        rows=", ".join(str(number) for number in layout.totals_rows),
                    ),
                )
            )
    if data.height == 0:
        raise _error(
            LabourDataError.FILE_NO_ROWS, _("Berkas hanya berisi nama kolom, tanpa baris data.")
        )
    if resolved.extra:
        notes.insert(
            0,
            _note(
                LabourDataError.COLUMNS_IGNORED,
                format_lazy(
                    _("Kolom yang tidak ada di templat diabaikan (isinya tidak diimpor): {names}."),
                    names=_quoted([name for _position, name in resolved.extra]),
                ),
            ),
        )
    cells = {key: data.get_column(names[position]).to_list() for key, position in positions.items()}
    table = Table(
        headers=resolved.found,
        cells=cells,
        row_numbers=data.get_column("__row__").to_list(),
        notes=notes,
    )
    return table, layout
