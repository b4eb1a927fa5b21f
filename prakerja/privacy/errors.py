"""Error codes of the privacy app."""

from __future__ import annotations

from enum import StrEnum


class PrivacyError(StrEnum):
    """The stable error codes the privacy app raises (the API contract): each member is the
    code string itself."""

    REGISTRATION_NOT_FOUND = "registration.not_found"
