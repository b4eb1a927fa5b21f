"""Error codes come from one enum per app, and stay the strings the API always answered."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from prakerja.labourdata.errors import LabourDataError
from prakerja.waves.errors import WavesError

ROOT = Path(__file__).resolve().parents[2]
# Not error codes: job names, signal dispatch ids and model labels.
NOT_CODES = {
    "labourdata.import",
    "waves.announce",  # the announcement job's lease key (core.jobs), not an error code
    "waves.announce_on_publish",
    "waves.selection",
    "waves.selectionrun",
    "waves.wave",
    "waves.waveentry",
}


@pytest.mark.parametrize(
    ("app", "prefixes"),
    [("waves", r"waves|wave|selection|selection_run"), ("labourdata", r"labourdata")],
)
def test_no_error_code_is_a_bare_string_outside_the_enum(app: str, prefixes: str) -> None:
    literal = re.compile(rf'"((?:{prefixes})\.[a-z_]+)"')
    found = {
        f"{path.relative_to(ROOT)}: {code}"
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path.name != "errors.py"
        for code in literal.findall(path.read_text())
        if code not in NOT_CODES
    }
    assert not found


def test_the_codes_are_the_strings_they_were() -> None:
    assert WavesError.QUOTA_SUM_MISMATCH == "waves.quota_sum_mismatch"
    assert json.dumps({"code": LabourDataError.DUPLICATE_REPORT}) == (
        '{"code": "labourdata.duplicate_report"}'
    )
