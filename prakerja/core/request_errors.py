"""A request body or parameter that fails schema validation, told in Indonesian.

django-ninja hands the API pydantic's errors (``type``, ``loc``, an English ``msg``, the
``input`` that failed). The API answers 422 in its one error shape (``config.api``), and each
entry of its ``errors`` list takes the shape of an ``ApplicationError``'s: ``code`` (stable:
``request.`` and pydantic's error type), ``message`` (Indonesian, for a person) and ``field``
(the JSON key the client sent, dotted: ``steps.contact.email``). The value that failed is not
echoed back: it may be a NIK.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

# Location parts that name where a value came from, not the client's own keys.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def _texts() -> dict[str, str]:
    """pydantic's error types (pydantic-core) and what they mean for the person who filled the
    form; ``{…}`` takes the error's context (``ctx``). Built per call: ``gettext`` follows the
    request's language."""
    whole_number = _("Harus berupa bilangan bulat.")
    number = _("Harus berupa angka.")
    boolean = _("Harus berupa true atau false.")
    date = _("Harus berupa tanggal dengan format TTTT-BB-HH, mis. 2026-04-17.")
    moment = _("Harus berupa tanggal dan jam (ISO 8601), mis. 2026-04-17T09:30:00+07:00.")
    choice = _("Pilihan tidak dikenal. Pilihan yang ada: {expected}.")
    obj = _("Harus berupa objek JSON.")
    return {
        "missing": _("Wajib diisi."),
        "extra_forbidden": _("Isian ini tidak dikenal. Periksa ejaan namanya."),
        "string_type": _("Harus berupa teks."),
        "string_too_short": _("Minimal {min_length} karakter."),
        "string_too_long": _("Maksimal {max_length} karakter."),
        "string_pattern_mismatch": _("Formatnya tidak sesuai."),
        "string_unicode": _("Teksnya tidak dapat dibaca (bukan UTF-8)."),
        "int_type": whole_number,
        "int_parsing": whole_number,
        "int_from_float": whole_number,
        "float_type": number,
        "float_parsing": number,
        "decimal_type": number,
        "decimal_parsing": number,
        "finite_number": number,
        "bool_type": boolean,
        "bool_parsing": boolean,
        "date_type": date,
        "date_parsing": date,
        "date_from_datetime_parsing": date,
        "date_from_datetime_inexact": date,
        "datetime_type": moment,
        "datetime_parsing": moment,
        "datetime_from_date_parsing": moment,
        "timezone_aware": _("Sertakan zona waktunya, mis. +07:00."),
        "time_type": _("Harus berupa jam dengan format JJ:MM."),
        "time_parsing": _("Harus berupa jam dengan format JJ:MM."),
        "greater_than": _("Harus lebih dari {gt}."),
        "greater_than_equal": _("Paling kecil {ge}."),
        "less_than": _("Harus kurang dari {lt}."),
        "less_than_equal": _("Paling besar {le}."),
        "too_short": _("Minimal {min_length} butir."),
        "too_long": _("Maksimal {max_length} butir."),
        "list_type": _("Harus berupa daftar (array JSON)."),
        "dict_type": obj,
        "model_type": obj,
        "model_attributes_type": obj,
        "literal_error": choice,
        "enum": choice,
        "uuid_type": _("Harus berupa UUID."),
        "uuid_parsing": _("Harus berupa UUID."),
        "url_type": _("Harus berupa alamat URL."),
        "url_parsing": _("Harus berupa alamat URL."),
        "json_invalid": _("Badan permintaan bukan JSON yang sah."),
        "json_type": _("Badan permintaan bukan JSON yang sah."),
    }


def request_error_field(location: Iterable[Any]) -> str | None:
    """The dotted JSON key the client sent. A body field's location is ("body", <the view's
    parameter name>, key…): the parameter name is the API's own, so it is left out."""
    parts = list(location)
    if len(parts) > 2 and parts[0] == "body":
        parts = parts[2:]
    named = [str(part) for part in parts if part not in _SOURCES]
    return ".".join(named) or None


def request_error_message(error: Mapping[str, Any]) -> str:
    """One pydantic error in Indonesian."""
    kind = str(error.get("type", ""))
    context = dict(error.get("ctx") or {})
    if kind in {"value_error", "assertion_error"} and context.get("error"):
        # Raised by a schema's own validator, whose message is already the one to show.
        return str(context["error"])
    text = _texts().get(kind)
    if text is None:
        return _("Isian tidak valid.")
    if "expected" in context:
        context["expected"] = str(context["expected"]).replace(" or ", " " + _("atau") + " ")
    try:
        return text.format(**context)
    except (KeyError, IndexError, ValueError):
        # A context without the value the text names: say it without the number.
        return _("Isian tidak valid.")


def request_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """pydantic's errors as the API's error entries: code, Indonesian message, field."""
    return [
        {
            "code": f"request.{error.get('type') or 'invalid'}",
            "message": request_error_message(error),
            "field": request_error_field(error.get("loc", ())),
        }
        for error in errors
    ]
