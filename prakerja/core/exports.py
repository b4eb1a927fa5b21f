"""Every CSV and XLSX the platform hands out is written here, formula-safe.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(and some strip a leading tab or carriage return first). A name such as ``=HYPERLINK(…)`` or
``-cmd|' /C calc'!A`` typed into a registration or an uploaded list would then run on the
computer of the officer who opens the download ("CSV injection", OWASP). Following the OWASP
guidance, a *text* cell that starts with one of those characters is written with a single
quote in front (``'=1+1``); the spreadsheet shows it as text and never evaluates it.

The rule is the same for CSV and XLSX and has no exceptions: a phone number written as text
(``+6281…``) gets the quote too. In a CSV that is what keeps Excel from turning it into
6.28E+12; in an XLSX it keeps the cell inert even after the sheet is saved again as CSV.
Numbers (``int``, ``float``, ``Decimal``) are written as numbers, so a negative count stays a
number: only text is neutralised.

Views never build a spreadsheet themselves: ``csv_response`` and ``xlsx_response`` are the only
answers with a spreadsheet content type, and ``tests/…/test_exports.py`` walks every URL that
uses them. (Input generators for tests and benchmarks, ``labourdata.synthetic`` and
``labourdata_generate``, write files to be *imported*, not downloads; they stay as they are.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP "CSV Injection": characters that make a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Number = int | float | Decimal
Cell = str | Number | dt.date | None


def cell_safe(value: Any) -> str | Number:
    """A cell as it may be written: numbers unchanged, text with a quote in front of a formula
    start, ``None`` as an empty cell, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        # A bool is an int to Python; in a download it is a word.
        value = "ya" if value else "tidak"
    if isinstance(value, int | float | Decimal):
        return value
    text = value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows (the header first) as CSV text, every cell through ``cell_safe``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([cell_safe(value) for value in row])
    return buffer.getvalue()


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Downloads hold names, phone numbers, NIKs: no shared or browser cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


def csv_response(*, filename: str, rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A CSV download. Starts with a UTF-8 byte-order mark, without which Excel reads the file
    as Windows-1252 and garbles every non-ASCII letter."""
    return _attachment(
        HttpResponse("\ufeff" + csv_text(rows), content_type=CSV_CONTENT_TYPE), filename
    )


def csv_file_response(*, filename: str, content: bytes) -> HttpResponse:
    """A CSV file already written through ``csv_text`` and kept byte for byte (a bank's
    bulk-transfer file carries its own checksum, so no byte-order mark is added)."""
    return _attachment(HttpResponse(content, content_type=CSV_CONTENT_TYPE), filename)


class XlsxSheet:
    """One worksheet of an ``XlsxWorkbook``. Only safe writes are offered: no formulas, no
    URLs, and every text cell through ``cell_safe``."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet

    def write(self, row: int, column: int, value: Any, cell_format: Any = None) -> None:
        safe = cell_safe(value)
        if isinstance(safe, str):
            self._sheet.write_string(row, column, safe, cell_format)
        else:
            self._sheet.write_number(row, column, safe, cell_format)

    def write_row(
        self, row: int, column: int, values: Iterable[Any], cell_format: Any = None
    ) -> None:
        for offset, value in enumerate(values):
            self.write(row, column + offset, value, cell_format)

    # Layout only: these write no cell values.
    def set_column(self, first: int, last: int, width: float, cell_format: Any = None) -> None:
        self._sheet.set_column(first, last, width, cell_format)

    def freeze_panes(self, row: int, column: int) -> None:
        self._sheet.freeze_panes(row, column)

    def data_validation(
        self, first_row: int, first_col: int, last_row: int, last_col: int, options: dict[str, Any]
    ) -> None:
        self._sheet.data_validation(first_row, first_col, last_row, last_col, options)


class XlsxWorkbook:
    """An in-memory xlsxwriter workbook that writes no formula, number guess or URL from text
    (xlsxwriter's ``strings_to_*`` conversions are all off)."""

    def __init__(self) -> None:
        import xlsxwriter

        self._buffer = io.BytesIO()
        self._book = xlsxwriter.Workbook(
            self._buffer,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )

    def add_worksheet(self, name: str) -> XlsxSheet:
        return XlsxSheet(self._book.add_worksheet(name))

    def add_format(self, properties: dict[str, Any]) -> Any:
        return self._book.add_format(properties)

    def close(self) -> bytes:
        self._book.close()
        return self._buffer.getvalue()


def xlsx_table(
    *,
    sheet_name: str,
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float] = (),
) -> bytes:
    """A one-sheet XLSX: the first row (the header) in bold, then the rows. Text cells are
    formatted as Text, so Excel keeps a NIK's 16 digits and a phone number's leading 0."""
    workbook = XlsxWorkbook()
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    for line, row in enumerate(rows):
        for column, value in enumerate(row):
            cell_format = bold if line == 0 else (text if isinstance(value, str) else None)
            sheet.write(line, column, value, cell_format)
    return workbook.close()


def xlsx_response(*, filename: str, content: XlsxWorkbook | bytes) -> HttpResponse:
    """An XLSX download, from a workbook (closed here) or from ``xlsx_table``'s bytes."""
    body = content.close() if isinstance(content, XlsxWorkbook) else content
    return _attachment(HttpResponse(body, content_type=XLSX_CONTENT_TYPE), filename)
