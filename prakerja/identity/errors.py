"""Error codes of the identity app."""

from __future__ import annotations

from enum import StrEnum


class IdentityError(StrEnum):
    """The stable error codes the identity app raises (the API contract): each member is the
    code string itself."""

    PHONE_INVALID = "phone.invalid"
    PHONE_NOT_INDONESIAN = "phone.not_indonesian"
    PHONE_NOT_MOBILE = "phone.not_mobile"
