"""Reading uploaded spreadsheets (XLSX with fastexcel, CSV with polars) into columns of text.

Every cell is read as text, never as a number: a NIK read as a float loses its last digits
(Excel keeps 15 significant digits; a NIK has 16), and a phone number loses its leading zero.
Whatever makes a file unreadable as a whole — empty, too large, not a spreadsheet, formula
cells, merged cells, a title row above the column names, unknown or missing columns, an
encoding we cannot read — raises ``ApplicationError`` with an Indonesian message that says what
to do. Problems of single cells are the row validator's business (``validation``).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

import fastexcel
import polars as pl
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.labourdata.columns import Column, column_key, ignored_header

DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
# How far down a title block above the column names is looked for (to name it in the message).
HEADER_SEARCH_ROWS = 10
XLSX_MAGIC = b"PK\x03\x04"
_CELL_REF = re.compile(rb"<c r=\"([A-Z]{1,3})(\d+)\"([^>]*)>")
_FORMULA_CELL = re.compile(rb"<c r=\"([A-Z]{1,3}\d+)\"[^>]*>(?:<v>[^<]*</v>)?<f[ >/]")
_MERGE = re.compile(rb"<mergeCell ref=\"([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)\"")


def max_upload_bytes() -> int:
    return int(getattr(settings, "LABOURDATA_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


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

    def __len__(self) -> int:
        return len(self.row_numbers)


def _error(code: str, message: object) -> ApplicationError:
    return ApplicationError(f"labourdata.{code}", message, field="file")  # type: ignore[arg-type]


def file_check_size(size: int) -> None:
    if size == 0:
        raise _error("file_empty", _("Berkas kosong (0 byte). Pilih berkas yang berisi data."))
    limit = max_upload_bytes()
    if size > limit:
        raise _error(
            "file_too_large",
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
            "file_type",
            _(
                "Format .xls (Excel 97–2003) tidak didukung. Simpan ulang sebagai .xlsx "
                "(File → Save As → Excel Workbook) lalu unggah lagi."
            ),
        )
    raise _error(
        "file_type",
        _("Berkas harus berformat .xlsx atau .csv. Gunakan templat yang disediakan."),
    )


# --- Headers -------------------------------------------------------------------------------


def _headers_resolve(
    raw_headers: list[str | None], columns: tuple[Column, ...]
) -> tuple[dict[str, str], dict[str, int], list[int]]:
    """Map the file's headers to column keys and positions; unknown, duplicated or missing
    columns refused. Also returns the positions of blank headers: a blank header over an
    empty column is a leftover and ignored, over data it is refused (``_unnamed_check``)."""
    found: dict[str, str] = {}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    blank: list[int] = []
    for position, raw in enumerate(raw_headers):
        text = (raw or "").strip()
        if not text:
            blank.append(position)
            continue
        key = column_key(text, columns)
        if key is None:
            if ignored_header(text):
                continue
            unknown.append(text)
            continue
        if key in found:
            raise _error(
                "columns_duplicate",
                format_lazy(
                    _("Kolom “{name}” muncul lebih dari sekali. Hapus salah satunya."), name=text
                ),
            )
        found[key] = text
        positions[key] = position
    if unknown:
        raise _error(
            "columns_unknown",
            format_lazy(
                _(
                    "Kolom tidak dikenal: {names}. Hapus kolom tersebut atau gunakan nama "
                    "kolom dari templat: {expected}."
                ),
                names=", ".join(f"“{name}”" for name in unknown),
                expected=", ".join(column.header for column in columns),
            ),
        )
    missing = [column.header for column in columns if column.required and column.key not in found]
    if missing:
        raise _error(
            "columns_missing",
            format_lazy(
                _("Kolom wajib tidak ada: {names}. Tambahkan kolom tersebut seperti di templat."),
                names=", ".join(f"“{name}”" for name in missing),
            ),
        )
    return found, positions, blank


def _unnamed_check(data: pl.DataFrame, names: list[str], blank: list[int]) -> None:
    """Refuse a column with data under a blank header: its values would otherwise be dropped
    without anyone noticing (a header deleted by mistake, a shifted paste)."""
    for position in blank:
        column = data.get_column(names[position])
        if column.dtype != pl.String:
            column = column.cast(pl.String)
        if (column.str.strip_chars().fill_null("") != "").any():
            raise _error(
                "columns_unnamed",
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
                "header_not_first",
                format_lazy(
                    _(
                        "Nama kolom ada di baris {row}, bukan di baris 1. Hapus baris judul di "
                        "atasnya (baris 1–{last}) sehingga baris pertama berisi nama kolom."
                    ),
                    row=index,
                    last=index - 1,
                ),
            )


# --- XLSX ---------------------------------------------------------------------------------


def _first_sheet_xml(data: bytes) -> bytes:
    """The XML of the workbook's first sheet (the one fastexcel reads as sheet 0)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except (zipfile.BadZipFile, KeyError, OSError):
        raise _error(
            "file_unreadable",
            _("Berkas .xlsx rusak atau tidak dapat dibaca. Simpan ulang dari Excel lalu unggah."),
        ) from None
    sheet = re.search(rb"<sheet [^>]*r:id=\"([^\"]+)\"", workbook) or re.search(
        rb"<sheet [^>]*id=\"([^\"]+)\"", workbook
    )
    target = None
    if sheet:
        rel = re.search(
            rb"<Relationship [^>]*Id=\"" + re.escape(sheet.group(1)) + rb"\"[^>]*>", rels
        )
        if rel:
            found = re.search(rb"Target=\"([^\"]+)\"", rel.group(0))
            target = found.group(1).decode() if found else None
    if target is None:
        target = "worksheets/sheet1.xml"
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    try:
        return archive.read(path)
    except KeyError:
        raise _error(
            "file_unreadable",
            _("Lembar pertama berkas .xlsx tidak ditemukan. Simpan ulang dari Excel lalu unggah."),
        ) from None


def _column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based position: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xlsx_structure_check(xml: bytes) -> None:
    # Plain substring searches first (C speed over a 20 MB sheet); the regexes only when needed.
    merges = _MERGE.findall(xml) if b"<mergeCell " in xml else []
    if merges:
        shown = ", ".join(ref.decode() for ref in merges[:5])
        raise _error(
            "merged_cells",
            format_lazy(
                _(
                    "Berkas berisi sel yang digabung (merge cells) di {cells}. Gunakan satu baris "
                    "nama kolom tanpa sel gabungan (Unmerge Cells), seperti di templat."
                ),
                cells=shown,
            ),
        )
    formulas = _FORMULA_CELL.findall(xml) if (b"<f>" in xml or b"<f " in xml) else []
    if formulas:
        shown = ", ".join(ref.decode() for ref in formulas[:5])
        more = len(formulas) - 5
        raise _error(
            "formula_cells",
            format_lazy(
                _(
                    "Berkas berisi rumus (formula) di sel {cells}{more}. Salin seluruh data lalu "
                    "tempel sebagai nilai (Paste Special → Values), simpan, lalu unggah lagi."
                ),
                cells=shown,
                more=f" dan {more} sel lain" if more > 0 else "",
            ),
        )


def _numeric_cells_in_column(xml: bytes, letter: str) -> set[int]:
    """Sheet rows whose cell in column ``letter`` is a number (no ``t="s"``-like type)."""
    rows: set[int] = set()
    pattern = re.compile(rb"<c r=\"" + letter.encode() + rb"(\d+)\"([^>]*)>")
    for match in pattern.finditer(xml):
        attributes = match.group(2)
        if b" t=" in attributes or attributes.endswith(b"/"):
            continue
        rows.add(int(match.group(1)))
    return rows


def _first_cell_row(xml: bytes) -> int:
    match = _CELL_REF.search(xml)
    return int(match.group(2)) if match else 1


def _xlsx_read(data: bytes, columns: tuple[Column, ...]) -> Table:
    xml = _first_sheet_xml(data)
    _xlsx_structure_check(xml)
    try:
        frame = (
            fastexcel.read_excel(data).load_sheet(0, header_row=None, dtypes="string").to_polars()
        )
    except Exception:
        raise _error(
            "file_unreadable",
            _("Berkas .xlsx rusak atau tidak dapat dibaca. Simpan ulang dari Excel lalu unggah."),
        ) from None
    first_sheet_row = _first_cell_row(xml)
    table, positions = _table_from_raw(frame, columns, first_row_number=first_sheet_row)
    if "nik" in positions:
        first_col = re.search(rb"<c r=\"([A-Z]{1,3})\d+\"", xml)
        offset = _letter_index(first_col.group(1).decode()) if first_col else 0
        numeric = _numeric_cells_in_column(xml, _column_letter(positions["nik"] + offset))
        table.numeric_nik_rows = {row for row in numeric if row > first_sheet_row}
    return table


def _letter_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
    return index - 1


# --- CSV ----------------------------------------------------------------------------------


def _csv_decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            # Excel on Windows saves "CSV" in the ANSI code page, Windows-1252 here: names
            # with é or ñ arrive as single bytes that are not UTF-8.
            return data.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError:
            pass
    raise _error(
        "encoding",
        _(
            "Pengodean (encoding) berkas CSV tidak dikenali. Simpan ulang sebagai "
            "“CSV UTF-8 (Comma delimited)” dari Excel, atau unggah berkas .xlsx."
        ),
    )


def _csv_separator(first_line: str) -> str:
    # Excel with Indonesian regional settings separates with ";" (the comma is the decimal mark).
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _csv_read(data: bytes, columns: tuple[Column, ...]) -> Table:
    text, encoding = _csv_decode(data)
    first_line = next((line for line in text.splitlines() if line.strip(' ,;\t"')), None)
    if first_line is None:
        raise _error("file_no_rows", _("Berkas tidak berisi baris data."))
    try:
        frame = pl.read_csv(
            text.encode("utf-8"),
            separator=_csv_separator(first_line),
            infer_schema=False,
            has_header=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        raise _error(
            "file_unreadable",
            _(
                "Berkas CSV tidak dapat dibaca (tanda kutip tidak berpasangan?). "
                "Periksa lalu unggah lagi."
            ),
        ) from None
    table, _positions = _table_from_raw(frame, columns, first_row_number=1)
    table.encoding = encoding
    return table


# --- Both ---------------------------------------------------------------------------------


def _table_from_raw(
    frame: pl.DataFrame, columns: tuple[Column, ...], *, first_row_number: int
) -> tuple[Table, dict[str, int]]:
    """``frame`` holds every row of the sheet as text, the column names in its first row."""
    if frame.height == 0:
        raise _error("file_no_rows", _("Berkas tidak berisi baris data."))
    first_rows = [list(row) for row in frame.head(HEADER_SEARCH_ROWS).iter_rows()]
    _title_rows_check(first_rows, columns)
    headers, positions, blank = _headers_resolve(first_rows[0], columns)
    names = frame.columns
    data = frame.slice(1).with_row_index("__row__", offset=first_row_number + 1)
    _unnamed_check(data, names, blank)
    wanted = [names[position] for position in positions.values()]
    # Rows where every known cell is blank are formatting leftovers, not data.
    data = data.filter(
        pl.any_horizontal([pl.col(name).str.strip_chars().fill_null("") != "" for name in wanted])
    )
    if data.height == 0:
        raise _error("file_no_rows", _("Berkas hanya berisi nama kolom, tanpa baris data."))
    cells = {key: data.get_column(names[position]).to_list() for key, position in positions.items()}
    table = Table(headers=headers, cells=cells, row_numbers=data.get_column("__row__").to_list())
    return table, positions


def table_read(*, data: bytes, name: str, columns: tuple[Column, ...]) -> Table:
    """The data rows of an uploaded file, or ``ApplicationError`` saying why it is unusable."""
    file_check_size(len(data))
    kind = file_kind(name, data[:8])
    if kind == "xlsx":
        return _xlsx_read(data, columns)
    return _csv_read(data, columns)
