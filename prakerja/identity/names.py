"""People's names: one rule for every way a name comes in (registration form and API, the
officer console and call centre, the labour-data import), so they all give the same verdict.

``person_name_check`` normalises with NFKC first, so full-width letters typed on some phone
keyboards ("Ｓｉｔｉ") become the ordinary ones ("Siti") instead of a refusal, and the
ligatures and compatibility forms fold too. Then a name is letters (any script, accents
included) with spaces and the punctuation names really carry: ``' . , -`` (curly apostrophes
become straight ones). Refused, each with its own Indonesian message:

* markup (``<`` or ``>``): the name is shown on staff pages and in exports;
* a first character that makes a spreadsheet cell a formula (``= + - @``): names end up in
  the CSV/XLSX exports the offices open in Excel (OWASP, CSV injection);
* digits, other symbols, control characters, no letter at all, more than 150 characters.
"""

from __future__ import annotations

import unicodedata

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.identity.errors import IdentityError
from prakerja.identity.nik import Issue

NAME_MAX_LENGTH = 150
_PUNCTUATION = frozenset("'.,-")
_FORMULA_START = frozenset("=+-@")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def person_name_normalise(text: str) -> str:
    """NFKC, straight apostrophes, whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return " ".join(text.split())


def _allowed(char: str) -> bool:
    category = unicodedata.category(char)
    # Letters of any script, and the combining marks some scripts write letters with.
    return category[0] in {"L", "M"} or char == " " or char in _PUNCTUATION


def person_name_check(text: str) -> tuple[str, Issue | None]:
    """The normalised name and the first problem with it (None when it is a valid name).

    An empty name gives ``("", None)``: whether a name is required is the caller's rule.
    """
    if any(unicodedata.category(char) == "Cc" for char in text if char not in "\t\n\r"):
        return "", Issue(
            IdentityError.NAME_CONTROL_CHARACTERS,
            _("Nama mengandung karakter yang tidak diizinkan."),
        )
    name = person_name_normalise(text)
    if not name:
        return "", None
    if len(name) > NAME_MAX_LENGTH:
        return name, Issue(
            IdentityError.NAME_TOO_LONG,
            format_lazy(_("Nama terlalu panjang (paling banyak {n} karakter)."), n=NAME_MAX_LENGTH),
        )
    if "<" in name or ">" in name:
        return name, Issue(
            IdentityError.NAME_MARKUP, _("Nama tidak boleh berisi tanda < atau > (kode HTML).")
        )
    if name[0] in _FORMULA_START:
        return name, Issue(
            IdentityError.NAME_FORMULA,
            _("Nama tidak boleh diawali tanda =, +, -, atau @. Tulis nama sesuai KTP."),
        )
    if any(char.isdigit() for char in name):
        return name, Issue(IdentityError.NAME_DIGITS, _("Nama tidak boleh berisi angka."))
    if not all(_allowed(char) for char in name):
        return name, Issue(
            IdentityError.NAME_CHARACTERS,
            _(
                "Nama hanya boleh berisi huruf, spasi, dan tanda ' . , - (petik, titik, koma, "
                "tanda hubung)."
            ),
        )
    if not any(unicodedata.category(char)[0] == "L" for char in name):
        return name, Issue(IdentityError.NAME_NO_LETTERS, _("Nama harus berisi huruf."))
    return name, None
