"""Indonesian mobile numbers, from what people type to E.164.

An applicant account is a phone number verified by SMS (SPEC §3.2), so only numbers that can
receive an SMS are accepted: Indonesian mobiles. People type ``0812…``, ``62812…``,
``+62 812-3456-7890`` or ``0812.3456.7890``; all become ``+6281234567890``.
"""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.identity.errors import IdentityError

REGION = "ID"
COUNTRY_CODE = 62
# Longer than any number with spaces and dashes; a longer string is not a phone number, and
# the cap keeps the parser's work bounded.
MAX_INPUT_LENGTH = 64
# The shapes of an Indonesian mobile an office's list holds, read without the phonenumbers
# parser: an import of a hundred thousand rows would spend most of its phone checks in it.
_LIST_MOBILE = re.compile(r"^(?:\+?62|0)(8[1-9]\d{7,10})$")
_LIST_SEPARATORS = re.compile(r"[\s().-]+")
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def _invalid() -> ApplicationError:
    return ApplicationError(
        IdentityError.PHONE_INVALID,
        _("Nomor HP tidak valid. Tulis nomor HP Anda, misalnya 0812 3456 7890."),
        field="phone",
    )


def phone_normalise(text: str, *, from_list: bool = False) -> str:
    """The E.164 form (``+62…``) of an Indonesian mobile number, or ``ApplicationError``.

    ``from_list``: a number from an uploaded list (labourdata). Its common shapes are taken by
    their form alone, and a number that lost its leading zero to a number-formatted Excel cell
    (``8123456789``) is accepted; anything else goes through the parser as typed numbers do.
    """
    if from_list:
        compact = _LIST_SEPARATORS.sub("", text)
        match = _LIST_MOBILE.match(compact)
        if match:
            return f"+62{match.group(1)}"
        if compact.isdigit() and compact.startswith("8") and 9 <= len(compact) <= 12:
            return f"+62{compact}"
    text = text.strip()
    if not text or len(text) > MAX_INPUT_LENGTH or "\x00" in text:
        raise _invalid()
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        raise _invalid() from None
    if number.country_code != COUNTRY_CODE:
        raise ApplicationError(
            IdentityError.PHONE_NOT_INDONESIAN,
            _("Gunakan nomor HP Indonesia (+62), misalnya 0812 3456 7890."),
            field="phone",
        )
    # An extension means an office switchboard, which cannot receive the verification SMS.
    if number.extension or not phonenumbers.is_valid_number(number):
        raise _invalid()
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ApplicationError(
            IdentityError.PHONE_NOT_MOBILE,
            _(
                "Nomor ini bukan nomor HP, misalnya nomor telepon rumah atau kantor. Gunakan "
                "nomor HP yang dapat menerima SMS, misalnya 0812 3456 7890."
            ),
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_mask(text: str) -> str:
    """``+6281234567890`` → ``+62*******890``, the same shape the log formatter writes.

    The number of hidden digits is fixed so the mask does not give away the length either.
    """
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    if len(digits) < 6:
        return "*" * len(digits)
    return f"+62*******{digits[-3:]}"
