"""Reading uploaded spreadsheets (XLSX with fastexcel, CSV with polars) into columns of text.

Every cell is read as text, never as a number: a NIK read as a float loses its last digits
(Excel keeps 15 significant digits; a NIK has 16), and a phone number loses its leading zero.
Whatever makes a file unreadable as a whole — empty, too large (also once unzipped: an .xlsx is
a zip, and a decompression bomb is refused before anything parses it), not a spreadsheet,
formula or merged cells in the data, a title row above the column names, missing columns, no
sheet or several sheets that look like the template, an encoding we cannot read — raises
``ApplicationError`` with an Indonesian message that says what to do. Problems of single cells
are the row validator's business (``validation``).

What real office files carry and is harmless is accepted with a note on the batch
(``Table.notes``) instead: columns that are not in the template (ignored, named), a totals row
at the bottom (skipped), the data on a sheet behind a cover sheet (found by its header row).
A leading apostrophe that kept a NIK as text ("'3578…", also curly) is dropped.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

import fastexcel
import polars as pl
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.labourdata.columns import Column, column_key, ignored_header

DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
# An .xlsx is a zip: 1.5 MB of upload once inflated to 1.5 GB and took the worker to 3.1 GB.
# Honest workbooks of the upload limit unzip to well under this, at ratios of 5-30:1.
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
    return ApplicationError(f"labourdata.{code}", message, field="file")  # type: ignore[arg-type]


def _note(code: str, message: object) -> dict[str, str]:
    return {"code": f"labourdata.{code}", "message": str(message)}


def _quoted(names: list[str]) -> str:
    return ", ".join(f"“{name}”" for name in names)


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
                "columns_duplicate",
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
            "columns_missing",
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


# --- XLSX: the zip ------------------------------------------------------------------------


def _unreadable() -> ApplicationError:
    return _error(
        "file_unreadable",
        _("Berkas .xlsx rusak atau tidak dapat dibaca. Simpan ulang dari Excel lalu unggah."),
    )


def _archive_too_large(size: int, limit: int) -> ApplicationError:
    return _error(
        "xlsx_too_large",
        format_lazy(
            _(
                "Isi berkas .xlsx terlalu besar setelah dibuka ({size} MB; batasnya {limit} MB). "
                "Berkas ini tidak diproses dan tidak ada baris yang disimpan. Pecah data menjadi "
                "beberapa berkas lalu unggah satu per satu."
            ),
            size=round(size / 1024 / 1024, 1),
            limit=round(limit / 1024 / 1024, 1),
        ),
    )


def _archive_lies() -> ApplicationError:
    return _error(
        "xlsx_size_mismatch",
        _(
            "Isi berkas .xlsx lebih besar daripada yang tercatat di dalam berkas itu sendiri "
            "(berkas rusak atau sengaja dibuat begitu). Berkas ini tidak diproses dan tidak ada "
            "baris yang disimpan. Simpan ulang dari Excel lalu unggah lagi."
        ),
    )


def _archive_ratio(ratio: int) -> ApplicationError:
    return _error(
        "xlsx_ratio",
        format_lazy(
            _(
                "Berkas .xlsx ini dimampatkan secara tidak wajar (lebih dari {ratio}:1), seperti "
                "berkas jebakan (zip bomb). Berkas ini tidak diproses dan tidak ada baris yang "
                "disimpan. Simpan ulang dari Excel sebagai .xlsx atau .csv lalu unggah lagi."
            ),
            ratio=ratio,
        ),
    )


def xlsx_archive_check(data: bytes, *, inflate: bool = True) -> None:
    """Refuse a decompression bomb before anything unzips it for real.

    First the sizes the zip's central directory declares (cheap: no byte is inflated): their
    total against ``LABOURDATA_XLSX_MAX_UNCOMPRESSED_BYTES``, each large member's ratio against
    ``LABOURDATA_XLSX_MAX_RATIO``. A crafted zip may declare small sizes and inflate to much
    more, and the Rust reader under fastexcel need not stop at the declared size: with
    ``inflate`` every member is also inflated once here, block by block (never more than one
    block in memory), and refused the moment it produces more than it declared.
    """
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable() from None
    limit = max_uncompressed_bytes()
    ratio = max_compression_ratio()
    declared = sum(info.file_size for info in infos)
    if declared > limit:
        raise _archive_too_large(declared, limit)
    for info in infos:
        if info.file_size >= RATIO_MIN_BYTES and info.file_size > ratio * max(
            info.compress_size, 1
        ):
            raise _archive_ratio(ratio)
    if inflate:
        for info in infos:
            _member_inflate_check(data, info)


def _member_inflate_check(data: bytes, info: zipfile.ZipInfo) -> None:
    start = info.header_offset
    try:
        magic, name_length, extra_length = _ZIP_LOCAL_HEADER.unpack_from(data, start)
    except struct.error:
        raise _unreadable() from None
    if magic != b"PK\x03\x04":
        raise _unreadable()
    begin = start + _ZIP_LOCAL_HEADER.size + name_length + extra_length
    raw = memoryview(data)[begin : begin + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) != info.file_size:
            raise _archive_lies()
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        # Excel and LibreOffice only deflate; anything else is not an .xlsx we can vouch for.
        raise _unreadable()
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    position = 0
    try:
        while not inflater.eof:
            chunk: bytes | memoryview = inflater.unconsumed_tail
            if not chunk:
                chunk = raw[position : position + INFLATE_BLOCK]
                position += len(chunk)
            out = inflater.decompress(chunk, INFLATE_BLOCK)
            produced += len(out)
            if produced > info.file_size:
                # The member holds more than its header says: a crafted bomb.
                raise _archive_lies()
            if not out and not chunk:
                break
    except zlib.error:
        raise _unreadable() from None


# --- XLSX: sheets -------------------------------------------------------------------------


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    """The XML path of every sheet, in the workbook's order (fastexcel's sheet indexes)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except (zipfile.BadZipFile, KeyError, OSError):
        raise _unreadable() from None
    paths = []
    for number, tag in enumerate(_SHEET_TAG.findall(workbook), start=1):
        target = None
        rid = _SHEET_RID.search(tag)
        if rid:
            rel = re.search(
                rb"<Relationship [^>]*Id=\"" + re.escape(rid.group(1)) + rb"\"[^>]*>", rels
            )
            if rel:
                found = re.search(rb"Target=\"([^\"]+)\"", rel.group(0))
                target = html.unescape(found.group(1).decode()) if found else None
        if target is None:
            target = f"worksheets/sheet{number}.xml"
        paths.append(target.lstrip("/") if target.startswith("/") else f"xl/{target}")
    return paths


def _sheet_xml(data: bytes, index: int) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        raise _unreadable() from None
    paths = _sheet_paths(archive)
    path = paths[index] if index < len(paths) else f"xl/worksheets/sheet{index + 1}.xml"
    try:
        return archive.read(path)
    except (KeyError, zipfile.BadZipFile, OSError):
        raise _error(
            "file_unreadable",
            _("Lembar data berkas .xlsx tidak ditemukan. Simpan ulang dari Excel lalu unggah."),
        ) from None


def _header_fit(rows: list[list[str | None]], columns: tuple[Column, ...]) -> int:
    """2: a row among the first holds every required column; 1: one looks like a header row;
    0: nothing like the template."""
    best = 0
    for values in rows[:HEADER_SEARCH_ROWS]:
        keys = {column_key(value or "", columns) for value in values}
        if all(column.key in keys for column in columns if column.required):
            return 2
        if _looks_like_header(values, columns):
            best = 1
    return best


def _sheet_pick(reader: Any, columns: tuple[Column, ...], wanted: str) -> tuple[int, str]:
    """The index and name of the sheet to import.

    The uploader's choice when made; else the only sheet; else the one sheet whose header row
    fits the template (a cover sheet or a recap in front of the data is common). Never a refusal
    that does not name the sheets, so the uploader can pick one on the upload form."""
    names: list[str] = list(reader.sheet_names)
    if not names:
        raise _unreadable()
    if wanted.strip():
        for index, name in enumerate(names):
            if name.strip().casefold() == wanted.strip().casefold():
                return index, name
        raise _error(
            "sheet_unknown",
            format_lazy(
                _(
                    "Lembar “{wanted}” tidak ada di berkas ini. Lembar yang ada: {names}. "
                    "Tulis salah satu nama itu di isian Lembar, lalu unggah lagi."
                ),
                wanted=wanted.strip(),
                names=_quoted(names),
            ),
        )
    if len(names) == 1:
        return 0, names[0]
    fits = []
    for index, _name in enumerate(names):
        try:
            head = reader.load_sheet(
                index, header_row=None, dtypes="string", n_rows=HEADER_SEARCH_ROWS
            ).to_polars()
        except Exception:  # an empty or chart sheet: not the data
            fits.append(0)
            continue
        fits.append(_header_fit([list(row) for row in head.iter_rows()], columns))
    for level in (2, 1):
        matching = [index for index, fit in enumerate(fits) if fit == level]
        if len(matching) == 1:
            return matching[0], names[matching[0]]
        if len(matching) > 1:
            raise _error(
                "sheet_ambiguous",
                format_lazy(
                    _(
                        "Lebih dari satu lembar berisi nama kolom templat: {matching}. Tulis nama "
                        "lembar yang akan diimpor di isian Lembar pada formulir unggah, lalu "
                        "unggah lagi. Lembar dalam berkas: {names}."
                    ),
                    matching=_quoted([names[index] for index in matching]),
                    names=_quoted(names),
                ),
            )
    raise _error(
        "sheet_not_found",
        format_lazy(
            _(
                "Tidak ada lembar yang berisi nama kolom templat (NIK, Nama Lengkap, Kategori, "
                "dst.) di baris pertamanya. Lembar dalam berkas: {names}. Pindahkan data ke satu "
                "lembar seperti di templat, atau tulis nama lembar data di isian Lembar pada "
                "formulir unggah."
            ),
            names=_quoted(names),
        ),
    )


def _column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based position: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _merged_error(merges: list[bytes]) -> ApplicationError:
    shown = ", ".join(ref.decode() for ref in merges[:5])
    return _error(
        "merged_cells",
        format_lazy(
            _(
                "Berkas berisi sel yang digabung (merge cells) di {cells}. Gunakan satu baris "
                "nama kolom tanpa sel gabungan (Unmerge Cells), seperti di templat."
            ),
            cells=shown,
        ),
    )


def _formula_error(formulas: list[bytes]) -> ApplicationError:
    shown = ", ".join(ref.decode() for ref in formulas[:5])
    more = len(formulas) - 5
    return _error(
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


_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _ref_split(ref: bytes) -> tuple[str, int]:
    match = _REF.match(ref.decode())
    if match is None:  # pragma: no cover - the regexes above only capture such refs
        return "", 0
    return match.group(1), int(match.group(2))


def _xlsx_structure_check(
    merges: list[bytes], formulas: list[bytes], layout: _Layout, offset: int
) -> None:
    """Refuse merged cells and formulas where they would change what is imported. A formula
    in a column the import ignores (a "No" column of =ROW()-1) or in the skipped totals row,
    and a merged totals row ("JUMLAH" across A:C), change nothing and are let through."""
    skipped = set(layout.totals_rows)
    refused_merges = []
    for ref in merges:
        first, _colon, last = ref.partition(b":")
        rows = {_ref_split(first)[1], _ref_split(last)[1]}
        if not rows <= skipped:
            refused_merges.append(ref)
    if refused_merges:
        raise _merged_error(refused_merges)
    imported = {_column_letter(position + offset) for position in layout.positions.values()}
    refused = []
    for ref in formulas:
        letter, row = _ref_split(ref)
        if row in skipped or (row > layout.header_row and letter not in imported):
            continue
        refused.append(ref)
    if refused:
        raise _formula_error(refused)


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


def _xlsx_read(data: bytes, columns: tuple[Column, ...], *, sheet: str = "") -> Table:
    xlsx_archive_check(data)
    try:
        reader = fastexcel.read_excel(data)
    except Exception:
        raise _unreadable() from None
    index, name = _sheet_pick(reader, columns, sheet)
    xml = _sheet_xml(data, index)
    # Plain substring searches first (C speed over a 20 MB sheet); the regexes only when needed.
    merges = _MERGE.findall(xml) if b"<mergeCell " in xml else []
    formulas = _FORMULA_CELL.findall(xml) if (b"<f>" in xml or b"<f " in xml) else []
    try:
        frame = reader.load_sheet(index, header_row=None, dtypes="string").to_polars()
    except Exception:
        raise _unreadable() from None
    first_sheet_row = _first_cell_row(xml)
    first_col = re.search(rb"<c r=\"([A-Z]{1,3})\d+\"", xml)
    offset = _letter_index(first_col.group(1).decode()) if first_col else 0
    try:
        table, layout = _table_from_raw(frame, columns, first_row_number=first_sheet_row)
    except ApplicationError:
        # A file that cannot be read as a table is explained by its merged cells or formulas
        # first, when it has any (a merged title row is what usually displaces the header).
        if merges:
            raise _merged_error(merges) from None
        if formulas:
            raise _formula_error(formulas) from None
        raise
    _xlsx_structure_check(merges, formulas, layout, offset)
    if "nik" in layout.positions:
        numeric = _numeric_cells_in_column(xml, _column_letter(layout.positions["nik"] + offset))
        table.numeric_nik_rows = {row for row in numeric if row > first_sheet_row}
    if index > 0:
        # Behind a cover sheet: say which sheet was read (the first is what anyone expects).
        table.notes.insert(
            0,
            _note(
                "sheet_used",
                format_lazy(
                    _(
                        "Data dibaca dari lembar “{name}” (lembar ke-{number}); lembar lain "
                        "diabaikan: {others}."
                    ),
                    name=name,
                    number=index + 1,
                    others=_quoted([other for other in reader.sheet_names if other != name]),
                ),
            ),
        )
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
    table, _layout = _table_from_raw(frame, columns, first_row_number=1)
    table.encoding = encoding
    return table


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
        raise _error("file_no_rows", _("Berkas tidak berisi baris data."))
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
                    "totals_row_skipped",
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
        raise _error("file_no_rows", _("Berkas hanya berisi nama kolom, tanpa baris data."))
    if resolved.extra:
        notes.insert(
            0,
            _note(
                "columns_ignored",
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


def table_read(*, data: bytes, name: str, columns: tuple[Column, ...], sheet: str = "") -> Table:
    """The data rows of an uploaded file, or ``ApplicationError`` saying why it is unusable.
    ``sheet``: the name of the workbook's sheet to read (the uploader's choice), or "" to find
    it."""
    file_check_size(len(data))
    kind = file_kind(name, data[:8])
    if kind == "xlsx":
        return _xlsx_read(data, columns, sheet=sheet)
    return _csv_read(data, columns)
