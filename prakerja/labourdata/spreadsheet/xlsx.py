"""Reading an .xlsx: the sheet holding the data, its structure (merged cells, formulas) checked."""

from __future__ import annotations

import html
import io
import re
import zipfile
from typing import Any

import fastexcel
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.labourdata.columns import Column, column_key
from prakerja.labourdata.errors import LabourDataError
from prakerja.labourdata.spreadsheet.archive import (
    _unreadable,
    xlsx_archive_check,
)
from prakerja.labourdata.spreadsheet.common import (
    _CELL_REF,
    _FORMULA_CELL,
    _MERGE,
    _SHEET_RID,
    _SHEET_TAG,
    HEADER_SEARCH_ROWS,
    Table,
    _column_letter,
    _error,
    _Layout,
    _looks_like_header,
    _note,
    _quoted,
    _table_from_raw,
)

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
            LabourDataError.FILE_UNREADABLE,
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
            LabourDataError.SHEET_UNKNOWN,
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
                LabourDataError.SHEET_AMBIGUOUS,
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
        LabourDataError.SHEET_NOT_FOUND,
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


def _merged_error(merges: list[bytes]) -> ApplicationError:
    shown = ", ".join(ref.decode() for ref in merges[:5])
    return _error(
        LabourDataError.MERGED_CELLS,
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
        LabourDataError.FORMULA_CELLS,
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
                LabourDataError.SHEET_USED,
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
