"""Files as Disnaker offices really send them: accepted with a note, or refused by name."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
import xlsxwriter
from django.test import Client

from prakerja.accounts.models import User
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import ImportBatch, ImportRow, WorkerReport
from prakerja.labourdata.tests.conftest import HEADERS, csv_bytes, upload, worker, xlsx_bytes

pytestmark = pytest.mark.django_db

NIK_A = fake_nik(serial=61)
NIK_B = fake_nik(serial=62)
NIK_C = fake_nik(serial=63)


def _completed(batch: ImportBatch, accepted: int) -> ImportBatch:
    assert batch.status == ImportBatch.Status.COMPLETED, batch.error_message
    assert (batch.rows_accepted, batch.rows_rejected, batch.rows_duplicate) == (accepted, 0, 0)
    return batch


def _failed(batch: ImportBatch, code: str) -> str:
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.error_code == code
    assert not ImportRow.objects.filter(batch=batch).exists()
    return batch.error_message


def _workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An XLSX with one sheet per entry; strings as text cells, numbers as number cells."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for row_index, row in enumerate(rows):
            for column, value in enumerate(row):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(row_index, column, value)
                elif value is not None:
                    sheet.write(row_index, column, value)
    workbook.close()
    return buffer.getvalue()


# --- NIKs kept as text with an apostrophe ---------------------------------------------------


def test_a_nik_with_a_leading_apostrophe_straight_or_curly_is_accepted_from_a_csv(
    province_data_officer: User,
) -> None:
    rows = [worker(f"'{NIK_A}"), worker(f"\u2018{NIK_B}"), worker(f" \u2019{NIK_C}")]
    batch = _completed(upload(province_data_officer, csv_bytes(rows), name="l.csv"), 3)
    assert batch.notes == []
    assert WorkerReport.objects.filter(batch=batch).count() == 3


def test_a_nik_with_a_leading_apostrophe_is_accepted_from_an_xlsx_text_cell(
    province_data_officer: User,
) -> None:
    row = worker(f"'{NIK_A}", phone="'081234567890")
    batch = _completed(upload(province_data_officer, xlsx_bytes([row])), 1)
    report = WorkerReport.objects.get(batch=batch)
    assert report.worker.person.nik == NIK_A
    assert report.phone == "+6281234567890"


# --- Columns --------------------------------------------------------------------------------


def test_extra_columns_are_ignored_with_a_note_that_names_them(
    province_data_officer: User,
) -> None:
    headers = ["No.", *HEADERS, "Alamat", "Catatan", "No Urut"]
    rows = [["1", *worker(NIK_A), "Jl. Mawar 3", "pindah", "7"]]
    batch = _completed(upload(province_data_officer, xlsx_bytes(rows, headers=headers)), 1)
    assert batch.notes == [
        {
            "code": "labourdata.columns_ignored",
            "message": "Kolom yang tidak ada di templat diabaikan (isinya tidak diimpor): "
            "“Alamat”, “Catatan”.",
        }
    ]


@pytest.mark.parametrize(
    ("nik_header", "category_header", "date_header"),
    [
        ("NIK KTP", "Jenis PHK", "Tgl PHK"),
        ("No. KTP", "Status", "Tanggal PHK"),
        ("No KTP", "JENIS PHK", "TGL. PHK"),
        ("nik (ktp)", "Status PHK", "Tgl Dirumahkan"),
    ],
)
def test_well_known_header_variants_map_to_the_template_columns(
    province_data_officer: User, nik_header: str, category_header: str, date_header: str
) -> None:
    headers = [nik_header, "Nama", category_header, "Kab/Kota", date_header, "Alamat"]
    rows = [[NIK_A, "Siti Rahayu", "PHK", "Kota Surabaya", "11/04/2020", "Jl. Mawar 3"]]
    batch = _completed(
        upload(province_data_officer, csv_bytes(rows, headers=headers), name="l.csv"), 1
    )
    report = WorkerReport.objects.get(batch=batch)
    assert (report.category, report.report_date) == ("laid_off", date(2020, 4, 11))
    assert [note["code"] for note in batch.notes] == ["labourdata.columns_ignored"]
    assert "“Alamat”" in batch.notes[0]["message"]


def test_a_missing_column_names_the_unknown_ones_too(province_data_officer: User) -> None:
    headers = ["Nomer KTP", "Nama", "Kategori", "Kabupaten/Kota"]
    rows = [[NIK_A, "Siti Rahayu", "PHK", "Kota Surabaya"]]
    batch = upload(province_data_officer, csv_bytes(rows, headers=headers), name="l.csv")
    assert _failed(batch, "labourdata.columns_missing") == (
        "Kolom wajib tidak ada: “NIK”. Tambahkan kolom tersebut seperti di templat. Kolom yang "
        "tidak dikenal: “Nomer KTP”."
    )


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["17 Agustus 1990", "17 Agt 1990", "17 Ags 1990", "17-Agu-1990", "17 agt. 1990", "33102"],
)
def test_dates_with_indonesian_month_names_or_excel_serials_are_read_from_a_csv(
    province_data_officer: User, text: str
) -> None:
    row = worker(NIK_A, birth_date=text, report_date="11 April 2020")
    batch = _completed(upload(province_data_officer, csv_bytes([row]), name="l.csv"), 1)
    report = WorkerReport.objects.get(batch=batch)
    assert report.birth_date == date(1990, 8, 17)
    assert report.report_date == date(2020, 4, 11)


def test_an_excel_serial_in_a_number_cell_is_read_as_a_date(province_data_officer: User) -> None:
    row: list[Any] = worker(NIK_A)
    row[HEADERS.index("Tanggal Lahir")] = 33102  # 17-08-1990 in a cell formatted General
    row[HEADERS.index("Tanggal Laporan")] = 43932.0  # 11-04-2020
    batch = _completed(upload(province_data_officer, xlsx_bytes([row])), 1)
    report = WorkerReport.objects.get(batch=batch)
    assert (report.birth_date, report.report_date) == (date(1990, 8, 17), date(2020, 4, 11))


def test_a_year_alone_or_an_unknown_month_is_still_an_invalid_date(
    province_data_officer: User,
) -> None:
    rows = [worker(NIK_A, birth_date="1990"), worker(NIK_B, birth_date="17 Agst0 1990")]
    batch = upload(province_data_officer, csv_bytes(rows), name="l.csv")
    assert batch.rows_rejected == 2
    for row in ImportRow.objects.filter(batch=batch):
        assert row.errors[0]["message"] == (
            "Tanggal lahir tidak valid. Tulis HH/BB/TTTT, misalnya 17/08/1990."
        )


# --- Sheets ---------------------------------------------------------------------------------


def test_the_data_sheet_behind_a_cover_sheet_is_found_by_its_header(
    province_data_officer: User,
) -> None:
    data = _workbook(
        {
            "Sampul": [["LAPORAN PEKERJA TERDAMPAK COVID-19"], ["Disnaker Kota Surabaya"]],
            "Rekap": [["Kategori", "Jumlah"], ["PHK", 1]],
            "Data Pekerja": [HEADERS, worker(NIK_A)],
        }
    )
    batch = _completed(upload(province_data_officer, data), 1)
    assert batch.notes == [
        {
            "code": "labourdata.sheet_used",
            "message": "Data dibaca dari lembar “Data Pekerja” (lembar ke-3); lembar lain "
            "diabaikan: “Sampul”, “Rekap”.",
        }
    ]


def test_two_sheets_that_fit_the_template_are_named_and_one_can_be_picked(
    client: Client, province_data_officer: User
) -> None:
    data = _workbook({"Sampul": [["LAPORAN"]], "April": [HEADERS, worker(NIK_A)], "Mei": [HEADERS]})
    batch = upload(province_data_officer, data)
    assert _failed(batch, "labourdata.sheet_ambiguous") == (
        "Lebih dari satu lembar berisi nama kolom templat: “April”, “Mei”. Tulis nama lembar "
        "yang akan diimpor di isian Lembar pada formulir unggah, lalu unggah lagi. Lembar dalam "
        "berkas: “Sampul”, “April”, “Mei”."
    )

    # The same file again through the form, with the sheet named: the failed batch is redone.
    from prakerja.labourdata.services import import_batch_process
    from prakerja.labourdata.tests.test_views import _post_upload

    client.force_login(province_data_officer)
    response = _post_upload(client, data, source="regency_disnaker", sheet=" april ")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.sheet_name == "april"
    import_batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    _completed(batch, 1)
    assert batch.notes[0]["message"].startswith("Data dibaca dari lembar “April” (lembar ke-2)")


def test_a_workbook_without_a_template_sheet_is_refused_naming_its_sheets(
    province_data_officer: User,
) -> None:
    data = _workbook({"Sampul": [["LAPORAN"]], "Lampiran": [["Keterangan"], ["-"]]})
    assert _failed(upload(province_data_officer, data), "labourdata.sheet_not_found") == (
        "Tidak ada lembar yang berisi nama kolom templat (NIK, Nama Lengkap, Kategori, dst.) di "
        "baris pertamanya. Lembar dalam berkas: “Sampul”, “Lampiran”. Pindahkan data ke satu "
        "lembar seperti di templat, atau tulis nama lembar data di isian Lembar pada formulir "
        "unggah."
    )


def test_a_sheet_name_that_is_not_in_the_workbook_is_refused_naming_the_sheets(
    province_data_officer: User,
) -> None:
    from prakerja.labourdata.services import import_batch_process, import_batch_upload

    data = _workbook({"Sampul": [["LAPORAN"]], "Data": [HEADERS, worker(NIK_A)]})
    result = import_batch_upload(
        actor=province_data_officer,
        kind="workers",
        source="company",
        name="l.xlsx",
        upload=io.BytesIO(data),
        sheet="Data Mei",
    )
    batch = import_batch_process(batch_id=result.batch.pk)
    assert _failed(batch, "labourdata.sheet_unknown") == (
        "Lembar “Data Mei” tidak ada di berkas ini. Lembar yang ada: “Sampul”, “Data”. Tulis "
        "salah satu nama itu di isian Lembar, lalu unggah lagi."
    )


# --- Formulas and totals --------------------------------------------------------------------


def _numbered_with_totals(*, formula_in_name: bool = False) -> bytes:
    """A "No" column of =ROW()-1 formulas, two people, then a merged "JUMLAH" totals row
    whose count is a formula under the name column."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Data")
    sheet.write_row(0, 0, ["No", *HEADERS])
    for index, nik in enumerate((NIK_A, NIK_B), start=1):
        sheet.write_formula(index, 0, "=ROW()-1", None, index)
        for column, value in enumerate(worker(nik), start=1):
            if value:
                sheet.write_string(index, column, value)
    if formula_in_name:
        sheet.write_formula(2, 2, '=PROPER("budi")', None, "Budi")
    sheet.merge_range(3, 0, 3, 1, "JUMLAH")
    sheet.write_formula(3, 2, "=COUNTA(C2:C3)", None, 2)
    workbook.close()
    return buffer.getvalue()


def test_formulas_in_the_numbering_column_and_a_totals_row_do_not_refuse_the_file(
    province_data_officer: User,
) -> None:
    batch = _completed(upload(province_data_officer, _numbered_with_totals()), 2)
    assert batch.rows_total == 2
    assert batch.notes == [
        {
            "code": "labourdata.totals_row_skipped",
            "message": "Baris 4 berisi jumlah/total, bukan data seseorang; baris itu dilewati.",
        }
    ]
    assert sorted(ImportRow.objects.filter(batch=batch).values_list("row_number", flat=True)) == [
        2,
        3,
    ]


def test_a_formula_in_an_imported_column_is_still_refused(province_data_officer: User) -> None:
    batch = upload(province_data_officer, _numbered_with_totals(formula_in_name=True))
    assert _failed(batch, "labourdata.formula_cells").startswith(
        "Berkas berisi rumus (formula) di sel C3. Salin seluruh data"
    )


@pytest.mark.parametrize(
    "totals",
    [
        ["Total", "", "", "", "", "", "", "", "", ""],
        ["", "JUMLAH", "", "", "", "", "", "", "", ""],
        ["", "Jumlah Pekerja: 2", "", "", "", "", "", "", "", ""],
        ["", "2", "", "", "", "", "", "", "", ""],
        ["2", "", "", "", "", "", "", "", "", ""],
    ],
)
def test_a_totals_row_at_the_bottom_of_a_csv_is_skipped_with_a_note(
    province_data_officer: User, totals: list[str]
) -> None:
    rows = [worker(NIK_A), worker(NIK_B), totals]
    batch = _completed(upload(province_data_officer, csv_bytes(rows), name="l.csv"), 2)
    assert batch.rows_total == 2
    assert batch.notes == [
        {
            "code": "labourdata.totals_row_skipped",
            "message": "Baris 4 berisi jumlah/total, bukan data seseorang; baris itu dilewati.",
        }
    ]


def test_a_person_without_a_nik_at_the_bottom_is_still_a_rejected_row(
    province_data_officer: User,
) -> None:
    rows = [worker(NIK_A), worker("", "Total Wijaya", company="Total Sejahtera")]
    batch = upload(province_data_officer, csv_bytes(rows), name="l.csv")
    assert (batch.rows_accepted, batch.rows_rejected) == (1, 1)
    assert batch.notes == []


def test_a_totals_row_of_a_jps_list_with_a_rupiah_sum_is_skipped(
    province_data_officer: User,
) -> None:
    headers = ["No", "NIK", "Nama Penerima", "Program", "Jumlah", "Periode"]
    rows = [
        ["1", NIK_A, "Siti Rahayu", "BST", "600000", "2020-04"],
        ["2", NIK_B, "Budi Santoso", "BST", "600000", "2020-04"],
        ["TOTAL", "", "", "", "Rp 1.200.000", ""],
    ]
    batch = _completed(
        upload(province_data_officer, csv_bytes(rows, headers=headers), name="j.csv", kind="jps"),
        2,
    )
    assert [note["code"] for note in batch.notes] == ["labourdata.totals_row_skipped"]


# --- Shown to the uploader ------------------------------------------------------------------


def test_the_batch_page_and_the_api_show_the_notes(
    client: Client, province_data_officer: User
) -> None:
    rows = [[*worker(NIK_A), "Jl. Mawar 3"], ["Jumlah", *[""] * len(HEADERS)]]
    batch = upload(
        province_data_officer, csv_bytes(rows, headers=[*HEADERS, "Alamat"]), name="l.csv"
    )
    client.force_login(province_data_officer)
    page = client.get(f"/data-disnaker/impor/{batch.pk}/").content.decode()
    assert '<li data-code="labourdata.columns_ignored">Kolom yang tidak ada di templat' in page
    assert (
        '<li data-code="labourdata.totals_row_skipped">Baris 3 berisi jumlah/total, bukan data '
        "seseorang; baris itu dilewati.</li>" in page
    )
    body = client.get(f"/api/v1/labourdata/batches/{batch.pk}").json()
    assert body["sheet_name"] == ""
    assert body["notes"] == [
        {
            "code": "labourdata.columns_ignored",
            "message": "Kolom yang tidak ada di templat diabaikan (isinya tidak diimpor): "
            "“Alamat”.",
        },
        {
            "code": "labourdata.totals_row_skipped",
            "message": "Baris 3 berisi jumlah/total, bukan data seseorang; baris itu dilewati.",
        },
    ]
