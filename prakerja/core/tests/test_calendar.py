"""The iCalendar writer: escaped text, UTC times from WIB, folded long lines."""

from __future__ import annotations

import datetime as dt

from prakerja.core.calendar import calendar_event


def test_an_event_in_wib_is_written_in_utc_with_its_text_escaped() -> None:
    text = calendar_event(
        uid="janji-7@prakerja",
        start=dt.datetime(2026, 12, 7, 9, 0),
        end=dt.datetime(2026, 12, 7, 9, 30),
        summary="Kunjungan posko; Surabaya, Jawa Timur",
        location="Jl. Raya No. 1\nRT 2",
    )
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261207T020000Z" in text
    assert "DTEND:20261207T023000Z" in text
    assert "SUMMARY:Kunjungan posko\\; Surabaya\\, Jawa Timur" in text
    assert "LOCATION:Jl. Raya No. 1\\nRT 2" in text


def test_long_lines_are_folded_without_splitting_a_character() -> None:
    text = calendar_event(
        uid="x",
        start=dt.datetime(2026, 1, 1, 8, 0),
        end=dt.datetime(2026, 1, 1, 9, 0),
        summary="é" * 100,
    )
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:" + "é" * 100 in unfolded
