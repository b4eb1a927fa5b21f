"""The registry's error codes and its errors, in one place (as Saleor's ``error_codes.py``).

The values are stable: the API returns them as ``code`` and clients and tests match on them.
Add a code here, never as a bare string at the raise site. The eligibility reasons
(``eligibility.<rule kind>``) are not listed: they follow ``EligibilityRule.Kind``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError

CALL_CENTRE_NUMBERS = "031-8293097 / 031-8280254"


class RegistryErrorCode(StrEnum):
    # Changing the account's phone number (registry.phone_change): the account's codes.
    ACCOUNT_IDENTITY_MISMATCH = "account.identity_mismatch"
    ACCOUNT_PHONE_TAKEN = "account.phone_taken"
    ACCOUNT_PHONE_UNCHANGED = "account.phone_unchanged"
    ADDRESS_REQUIRED = "registration.address_required"
    APPLICANT_ONLY = "registration.applicant_only"
    BIRTH_DATE_FUTURE = "registration.birth_date_future"
    BIRTH_DATE_INVALID = "registration.birth_date_invalid"
    BIRTH_DATE_REQUIRED = "registration.birth_date_required"
    BIRTH_PLACE_REQUIRED = "registration.birth_place_required"
    CHOICE_INVALID = "registration.choice_invalid"
    CONSENT_REQUIRED = "registration.consent_required"
    CONSENT_TEXT_MISSING = "registration.consent_text_missing"
    CONSENT_VERSION_UNKNOWN = "registration.consent_version_unknown"
    DATE_FUTURE = "registration.date_future"
    DATE_INVALID = "registration.date_invalid"
    DISTRICT_MISMATCH = "registration.district_mismatch"
    DISTRICT_REQUIRED = "registration.district_required"
    EDUCATION_REQUIRED = "registration.education_required"
    EMAIL_INVALID = "registration.email_invalid"
    EMPLOYMENT_STATUS_REQUIRED = "registration.employment_status_required"
    FORBIDDEN = "registration.forbidden"
    FULL_NAME_REQUIRED = "registration.full_name_required"
    GENDER_REQUIRED = "registration.gender_required"
    INCOMPLETE = "registration.incomplete"
    KK_REQUIRED = "registration.kk_required"
    MIGRANT_REASON_REQUIRED = "registration.migrant_reason_required"
    NIK_RATE_LIMITED = "registration.nik_rate_limited"
    NIK_REQUIRED = "registration.nik_required"
    NIK_TAKEN = "registration.nik_taken"
    NOT_DRAFT = "registration.not_draft"
    NOT_FOUND = "registration.not_found"
    OCCUPATION_REQUIRED = "registration.occupation_required"
    PHONE_REQUIRED = "registration.phone_required"
    POST_FORBIDDEN = "registration.post_forbidden"
    RECEIPT_UNAVAILABLE = "registration.receipt_unavailable"
    REFERENCE_EXHAUSTED = "registration.reference_exhausted"
    REGENCY_REQUIRED = "registration.regency_required"
    REGENCY_UNKNOWN = "registration.regency_unknown"
    RULE_FORBIDDEN = "registration.rule_forbidden"
    RULE_NOT_FOUND = "registration.rule_not_found"
    RULE_PARAMETER_INVALID = "registration.rule_parameter_invalid"
    RULE_REASON_REQUIRED = "registration.rule_reason_required"
    STEP_UNKNOWN = "registration.step_unknown"
    TEST_ANSWERS_REQUIRED = "registration.test_answers_required"
    TEST_CHOICE_INVALID = "registration.test_choice_invalid"
    TEST_QUESTION_UNKNOWN = "registration.test_question_unknown"
    TEXT_INVALID = "registration.text_invalid"
    TOO_LONG = "registration.too_long"
    TRUTHFULNESS_REQUIRED = "registration.truthfulness_required"
    USER_NOT_APPLICANT = "registration.user_not_applicant"


class StepInvalid(ApplicationError):
    """All the errors of one step, so a form can show each next to its field; the first one
    is the error's own ``code``/``message``/``field`` (what the API's envelope carries)."""

    def __init__(self, errors: list[ApplicationError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.message, field=first.field, status=first.status)
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(super().as_dict())
        data["errors"] = [error.as_dict() for error in self.errors]
        return data

    def by_field(self) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = {}
        for error in self.errors:
            fields.setdefault(error.field or "__all__", []).append(str(error.message))
        return fields


def not_draft() -> ApplicationError:
    return ApplicationError(
        RegistryErrorCode.NOT_DRAFT,
        _("Pendaftaran ini sudah dikirim dan tidak dapat diubah lagi."),
        status=409,
    )


def nik_taken() -> ApplicationError:
    return ApplicationError(
        RegistryErrorCode.NIK_TAKEN,
        format_lazy(
            _(
                "NIK ini sudah terdaftar dengan akun lain. Satu NIK hanya dapat mendaftar satu "
                "kali. Bila itu akun Anda, masuk kembali dengan nomor HP yang dipakai saat "
                "mendaftar (kode masuk dikirim lewat SMS), atau hubungi call center {numbers} "
                "untuk memulihkan akun."
            ),
            numbers=CALL_CENTRE_NUMBERS,
        ),
        field="nik",
        status=409,
    )
