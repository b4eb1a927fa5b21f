"""The error codes of the labour-data app: the stable codes of the API and of the problems
stored per row (``ImportRow.errors``) and per batch (``ImportBatch.notes``, ``error_code``).

A ``StrEnum``: each member is the code string itself, so stored rows and API answers are the
same as with the literals before. Codes of other domains that a row may carry (``nik.*``) and
the name codes (``labourdata.name_*``, from ``identity.names``) are not listed here.
"""

from __future__ import annotations

from enum import StrEnum


class LabourDataError(StrEnum):
    AMOUNT_INVALID = "labourdata.amount_invalid"
    BATCH_FORBIDDEN = "labourdata.batch_forbidden"
    BATCH_NOT_FOUND = "labourdata.batch_not_found"
    CATEGORY_INVALID = "labourdata.category_invalid"
    COLUMNS_DUPLICATE = "labourdata.columns_duplicate"
    COLUMNS_IGNORED = "labourdata.columns_ignored"
    COLUMNS_MISSING = "labourdata.columns_missing"
    COLUMNS_UNNAMED = "labourdata.columns_unnamed"
    DATE_INVALID = "labourdata.date_invalid"
    DUPLICATE_IN_FILE = "labourdata.duplicate_in_file"
    DUPLICATE_REPORT = "labourdata.duplicate_report"
    ENCODING = "labourdata.encoding"
    EXAMPLE_ROW = "labourdata.example_row"
    FILE_EMPTY = "labourdata.file_empty"
    FILE_NO_ROWS = "labourdata.file_no_rows"
    FILE_TOO_LARGE = "labourdata.file_too_large"
    FILE_TYPE = "labourdata.file_type"
    FILE_UNREADABLE = "labourdata.file_unreadable"
    FORMULA = "labourdata.formula"
    FORMULA_CELLS = "labourdata.formula_cells"
    GENDER_INVALID = "labourdata.gender_invalid"
    HEADER_NOT_FIRST = "labourdata.header_not_first"
    KIND_INVALID = "labourdata.kind_invalid"
    MERGED_CELLS = "labourdata.merged_cells"
    MIGRANT_REASON_INVALID = "labourdata.migrant_reason_invalid"
    NIK_STORED_AS_NUMBER = "labourdata.nik_stored_as_number"
    PERIOD_INVALID = "labourdata.period_invalid"
    PHONE_INVALID = "labourdata.phone_invalid"
    REGENCY_AMBIGUOUS = "labourdata.regency_ambiguous"
    REGENCY_OUT_OF_SCOPE = "labourdata.regency_out_of_scope"
    REGENCY_OUTSIDE = "labourdata.regency_outside"
    REGENCY_UNKNOWN = "labourdata.regency_unknown"
    REJECTED_ROWS_DELETED = "labourdata.rejected_rows_deleted"
    REJECTED_ROWS_OTHER_OFFICE = "labourdata.rejected_rows_other_office"
    REQUIRED = "labourdata.required"
    SHEET_AMBIGUOUS = "labourdata.sheet_ambiguous"
    SHEET_NOT_FOUND = "labourdata.sheet_not_found"
    SHEET_UNKNOWN = "labourdata.sheet_unknown"
    SHEET_USED = "labourdata.sheet_used"
    SOURCE_REQUIRED = "labourdata.source_required"
    TOO_LONG = "labourdata.too_long"
    TOTALS_ROW_SKIPPED = "labourdata.totals_row_skipped"
    XLSX_RATIO = "labourdata.xlsx_ratio"
    XLSX_SIZE_MISMATCH = "labourdata.xlsx_size_mismatch"
    XLSX_TOO_LARGE = "labourdata.xlsx_too_large"


class SisnakerError(StrEnum):
    """The ministry's list of training institutions and its reconciliation."""

    FORBIDDEN = "sisnaker.forbidden"
    NO_ROWS = "sisnaker.no_rows"
    MATCH_NOT_FOUND = "sisnaker.match_not_found"
    MATCH_DECIDED = "sisnaker.match_decided"
    NO_FILE = "sisnaker.no_file"
    NO_LIST = "sisnaker.no_list"
