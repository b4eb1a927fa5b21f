"""Error codes of the payments app: the API's stable codes (each member is the code)."""

from __future__ import annotations

from enum import StrEnum


class PaymentError(StrEnum):
    NOT_PARTICIPANT = "payment.not_participant"
    FORBIDDEN = "payment.forbidden"
    ACCOUNT_INVALID = "payment.account_invalid"
    ACCOUNT_TAKEN = "payment.account_taken"
    ACCOUNT_UNCHANGED = "payment.account_unchanged"
    ACCOUNT_IN_OPEN_BATCH = "payment.account_in_open_batch"
    CODE_REQUIRED = "payment.code_required"
    CODE_INVALID = "payment.code_invalid"
    REVIEW_NOT_PENDING = "payment.review_not_pending"
    SURVEY_NOT_FOUND = "payment.survey_not_found"
    SURVEY_ANSWERED = "payment.survey_answered"
    SURVEY_INVALID = "payment.survey_invalid"
    BATCH_NOT_FOUND = "payment.batch_not_found"
    BATCH_EMPTY = "payment.batch_empty"
    BATCH_NOT_DRAFT = "payment.batch_not_draft"
    BATCH_SELF_APPROVAL = "payment.batch_self_approval"
    BATCH_NOT_APPROVED = "payment.batch_not_approved"
    BATCH_FILTER_INVALID = "payment.batch_filter_invalid"
    RESULT_FILE_INVALID = "payment.result_file_invalid"
    RESULT_FILE_TOO_LARGE = "payment.result_file_too_large"
    RESULT_FILE_ENCODING = "payment.result_file_encoding"
    RESULT_FILE_DUPLICATE = "payment.result_file_duplicate"
    RESULT_LINE_INVALID = "payment.result_line_invalid"
