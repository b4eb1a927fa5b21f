"""Decompression bombs and oversized request bodies: refused before they cost memory.

Every bomb is built here, from a small workbook whose sheet XML is padded with whitespace
(which deflates about a thousandfold); no large file is committed.
"""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import ImportBatch, ImportRow
from prakerja.labourdata.services import import_batch_process, import_batch_upload
from prakerja.labourdata.tests.conftest import worker, xlsx_bytes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


def _padded(padding: int) -> bytes:
    """A valid workbook (one good row) whose sheet XML carries ``padding`` spaces."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([worker(fake_nik(serial=71))])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == SHEET:
                content = content.replace(b"</worksheet>", b" " * padding + b"</worksheet>")
            target.writestr(info.filename, content)
    return out.getvalue()


def _lying(padding: int) -> bytes:
    """``_padded``, but its sheet declares (in the local header and the central directory) the
    size it had before padding: a bomb that the central directory alone would not show."""
    data = bytearray(_padded(padding))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo(SHEET)
    small = info.file_size - padding
    struct.pack_into("<I", data, info.header_offset + 22, small)
    central = archive.start_dir  # the first central directory entry
    while True:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        extra_length, comment_length = struct.unpack_from("<HH", data, central + 30)
        if bytes(data[central + 46 : central + 46 + name_length]) == SHEET.encode():
            struct.pack_into("<I", data, central + 24, small)
            break
        central += 46 + name_length + extra_length + comment_length
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET).file_size == small
    return bytes(data)


def _upload(actor: User, data: bytes) -> ImportBatch:
    result = import_batch_upload(
        actor=actor, kind="workers", source="company", name="bom.xlsx", upload=io.BytesIO(data)
    )
    return result.batch


def _refused_at_upload(actor: User, data: bytes) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        _upload(actor, data)
    assert not ImportBatch.objects.exists()
    return caught.value


def test_an_xlsx_that_unzips_past_the_cap_is_refused_at_upload(
    province_data_officer: User, settings: Any
) -> None:
    settings.LABOURDATA_XLSX_MAX_UNCOMPRESSED_BYTES = 2 * MB
    data = _padded(3 * MB)
    assert len(data) < 50_000
    error = _refused_at_upload(province_data_officer, data)
    assert error.code == "labourdata.xlsx_too_large"
    assert str(error.message) == (
        "Isi berkas .xlsx terlalu besar setelah dibuka (3.0 MB; batasnya 2.0 MB). Berkas ini "
        "tidak diproses dan tidak ada baris yang disimpan. Pecah data menjadi beberapa berkas "
        "lalu unggah satu per satu."
    )


def test_an_xlsx_compressed_past_the_ratio_is_refused_at_upload(
    province_data_officer: User,
) -> None:
    error = _refused_at_upload(province_data_officer, _padded(5 * MB))
    assert error.code == "labourdata.xlsx_ratio"
    assert str(error.message) == (
        "Berkas .xlsx ini dimampatkan secara tidak wajar (lebih dari 100:1), seperti berkas "
        "jebakan (zip bomb). Berkas ini tidak diproses dan tidak ada baris yang disimpan. Simpan "
        "ulang dari Excel sebagai .xlsx atau .csv lalu unggah lagi."
    )


def test_the_job_refuses_a_bomb_that_passed_the_upload_check(
    province_data_officer: User, settings: Any
) -> None:
    # A batch stored under a generous cap, read by a job under the default one.
    settings.LABOURDATA_XLSX_MAX_RATIO = 100_000
    batch = _upload(province_data_officer, _padded(5 * MB))
    settings.LABOURDATA_XLSX_MAX_RATIO = 100
    batch = import_batch_process(batch_id=batch.pk)
    assert (batch.status, batch.error_code) == ("failed", "labourdata.xlsx_ratio")
    assert not ImportRow.objects.filter(batch=batch).exists()


def test_a_bomb_with_lying_size_headers_is_refused_by_the_job_before_parsing(
    province_data_officer: User,
) -> None:
    batch = _upload(province_data_officer, _lying(5 * MB))  # the declared sizes look harmless
    batch = import_batch_process(batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.error_code == "labourdata.xlsx_size_mismatch"
    assert batch.error_message == (
        "Isi berkas .xlsx lebih besar daripada yang tercatat di dalam berkas itu sendiri (berkas "
        "rusak atau sengaja dibuat begitu). Berkas ini tidak diproses dan tidak ada baris yang "
        "disimpan. Simpan ulang dari Excel lalu unggah lagi."
    )
    assert batch.rows_total == 0
    assert not ImportRow.objects.filter(batch=batch).exists()


def test_an_honest_padded_workbook_under_the_caps_is_imported(
    province_data_officer: User,
) -> None:
    batch = import_batch_process(batch_id=_upload(province_data_officer, _padded(1000)).pk)
    assert (batch.status, batch.rows_accepted) == ("completed", 1)


# --- Request bodies -------------------------------------------------------------------------


class _UnreadableBody:
    """A request body that must never be read."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body of a refused request was read")

    readline = read


def _oversized(path: str, **extra: Any) -> dict[str, Any]:
    return {
        "path": path,
        "data": b"x",
        "content_type": "multipart/form-data; boundary=BoUnDaRy",
        "CONTENT_LENGTH": str(200 * MB),
        "wsgi.input": _UnreadableBody(),
        **extra,
    }


def test_an_upload_over_the_limit_is_refused_with_413_before_it_is_read(
    client: Client, province_data_officer: User
) -> None:
    client.force_login(province_data_officer)
    response = client.post(**_oversized("/data-disnaker/"))
    assert response.status_code == 413
    text = response.content.decode()
    assert (
        '<p role="alert">Berkas terlalu besar (200.0 MB); batasnya 25.0 MB. Pecah data menjadi '
        "beberapa berkas lalu unggah satu per satu.</p>"
    ) in text
    assert not ImportBatch.objects.exists()


def test_an_api_request_over_the_limit_is_refused_with_413_json(
    client: Client, province_data_officer: User, settings: Any
) -> None:
    settings.LABOURDATA_MAX_UPLOAD_BYTES = 1 * MB
    client.force_login(province_data_officer)
    response = client.post(**_oversized("/api/v1/labourdata/batches"))
    assert response.status_code == 413
    assert response.json() == {
        "code": "request.too_large",
        "message": "Berkas terlalu besar (200.0 MB); batasnya 1.0 MB. Pecah data menjadi "
        "beberapa berkas lalu unggah satu per satu.",
        "field": None,
    }


def test_an_upload_within_the_limit_still_goes_through(
    client: Client, province_data_officer: User
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(province_data_officer)
    response = client.post(
        "/data-disnaker/",
        {
            "kind": "workers",
            "source": "company",
            "file": SimpleUploadedFile("l.xlsx", xlsx_bytes([worker(fake_nik(serial=72))])),
            "submission_token": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302
