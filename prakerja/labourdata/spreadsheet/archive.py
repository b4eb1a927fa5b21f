"""An .xlsx is a zip: its sizes checked before anything inflates or parses it (decompression
bombs, archives that lie about their sizes)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.labourdata.errors import LabourDataError
from prakerja.labourdata.spreadsheet.common import (
    _ZIP_LOCAL_HEADER,
    INFLATE_BLOCK,
    RATIO_MIN_BYTES,
    _error,
    max_compression_ratio,
    max_uncompressed_bytes,
)

# --- XLSX: the zip ------------------------------------------------------------------------


def _unreadable() -> ApplicationError:
    return _error(
        LabourDataError.FILE_UNREADABLE,
        _("Berkas .xlsx rusak atau tidak dapat dibaca. Simpan ulang dari Excel lalu unggah."),
    )


def _archive_too_large(size: int, limit: int) -> ApplicationError:
    return _error(
        LabourDataError.XLSX_TOO_LARGE,
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
        LabourDataError.XLSX_SIZE_MISMATCH,
        _(
            "Isi berkas .xlsx lebih besar daripada yang tercatat di dalam berkas itu sendiri "
            "(berkas rusak atau sengaja dibuat begitu). Berkas ini tidak diproses dan tidak ada "
            "baris yang disimpan. Simpan ulang dari Excel lalu unggah lagi."
        ),
    )


def _archive_ratio(ratio: int) -> ApplicationError:
    return _error(
        LabourDataError.XLSX_RATIO,
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
