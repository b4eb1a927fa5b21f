"""Files that cannot be imported as a whole: each gets its own clear message, no row stored."""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import ImportBatch, ImportRow, WorkerReport
from prakerja.labourdata.services import import_batch_upload
from prakerja.labourdata.tests.conftest import HEADERS, csv_bytes, upload, worker, xlsx_bytes

pytestmark = pytest.mark.django_db

GOOD_ROW = worker(fake_nik(serial=11), "Budi Santoso")


def _failed(batch: ImportBatch, code: str) -> str:
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.error_code == code
    assert batch.rows_done == 0
    assert not ImportRow.objects.filter(batch=batch).exists()
    assert not WorkerReport.objects.filter(batch=batch).exists()
    assert batch.file_encrypted in (b"", memoryview(b""))
    return batch.error_message


def test_it_rejects_a_file_with_formula_cells(province_data_officer: User) -> None:
    # A formula in the name column of the first data row.
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for column, value in enumerate(GOOD_ROW):
        sheet.write_string(1, column, value)
    sheet.write_formula(1, 1, '=PROPER("budi santoso")', None, "Budi Santoso")
    workbook.close()
    data = buffer.getvalue()

    message = _failed(upload(province_data_officer, data), "labourdata.formula_cells")
    assert message == (
        "Berkas berisi rumus (formula) di sel B2. Salin seluruh data lalu tempel sebagai nilai "
        "(Paste Special → Values), simpan, lalu unggah lagi."
    )


def test_it_rejects_a_merged_title_row_above_the_headers(province_data_officer: User) -> None:
    def title(workbook: Any, sheet: Any) -> int:
        sheet.merge_range(0, 0, 0, len(HEADERS) - 1, "DATA PEKERJA TERDAMPAK COVID-19")
        return 1

    batch = upload(province_data_officer, xlsx_bytes([GOOD_ROW], before=title))
    message = _failed(batch, "labourdata.merged_cells")
    assert message == (
        "Berkas berisi sel yang digabung (merge cells) di A1:J1. Gunakan satu baris nama kolom "
        "tanpa sel gabungan (Unmerge Cells), seperti di templat."
    )


def test_it_names_the_row_of_the_headers_below_an_unmerged_title(
    province_data_officer: User,
) -> None:
    def title(workbook: Any, sheet: Any) -> int:
        sheet.write_string(0, 0, "DATA PEKERJA TERDAMPAK")
        sheet.write_string(1, 0, "Kota Surabaya, April 2020")
        return 2

    batch = upload(province_data_officer, xlsx_bytes([GOOD_ROW], before=title))
    assert _failed(batch, "labourdata.header_not_first") == (
        "Nama kolom ada di baris 3, bukan di baris 1. Hapus baris judul di atasnya (baris 1–2) "
        "sehingga baris pertama berisi nama kolom."
    )


def test_it_ignores_extra_columns_naming_them_in_a_note(province_data_officer: User) -> None:
    batch = upload(
        province_data_officer, xlsx_bytes([[*GOOD_ROW, "x"]], headers=[*HEADERS, "Gaji Terakhir"])
    )
    assert batch.status == ImportBatch.Status.COMPLETED
    assert batch.rows_accepted == 1
    assert batch.notes[0]["message"] == (
        "Kolom yang tidak ada di templat diabaikan (isinya tidak diimpor): “Gaji Terakhir”."
    )


def test_it_refuses_data_under_a_blank_header(province_data_officer: User) -> None:
    # Column M: the twelve template columns, then one with values but no name.
    batch = upload(
        province_data_officer, xlsx_bytes([[*GOOD_ROW, "PT Lain"]], headers=[*HEADERS, ""])
    )
    message = _failed(batch, "labourdata.columns_unnamed")
    letter = chr(ord("A") + len(HEADERS))
    assert message == (
        f"Kolom {letter} (kolom ke-{len(HEADERS) + 1}) berisi data tetapi tidak punya nama di "
        "baris 1. Beri nama kolom seperti di templat, atau hapus kolom itu."
    )


def test_it_refuses_data_under_a_blank_header_in_a_csv(province_data_officer: User) -> None:
    batch = upload(
        province_data_officer,
        csv_bytes([["x", *GOOD_ROW]], headers=["", *HEADERS]),
        name="laporan.csv",
    )
    assert _failed(batch, "labourdata.columns_unnamed").startswith("Kolom A (kolom ke-1) berisi")


def test_a_blank_header_over_an_empty_column_is_ignored(province_data_officer: User) -> None:
    batch = upload(province_data_officer, xlsx_bytes([[*GOOD_ROW, " "]], headers=[*HEADERS, ""]))
    assert batch.status == ImportBatch.Status.COMPLETED
    assert batch.rows_accepted == 1


def test_it_rejects_missing_required_columns(province_data_officer: User) -> None:
    headers = [header for header in HEADERS if header not in ("Kategori", "NIK")]
    rows = [[value for header, value in zip(HEADERS, GOOD_ROW, strict=True) if header in headers]]
    batch = upload(province_data_officer, xlsx_bytes(rows, headers=headers))
    assert _failed(batch, "labourdata.columns_missing") == (
        "Kolom wajib tidak ada: “NIK”, “Kategori”. Tambahkan kolom tersebut seperti di templat."
    )


def test_optional_columns_may_be_left_out(province_data_officer: User) -> None:
    keep = ("NIK", "Nama Lengkap", "Kategori", "Kabupaten/Kota")
    rows = [[value for header, value in zip(HEADERS, GOOD_ROW, strict=True) if header in keep]]
    batch = upload(province_data_officer, xlsx_bytes(rows, headers=list(keep)))
    assert batch.status == ImportBatch.Status.COMPLETED
    assert batch.rows_accepted == 1


def test_it_reads_a_windows_1252_csv(province_data_officer: User) -> None:
    row = worker(fake_nik(serial=12), "José Ramos Hernández", company="PT Café Jaya")
    data = csv_bytes([row], encoding="cp1252", separator=";")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    batch = upload(province_data_officer, data, name="laporan.csv")
    assert batch.status == ImportBatch.Status.COMPLETED
    report = WorkerReport.objects.get(batch=batch)
    assert report.full_name == "José Ramos Hernández"
    assert report.company == "PT Café Jaya"


def test_it_refuses_a_csv_in_an_encoding_it_cannot_read(province_data_officer: User) -> None:
    # UTF-16 without a byte-order mark: NUL bytes between the letters.
    data = csv_bytes([GOOD_ROW]).decode("utf-8").encode("utf-16-le")
    batch = upload(province_data_officer, data, name="laporan.csv")
    assert _failed(batch, "labourdata.encoding") == (
        "Pengodean (encoding) berkas CSV tidak dikenali. Simpan ulang sebagai “CSV UTF-8 "
        "(Comma delimited)” dari Excel, atau unggah berkas .xlsx."
    )


def test_an_empty_file_is_refused_at_upload(province_data_officer: User) -> None:
    with pytest.raises(ApplicationError) as caught:
        import_batch_upload(
            actor=province_data_officer,
            kind="workers",
            source="company",
            name="kosong.xlsx",
            upload=io.BytesIO(b""),
        )
    assert caught.value.code == "labourdata.file_empty"
    assert str(caught.value.message) == "Berkas kosong (0 byte). Pilih berkas yang berisi data."
    assert not ImportBatch.objects.exists()


def test_a_file_with_headers_only_fails_with_a_message(province_data_officer: User) -> None:
    batch = upload(province_data_officer, xlsx_bytes([]))
    assert _failed(batch, "labourdata.file_no_rows") == (
        "Berkas hanya berisi nama kolom, tanpa baris data."
    )


def test_a_file_over_the_size_limit_is_refused_at_upload(
    province_data_officer: User, settings: Any
) -> None:
    settings.LABOURDATA_MAX_UPLOAD_BYTES = 1024 * 1024
    data = b"NIK,Nama Lengkap\n" + b"x" * (1024 * 1024 + 1)
    with pytest.raises(ApplicationError) as caught:
        import_batch_upload(
            actor=province_data_officer,
            kind="workers",
            source="company",
            name="besar.csv",
            upload=io.BytesIO(data),
        )
    assert caught.value.code == "labourdata.file_too_large"
    assert str(caught.value.message) == (
        "Berkas terlalu besar (1.0 MB); batasnya 1.0 MB. Pecah data menjadi beberapa berkas lalu "
        "unggah satu per satu."
    )
    assert not ImportBatch.objects.exists()


def test_other_file_types_are_refused_at_upload(province_data_officer: User) -> None:
    with pytest.raises(ApplicationError) as caught:
        import_batch_upload(
            actor=province_data_officer,
            kind="workers",
            source="company",
            name="laporan.xls",
            upload=io.BytesIO(b"\xd0\xcf\x11\xe0 old excel"),
        )
    assert caught.value.code == "labourdata.file_type"
    assert str(caught.value.message).startswith("Format .xls (Excel 97–2003) tidak didukung.")


def test_a_nik_stored_as_a_number_is_rejected_per_row(province_data_officer: User) -> None:
    as_number = worker(fake_nik(serial=13))
    as_number[0] = int(fake_nik(serial=13))  # type: ignore[call-overload]
    batch = upload(province_data_officer, xlsx_bytes([GOOD_ROW, as_number]))
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.rows_accepted, batch.rows_rejected) == (1, 1)
    rejected = ImportRow.objects.get(batch=batch, status=ImportRow.Status.REJECTED)
    assert rejected.row_number == 3
    assert rejected.errors[0]["code"] == "labourdata.nik_stored_as_number"


def test_the_downloaded_template_reads_back_with_its_example_row_refused(
    province_data_officer: User,
) -> None:
    from prakerja.labourdata.selectors import template_xlsx

    batch = upload(province_data_officer, template_xlsx(kind="workers"), name="templat.xlsx")
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.rows_total, batch.rows_rejected) == (1, 1)
    assert batch.notes == []  # its "Petunjuk" sheet is not data, and not worth a note
    row = ImportRow.objects.get(batch=batch)
    assert row.errors == [
        {
            "column": "NIK",
            "code": "labourdata.example_row",
            "message": "Ini baris contoh dari templat. Hapus baris ini lalu unggah lagi.",
        }
    ]
