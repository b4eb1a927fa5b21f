"""Error codes of the identity app."""

from __future__ import annotations

from enum import StrEnum


class IdentityError(StrEnum):
    """The stable error codes the identity app raises (the API contract): each member is the
    code string itself."""

    PHONE_INVALID = "phone.invalid"
    PHONE_NOT_INDONESIAN = "phone.not_indonesian"
    PHONE_NOT_MOBILE = "phone.not_mobile"
    KK_LENGTH = "kk.length"
    KK_NON_DIGIT = "kk.non_digit"
    KK_PROVINCE_UNKNOWN = "kk.province_unknown"
    NAME_CHARACTERS = "name.characters"
    NAME_CONTROL_CHARACTERS = "name.control_characters"
    NAME_DIGITS = "name.digits"
    NAME_FORMULA = "name.formula"
    NAME_MARKUP = "name.markup"
    NAME_NO_LETTERS = "name.no_letters"
    NAME_TOO_LONG = "name.too_long"
    NIK_BIRTH_DATE_MISMATCH = "nik.birth_date_mismatch"
    NIK_DATE_INVALID = "nik.date_invalid"
    NIK_GENDER_MISMATCH = "nik.gender_mismatch"
    NIK_LENGTH = "nik.length"
    NIK_NON_DIGIT = "nik.non_digit"
    NIK_PROVINCE_UNKNOWN = "nik.province_unknown"
    NIK_SERIAL_ZERO = "nik.serial_zero"
    PERSON_BUSY = "person.busy"
