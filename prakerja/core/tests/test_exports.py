"""Every CSV and XLSX download is formula-safe (OWASP CSV injection).

``EXPORTS`` lists every download URL with the requests that fetch its files; a test checks the
list against the URLconf (any view that calls ``core.exports.csv_response``/``xlsx_response``,
directly or through a helper of its module, must be listed), and another walks the list with
names such as ``=1+1`` and ``-cmd|' /C calc'!A`` stored everywhere a download shows text, and
fails on any cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import ast
import csv
import inspect
import io
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_post, make_user
from prakerja.assistance.models import AssistanceVisit
from prakerja.core import exports
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.columns import WORKER_COLUMNS
from prakerja.labourdata.models import Category, ImportBatch, Source, WorkerReport
from prakerja.labourdata.services import import_batch_process, import_batch_upload
from prakerja.linkage.tests import factories as f
from prakerja.reports.refresh import daily_counts_refresh

PAYLOADS = ["-cmd|' /C calc'!A", "@SUM(A:A)", "+1", "=1+1", "\t=x", "\r=y", '=HYPERLINK("x")']
NUMBER = re.compile(r"-?\d+(\.\d+)?")


# --- The helper itself -------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_text_cell_that_starts_a_formula_gets_a_leading_quote(payload: str) -> None:
    assert exports.cell_safe(payload) == "'" + payload


def test_numbers_stay_numbers_and_other_text_is_untouched() -> None:
    assert exports.cell_safe(-5) == -5
    assert exports.cell_safe(-2.5) == -2.5
    assert exports.cell_safe("-5") == "'-5"  # text that looks like a number is still text
    assert exports.cell_safe("Siti -=+@") == "Siti -=+@"
    assert exports.cell_safe(None) == ""
    assert exports.csv_text([["a", -3, "=1"]]) == "a,-3,'=1\r\n"


def test_an_xlsx_keeps_negative_numbers_as_numbers() -> None:
    content = exports.xlsx_table(sheet_name="Uji", rows=[["jumlah"], [-7], ["-7"]])
    assert _xlsx_cells(content) == [("jumlah", "s"), ("-7", "n"), ("'-7", "s")]


# --- Reading a download back ---------------------------------------------------------------


def _csv_cells(content: bytes) -> list[tuple[str, str]]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [(cell, "n" if NUMBER.fullmatch(cell) else "s") for row in rows for cell in row]


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _xlsx_cells(content: bytes) -> list[tuple[str, str]]:
    """Every cell of every sheet as (text, kind): "s" text, "n" number, "f" formula. Read
    from the XML itself (openpyxl is not installed), so nothing is interpreted on the way."""
    cells = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            # Our own download, read in a test: no untrusted XML here.
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
            shared = [
                "".join(t.text or "" for t in item.iterfind(".//m:t", _NS))
                for item in root.iterfind("m:si", _NS)
            ]
        for name in sorted(n for n in names if n.startswith("xl/worksheets/sheet")):
            root = ElementTree.fromstring(archive.read(name))  # noqa: S314
            for cell in root.iterfind(".//m:sheetData/m:row/m:c", _NS):
                kind = cell.get("t", "n")
                value = cell.findtext("m:v", default="", namespaces=_NS)
                if cell.find("m:f", _NS) is not None or kind == "str":
                    cells.append((value, "f"))
                elif kind == "s":
                    cells.append((shared[int(value)], "s"))
                elif kind == "inlineStr":
                    cells.append(("".join(t.text or "" for t in cell.iterfind(".//m:t", _NS)), "s"))
                else:
                    cells.append((value, "n"))
    return cells


def _raw_formulas(cells: list[tuple[str, str]]) -> list[str]:
    return [
        text
        for text, kind in cells
        if kind == "f" or (kind == "s" and text.startswith(exports.FORMULA_START))
    ]


# --- Every export URL ------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """One file an export URL hands out: ``kwargs`` of the URL, its query string, its format,
    and whether the seeded data puts a formula-like text into it (then the test also checks
    that it arrived, neutralised: a walk that downloads only empty files proves nothing)."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    file_format: str = "csv"
    seeded: bool = True


def _rejected(file_format: str) -> Export:
    return Export(kwargs={"batch_id": "<batch>", "file_type": file_format}, file_format=file_format)


EXPORTS: dict[str, list[Export]] = {
    "linkage:outreach": [
        Export(query={"format": "csv"}),
        Export(query={"format": "xlsx"}, file_format="xlsx"),
    ],
    "linkage:regional_ministry": [
        Export(query={"format": "csv", "kelompok": group})
        for group in ("both", "only_ministry", "only_regional", "conflicting")
    ],
    # Regency names and counts only: nothing a user types reaches this file.
    "linkage:jps_monitoring": [Export(query={"format": "csv"}, seeded=False)],
    "reports:daily_csv": [
        Export(query={"tabel": "pendaftaran"}, seeded=False),
        Export(query={"tabel": "posko"}),
        Export(query={"tabel": "callcenter"}, seeded=False),
    ],
    # Post names reach the per-post tables (seeded); the others hold labels and counts.
    "reports:dashboard_csv": [
        Export(query={"tabel": table}, seeded=table in ("posko", "posko_harian"))
        for table in (
            "corong",
            "harian",
            "kanal",
            "wilayah",
            "posko",
            "posko_harian",
            "kuota",
            "kategori",
        )
    ],
    "reports:dashboard_xlsx": [Export(file_format="xlsx")],
    # Public: regency names, channel labels, weeks and counts; nothing anyone types.
    "statistics:csv": [Export(seeded=False)],
    "labourdata:batch_rejected": [_rejected("csv"), _rejected("xlsx")],
    "labourdata:sisnaker_csv": [Export()],
    # Regency names and counts only; per provider the providers' names (seeded).
    "training_console:training_report": [
        Export(query={"format": "csv", "per": "regency"}, seeded=False),
        Export(query={"format": "csv", "per": "provider"}),
    ],
    # The empty templates: constant texts, checked all the same.
    "labourdata:template": [
        Export(kwargs={"kind": kind}, file_format="xlsx", seeded=False)
        for kind in ("workers", "jps")
    ],
}

BUILDERS = {"csv_response", "xlsx_response"}


def _url_views(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", inspect.unwrap(pattern.callback)


def _calls(module: ModuleType) -> dict[str, set[str]]:
    """Module-level function → names it calls (``exports.csv_response`` counts as
    ``csv_response``)."""
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    calls: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            called = set()
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call):
                    func = sub.func
                    if isinstance(func, ast.Attribute):
                        called.add(func.attr)
                    elif isinstance(func, ast.Name):
                        called.add(func.id)
            calls[node.name] = called
    return calls


def _closure(calls: dict[str, set[str]], start: set[str]) -> set[str]:
    """``start`` and every function of the module it calls, transitively."""
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop()
        if name in seen or name not in calls:
            continue
        seen.add(name)
        todo.extend(calls[name])
    return seen


def _exporting(calls: dict[str, set[str]]) -> set[str]:
    """Functions that build a download, directly or through a function of the module."""
    return {name for name in calls if any(calls[f] & BUILDERS for f in _closure(calls, {name}))}


def _project_modules() -> Iterator[ModuleType]:
    root = Path(__file__).resolve().parents[3]
    for path in sorted((root / "prakerja").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "tests" in parts or "migrations" in parts or path.name == "conftest.py":
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        __import__(name)
        yield sys.modules[name]


def test_the_export_list_matches_the_urlconf() -> None:
    found = set()
    for name, view in _url_views():
        module = sys.modules.get(getattr(view, "__module__", ""))
        if module is None or not module.__name__.startswith("prakerja."):
            continue
        if getattr(view, "__name__", "") in _exporting(_calls(module)):
            found.add(name)
    assert found == set(EXPORTS), "add the new download to EXPORTS (with data that reaches it)"


def test_every_download_builder_is_reached_from_a_listed_url() -> None:
    # A download built in an API endpoint or a helper no listed view calls would escape the
    # walk below: every function that builds one must be reachable from a listed view.
    listed: dict[str, set[str]] = {}
    for name, view in _url_views():
        if name in EXPORTS:
            listed.setdefault(view.__module__, set()).add(view.__name__)
    for module in _project_modules():
        calls = _calls(module)
        reached = _closure(calls, listed.get(module.__name__, set()))
        builders = {name for name, called in calls.items() if called & BUILDERS}
        assert builders <= reached, f"{module.__name__}: {builders - reached} not in EXPORTS"


# Files that may write CSV/XLSX without core.exports, and why.
RAW_WRITERS_ALLOWED = {
    "prakerja/core/exports.py",  # the helper itself
    "prakerja/labourdata/synthetic.py",  # importer inputs for tests and benchmarks
    "prakerja/labourdata/management/commands/labourdata_generate.py",  # the same, as files
}
RAW_WRITER = re.compile(r"csv\.(writer|DictWriter)\(|\bxlsxwriter\b|\bopenpyxl\b|text/csv")


def test_no_code_writes_a_spreadsheet_around_the_helper() -> None:
    root = Path(__file__).resolve().parents[3]
    offenders = []
    for path in sorted([*(root / "prakerja").rglob("*.py"), *(root / "config").rglob("*.py")]):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in relative or relative in RAW_WRITERS_ALLOWED:
            continue
        if RAW_WRITER.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == []


def _rejected_rows_batch(actor: User) -> ImportBatch:
    """An uploaded list whose rows are all rejected (NIK too short), names being payloads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.header for column in WORKER_COLUMNS])
    for serial, payload in enumerate(PAYLOADS, start=1):
        cells = {
            "nik": f"12{serial}",
            "full_name": payload,
            "category": "PHK",
            "regency": "Kota Surabaya",
            "company": payload,
        }
        writer.writerow([cells.get(column.key, "") for column in WORKER_COLUMNS])
    data = buffer.getvalue().encode()
    result = import_batch_upload(
        actor=actor,
        kind="workers",
        source=Source.REGENCY_DISNAKER,
        name="muatan.csv",
        upload=io.BytesIO(data),
    )
    batch = import_batch_process(batch_id=result.batch.pk)
    assert batch.rows_rejected == len(PAYLOADS), batch.error_message
    return batch


def _seed_training(uploader: User) -> None:
    """A verified provider and a Sisnaker institution named like formulas."""
    from prakerja.accounts.testing import make_provider
    from prakerja.labourdata.sisnaker import sisnaker_import

    make_provider(name="=1+1 LPK Rumus", status="verified")
    listed = (
        "Nomor Sisnaker,Nama Lembaga,Jenis,Kabupaten/Kota,Alamat,Kapasitas per Tahun\n"
        '"@SUM(1)","=HYPERLINK(""http://x"") LPK",LPK,Kota Surabaya,"+Jl. Rumus",10\n'
    )
    sisnaker_import(actor=uploader, data=listed.encode(), name="sisnaker.csv")


def _seed(uploader: User) -> ImportBatch:
    ministry = f.batch(source=Source.MINISTRY)
    regional = f.batch(source=Source.REGENCY_DISNAKER)
    laid_off, furloughed = str(Category.LAID_OFF), str(Category.FURLOUGHED)
    groups: list[list[tuple[ImportBatch, str, str]]] = [
        [(ministry, laid_off, "3578"), (regional, laid_off, "3578")],
        [(ministry, laid_off, "3578")],
        [(regional, laid_off, "3578")],
        [(ministry, laid_off, "3578"), (regional, furloughed, "3578")],
    ]
    serial = 500
    for reports in groups:
        for payload in PAYLOADS:
            serial += 1
            f.worker(nik=fake_nik(serial=serial), full_name=payload, reports=reports, phone="")
    f.worker(nik=fake_nik(serial=999), full_name="Phone Only", phone="+6281200000999")
    WorkerReport.objects.update(company='=HYPERLINK("http://x")')
    _seed_training(uploader)
    post = make_post(code="@posko", name="=1+1 Posko")
    officer = make_user(role=Role.OFFICER, post=post)
    AssistanceVisit.objects.create(post=post, officer=officer, services=["registration"])
    daily_counts_refresh()  # the dashboard reads the daily counts, not the visits
    return _rejected_rows_batch(uploader)


def _fetch(client: Client, name: str, export: Export, batch: ImportBatch) -> Any:
    kwargs = {k: (batch.pk if v == "<batch>" else v) for k, v in export.kwargs.items()}
    return client.get(reverse(name, kwargs=kwargs), export.query)


@pytest.mark.django_db
def test_no_download_hands_out_a_live_formula(
    superadmin: User, province_data_officer: User, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    batch = _seed(province_data_officer)
    client = Client()
    client.force_login(superadmin)
    # Rejected rows (full NIKs) go back only to the office that uploaded them.
    uploader = Client()
    uploader.force_login(province_data_officer)
    for name, files in EXPORTS.items():
        for export in files:
            fetcher = uploader if name == "labourdata:batch_rejected" else client
            response = _fetch(fetcher, name, export, batch)
            where = f"{name} {export}"
            assert response.status_code == 200, where
            if export.file_format == "csv":
                cells = _csv_cells(response.content)
            else:
                cells = _xlsx_cells(response.content)
            assert _raw_formulas(cells) == [], where
            assert response["Cache-Control"] == "no-store", where
            content_type = {"csv": exports.CSV_CONTENT_TYPE, "xlsx": exports.XLSX_CONTENT_TYPE}
            assert response["Content-Type"] == content_type[export.file_format], where
            if export.file_format == "csv":
                assert response.content.startswith(b"\xef\xbb\xbf"), f"{where}: no UTF-8 BOM"
            if export.seeded:
                neutralised = {text for text, _kind in cells if text[:2] in _QUOTED}
                assert neutralised, f"{where}: the seeded names did not reach the file"


_QUOTED = {"'" + start for start in exports.FORMULA_START}


@pytest.mark.django_db
def test_the_outreach_csv_neutralises_each_payload(superadmin: User, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _seed(superadmin)
    client = Client()
    client.force_login(superadmin)
    cells = {
        text
        for text, _kind in _csv_cells(client.get("/pencocokan/penjangkauan/?format=csv").content)
    }
    assert {"'" + payload for payload in PAYLOADS} <= cells
    assert "'+6281200000999" in cells
