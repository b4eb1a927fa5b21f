"""Error codes of provider registration and verification: the API's stable codes."""

from __future__ import annotations

from enum import StrEnum


class ProviderError(StrEnum):
    FORBIDDEN = "provider.forbidden"
    NOT_FOUND = "provider.not_found"
    NOT_EDITABLE = "provider.not_editable"
    INVALID = "provider.invalid"
    INCOMPLETE = "provider.incomplete"
    DOCUMENT_TOO_LARGE = "provider.document_too_large"
    DOCUMENT_TYPE = "provider.document_type"
    DOCUMENT_NOT_FOUND = "provider.document_not_found"
    NOT_UNDER_REVIEW = "provider.not_under_review"
    CHECKLIST_INCOMPLETE = "provider.checklist_incomplete"
    SITE_VISIT_FUTURE = "provider.site_visit_future"
    REASON_REQUIRED = "provider.reason_required"
    SAME_APPROVER = "provider.same_approver"
