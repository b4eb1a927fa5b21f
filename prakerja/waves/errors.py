"""The error codes of the waves app (waves, quotas, joining, selection runs): the stable codes
of the API. A ``StrEnum``: each member is the code string itself, as the literals were."""

from __future__ import annotations

from enum import StrEnum


class WavesError(StrEnum):
    SELECTION_NOT_APPROVED = "selection.not_approved"
    SELECTION_NOT_READY = "selection.not_ready"
    SELECTION_REJECTION_COMMENT = "selection.rejection_comment"
    SELECTION_RUN_IN_PROGRESS = "selection.run_in_progress"
    SELECTION_RUN_NOT_FOUND = "selection.run_not_found"
    SELECTION_SAME_APPROVER = "selection.same_approver"
    SELECTION_SEED_INVALID = "selection.seed_invalid"
    SELECTION_WAVE_NOT_CLOSED = "selection.wave_not_closed"
    # The run pages' code (the API says selection.run_not_found): kept as it was.
    RUN_PAGE_NOT_FOUND = "selection_run.not_found"
    WAVE_NOT_FOUND = "wave.not_found"
    QUOTA_NO_CAPACITY = "waves.quota_no_capacity"
    ALREADY_SELECTED = "waves.already_selected"
    CLOSES_BEFORE_OPENING = "waves.closes_before_opening"
    INCOMPLETE = "waves.incomplete"
    INELIGIBLE = "waves.ineligible"
    JOIN_BLOCKED = "waves.join_blocked"
    NAME_INVALID = "waves.name_invalid"
    NO_REGISTRATION = "waves.no_registration"
    NOT_DRAFT = "waves.not_draft"
    NOT_EDITABLE = "waves.not_editable"
    NOT_FOUND = "waves.not_found"
    NOT_OPEN = "waves.not_open"
    OTHER_PROGRAMME = "waves.other_programme"
    OVERLAP = "waves.overlap"
    QUOTA_INVALID = "waves.quota_invalid"
    QUOTA_MISSING = "waves.quota_missing"
    QUOTA_REGENCY_UNKNOWN = "waves.quota_regency_unknown"
    QUOTA_SUM_MISMATCH = "waves.quota_sum_mismatch"
    TOTAL_QUOTA_INVALID = "waves.total_quota_invalid"
