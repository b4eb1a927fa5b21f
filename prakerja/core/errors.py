"""The one error family every service raises.

A service raises ``ApplicationError`` (or a subclass) with a stable ``code`` such as
``nik.length`` and an Indonesian ``message``; the HTML views show ``message`` next to the field,
the API returns ``{"code", "message", "field"}`` with ``status``. Translating an error to a
response happens in one place per surface (``config.api`` for the API, forms for HTML).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise


class ApplicationError(Exception):
    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        field: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": str(self.message), "field": self.field}

    def __str__(self) -> str:
        # Never the offending value: it may be a NIK or a phone number.
        return self.code


class NotFound(ApplicationError):
    status = 404


class PermissionDenied(ApplicationError):
    status = 403


class CoreError(StrEnum):
    """The stable error codes the core app raises (the API contract): each member is the
    code string itself."""

    IDEMPOTENCY_KEY_INVALID = "idempotency.key_invalid"
    SUBMISSION_TOKEN_MISSING = "submission_token.missing"
    SUBMISSION_TOKEN_REUSED = "submission_token.reused"
