"""What the raw SQL of the waves app takes from the models: table names and enum values.

The selection and the set-based writes are hand-written SQL (one statement over millions of
rows); their table names come from ``Model._meta.db_table`` and their statuses from the
models' choices, as ``core.rowsql`` and ``labourdata.bulk`` do, so that a renamed table or
value cannot leave a stale copy behind. The values are inlined as SQL literals, not passed as
parameters, so that the statements (and their plans) stay what they were; only enum values of
the code come here, never input, and ``literal`` refuses anything but ``[a-z_]``.
"""

from __future__ import annotations

import re
from enum import Enum

from prakerja.registry.models import Registration
from prakerja.waves.models import JoinBlock, RegencyQuota, SelectionResult, WaveEntry

ENTRY_TABLE = WaveEntry._meta.db_table
REGISTRATION_TABLE = Registration._meta.db_table
QUOTA_TABLE = RegencyQuota._meta.db_table
RESULT_TABLE = SelectionResult._meta.db_table
JOIN_BLOCK_TABLE = JoinBlock._meta.db_table
_SAFE_VALUE = re.compile(r"[a-z_]+")


def literal(value: str | Enum) -> str:
    """An enum value of the models as an SQL string literal (``'joined'``)."""
    text = str(value.value if isinstance(value, Enum) else value)
    if not _SAFE_VALUE.fullmatch(text):
        raise ValueError(f"not an enum value: {text!r}")
    return f"'{text}'"
