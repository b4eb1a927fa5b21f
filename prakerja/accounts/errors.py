"""Error codes of the accounts app."""

from __future__ import annotations

from enum import StrEnum


class AccountsError(StrEnum):
    """The stable error codes the accounts app raises (the API contract): each member is the
    code string itself."""

    ACCOUNT_ACCESS_CODE_INVALID = "account.access_code_invalid"
    ACCOUNT_BINDING_NOT_ALLOWED = "account.binding_not_allowed"
    ACCOUNT_CAPABILITY_MISSING = "account.capability_missing"
    ACCOUNT_FORBIDDEN = "account.forbidden"
    ACCOUNT_FULL_NAME_REQUIRED = "account.full_name_required"
    ACCOUNT_NOT_APPLICANT = "account.not_applicant"
    ACCOUNT_PASSWORD_WEAK = "account.password_weak"
    ACCOUNT_PHONE_MISSING = "account.phone_missing"
    ACCOUNT_PHONE_TAKEN_BY_STAFF = "account.phone_taken_by_staff"
    ACCOUNT_POST_REQUIRED = "account.post_required"
    ACCOUNT_PROVIDER_REQUIRED = "account.provider_required"
    ACCOUNT_REGENCY_OUTSIDE_PROVINCE = "account.regency_outside_province"
    ACCOUNT_ROLE_NOT_STAFF = "account.role_not_staff"
    ACCOUNT_SMS_QUOTA = "account.sms_quota"
    ACCOUNT_USERNAME_INVALID = "account.username_invalid"
    ACCOUNT_USERNAME_TAKEN = "account.username_taken"
    AUTH_CSRF_FAILED = "auth.csrf_failed"
    REGENCY_FORBIDDEN = "regency.forbidden"
    REGENCY_NOT_FOUND = "regency.not_found"
