"""Error codes of the fraud-signal review (each member is the code)."""

from __future__ import annotations

from enum import StrEnum


class FraudError(StrEnum):
    NOT_FOUND = "fraud.not_found"
    VERDICT_INVALID = "fraud.verdict_invalid"
    NOTE_REQUIRED = "fraud.note_required"
