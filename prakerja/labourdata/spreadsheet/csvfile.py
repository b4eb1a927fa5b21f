"""Reading a CSV: its encoding and separator guessed, every cell as text."""

from __future__ import annotations

import polars as pl
from django.utils.translation import gettext_lazy as _

from prakerja.labourdata.columns import Column
from prakerja.labourdata.errors import LabourDataError
from prakerja.labourdata.spreadsheet.common import (
    Table,
    _error,
    _table_from_raw,
)

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
        LabourDataError.ENCODING,
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
        raise _error(LabourDataError.FILE_NO_ROWS, _("Berkas tidak berisi baris data."))
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
            LabourDataError.FILE_UNREADABLE,
            _(
                "Berkas CSV tidak dapat dibaca (tanda kutip tidak berpasangan?). "
                "Periksa lalu unggah lagi."
            ),
        ) from None
    table, _layout = _table_from_raw(frame, columns, first_row_number=1)
    table.encoding = encoding
    return table
