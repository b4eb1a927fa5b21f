from __future__ import annotations

import json
import logging

from prakerja.core.logging import RedactingJsonFormatter, redact


def _format(record: logging.LogRecord) -> dict[str, object]:
    return json.loads(RedactingJsonFormatter().format(record))


def test_it_masks_a_nik_in_the_message() -> None:
    assert redact("NIK 3578015708900001 ditolak") == "NIK 3578********0001 ditolak"


def test_it_masks_phone_numbers_in_every_typed_form() -> None:
    for typed in ("081234567890", "+6281234567890", "6281234567890", "0812-3456-7890"):
        masked = redact(f"kirim ke {typed} sekarang")
        assert "3456" not in masked, typed
        assert masked.endswith("890 sekarang")


def test_it_leaves_ordinary_numbers_alone() -> None:
    assert redact("posko 56, kuota 543000") == "posko 56, kuota 543000"


def test_a_log_line_is_json_with_extras_and_masked_arguments() -> None:
    record = logging.LogRecord(
        "prakerja", logging.INFO, __file__, 1, "cek %s", ("3578015708900001",), None
    )
    record.post = "disnaker-3578"
    line = _format(record)
    assert line["message"] == "cek 3578********0001"
    assert line["post"] == "disnaker-3578"
    assert line["level"] == "INFO"


def test_a_traceback_that_contains_a_nik_is_masked() -> None:
    try:
        raise ValueError("NIK 3578015708900001 tidak valid, HP 081234567890")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "prakerja", logging.ERROR, __file__, 1, "gagal", (), sys.exc_info()
        )
    text = RedactingJsonFormatter().format(record)
    assert "3578015708900001" not in text
    assert "081234567890" not in text
    assert "3578********0001" in text


def test_the_gunicorn_access_log_masks_a_nik_in_the_path() -> None:
    from types import SimpleNamespace

    from gunicorn.config import Config

    from prakerja.core.gunicorn_logger import RedactingAccessLogger

    logger = RedactingAccessLogger(Config())
    request = SimpleNamespace(
        method="GET",
        path="/api/v1/nik/3578015708900001/check",
        query="hp=081234567890",
        version=(1, 1),
        headers=[],
        uri="/api/v1/nik/3578015708900001/check?hp=081234567890",
    )
    response = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "RAW_URI": request.uri,
        "REQUEST_METHOD": "GET",
        "PATH_INFO": request.path,
        "QUERY_STRING": request.query,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    from datetime import timedelta

    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=3))
    joined = " ".join(str(value) for value in atoms.values())
    assert "3578015708900001" not in joined
    assert "081234567890" not in joined
    assert "3578********0001" in atoms["U"]


def test_the_quick_search_never_skips_a_line_that_holds_a_number_to_mask() -> None:
    # Lines made of digits, separators, letters and the prefixes of phone numbers, masked
    # with the quick search and with the two substitutions alone: always the same.
    import random
    import re

    from prakerja.core import logging as redacting

    def substitutions_only(text: str) -> str:
        text = redacting._SIXTEEN_DIGITS.sub(r"\1********\2", text)
        return redacting._PHONE.sub(r"+62*******\1", text)

    rng = random.Random(17)
    pieces = ["0", "8", "62", "+62", "12", "3578", " ", "-", "/", "a", ".", "0812", "57089"]
    masked = 0
    for _ in range(20_000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14)))
        assert redact(line) == substitutions_only(line), line
        masked += redact(line) != line
    assert masked > 100  # the lines did hold numbers to mask
    assert re.search(r"\d[\d\s-]{10}", "2026-12-07T10:31:14.027018+00:00") is None
    assert redact('127.0.0.1 "GET /daftar/" 200 12.3 ms') == '127.0.0.1 "GET /daftar/" 200 12.3 ms'
