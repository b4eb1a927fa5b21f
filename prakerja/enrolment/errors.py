"""The error codes of the enrolment app (participants, enrolments, cancellations): the stable
codes of the API. A ``StrEnum``: each member is the code string itself."""

from __future__ import annotations

from enum import StrEnum


class EnrolmentError(StrEnum):
    NOT_PARTICIPANT = "enrolment.not_participant"
    PARTICIPANT_REVOKED = "enrolment.participant_revoked"
    DEADLINE_PASSED = "enrolment.deadline_passed"
    BALANCE_TOO_LOW = "enrolment.balance_too_low"
    BATCH_NOT_FOUND = "enrolment.batch_not_found"
    BATCH_FULL = "enrolment.batch_full"
    BATCH_STARTED = "enrolment.batch_started"
    COURSE_NOT_PUBLISHED = "enrolment.course_not_published"
    PROVIDER_NOT_VERIFIED = "enrolment.provider_not_verified"
    PRICE_CHANGED = "enrolment.price_changed"
    ALREADY_ENROLLED = "enrolment.already_enrolled"
    ENROLMENT_NOT_FOUND = "enrolment.not_found"
    NOT_CANCELLABLE = "enrolment.not_cancellable"
    CANCEL_TOO_LATE = "enrolment.cancel_too_late"
    FORBIDDEN = "enrolment.forbidden"


class CompletionError(StrEnum):
    """Attendance, completion, certificates and ratings."""

    ENROLMENT_NOT_FOUND = "completion.enrolment_not_found"
    FORBIDDEN = "completion.forbidden"
    NOT_ENROLLED = "completion.not_enrolled"
    BATCH_NOT_STARTED = "completion.batch_not_started"
    SCORE_INVALID = "completion.score_invalid"
    ATTENDANCE_INVALID = "completion.attendance_invalid"
    UPLOAD_TOO_LARGE = "completion.upload_too_large"
    UPLOAD_INVALID = "completion.upload_invalid"
    UPLOAD_ROWS = "completion.upload_rows"
    CERTIFICATE_NOT_FOUND = "certificate.not_found"
    CERTIFICATE_NOT_COMPLETED = "certificate.not_completed"
    CERTIFICATE_RATE_LIMITED = "certificate.rate_limited"
    RATING_TWICE = "rating.twice"
    RATING_NOT_COMPLETED = "rating.not_completed"
    RATING_INVALID = "rating.invalid"
