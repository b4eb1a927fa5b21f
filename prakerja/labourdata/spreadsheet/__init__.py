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

The modules: ``common`` (limits, ``Table``, headers and data rows), ``archive`` (the zip of an
.xlsx checked before it is inflated), ``xlsx`` and ``csvfile`` (the two readers).
"""

from __future__ import annotations

from prakerja.labourdata.columns import Column
from prakerja.labourdata.spreadsheet.archive import xlsx_archive_check
from prakerja.labourdata.spreadsheet.common import (
    DEFAULT_MAX_COMPRESSION_RATIO,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    DEFAULT_MAX_UPLOAD_BYTES,
    Table,
    file_check_size,
    file_kind,
    max_compression_ratio,
    max_uncompressed_bytes,
    max_upload_bytes,
)
from prakerja.labourdata.spreadsheet.csvfile import _csv_read
from prakerja.labourdata.spreadsheet.xlsx import _xlsx_read

__all__ = [
    "DEFAULT_MAX_COMPRESSION_RATIO",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "Table",
    "file_check_size",
    "file_kind",
    "max_compression_ratio",
    "max_uncompressed_bytes",
    "max_upload_bytes",
    "table_read",
    "xlsx_archive_check",
]


def table_read(*, data: bytes, name: str, columns: tuple[Column, ...], sheet: str = "") -> Table:
    """The data rows of an uploaded file, or ``ApplicationError`` saying why it is unusable.
    ``sheet``: the name of the workbook's sheet to read (the uploader's choice), or "" to find
    it."""
    file_check_size(len(data))
    kind = file_kind(name, data[:8])
    if kind == "xlsx":
        return _xlsx_read(data, columns, sheet=sheet)
    return _csv_read(data, columns)
