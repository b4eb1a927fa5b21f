"""Error codes of the course catalogue (courses, batches, curation): the API's stable codes."""

from __future__ import annotations

from enum import StrEnum


class CourseError(StrEnum):
    NOT_FOUND = "course.not_found"
    FORBIDDEN = "course.forbidden"
    PROVIDER_NOT_VERIFIED = "course.provider_not_verified"
    NOT_EDITABLE = "course.not_editable"
    NOT_SUBMITTED = "course.not_submitted"
    NO_BATCH = "course.no_batch"
    REASON_REQUIRED = "course.reason_required"
    INVALID = "course.invalid"
    BATCH_NOT_FOUND = "batch.not_found"
    BATCH_DATES = "batch.dates_invalid"
    BATCH_IN_PAST = "batch.starts_in_past"
    BATCH_SEATS_BELOW_TAKEN = "batch.seats_below_taken"
    BATCH_STARTED = "batch.started"
