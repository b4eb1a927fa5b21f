"""A body that fails the API's schema is told in Indonesian, per field, in the API's own error
shape, without echoing the value (``core.request_errors``, ``config.api``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from prakerja.core.request_errors import (
    request_error_field,
    request_error_message,
    request_errors,
)
from prakerja.identity.tests.factories import NIK_WOMAN_SURABAYA


class _Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=5)
    count: int = Field(ge=1)
    kind: str = Field(pattern="^(a|b)$")
    tags: list[str] = Field(default_factory=list, max_length=2)

    @field_validator("name")
    @classmethod
    def _not_admin(cls, value: str) -> str:
        if value == "admin":
            raise ValueError("Nama ini tidak boleh dipakai.")
        return value


def _errors(data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as raised:
        _Sample.model_validate(data)
    return request_errors(raised.value.errors())


def test_each_error_gets_a_code_an_indonesian_message_and_its_field() -> None:
    errors = _errors(
        {"name": "panjang sekali", "count": 0, "kind": "a", "tags": ["x", "y", "z"], "extra": 1}
    )

    assert {e["field"]: (e["code"], e["message"]) for e in errors} == {
        "name": ("request.string_too_long", "Maksimal 5 karakter."),
        "count": ("request.greater_than_equal", "Paling kecil 1."),
        "tags": ("request.too_long", "Maksimal 2 butir."),
        "extra": ("request.extra_forbidden", "Isian ini tidak dikenal. Periksa ejaan namanya."),
    }


def test_a_missing_field_and_a_wrong_type() -> None:
    errors = _errors({"count": "banyak", "kind": "a"})

    assert {e["field"]: e["message"] for e in errors} == {
        "name": "Wajib diisi.",
        "count": "Harus berupa bilangan bulat.",
    }


def test_a_validators_own_message_is_kept() -> None:
    errors = _errors({"name": "admin", "count": 1, "kind": "a"})

    assert errors == [
        {"code": "request.value_error", "message": "Nama ini tidak boleh dipakai.", "field": "name"}
    ]


def test_choices_are_listed_in_indonesian() -> None:
    message = request_error_message(
        {"type": "literal_error", "ctx": {"expected": "'L' or 'P'"}, "loc": ("gender",)}
    )

    assert message == "Pilihan tidak dikenal. Pilihan yang ada: 'L' atau 'P'."


@pytest.mark.parametrize(
    "error",
    [
        {"type": "some_future_type", "loc": ("x",)},
        {"type": "string_too_long", "loc": ("x",), "ctx": {}},  # no max_length to name
        {"loc": ("x",)},
    ],
)
def test_an_error_it_does_not_know_still_gets_a_message(error: dict[str, Any]) -> None:
    assert request_error_message(error) == "Isian tidak valid."
    assert request_errors([error])[0]["field"] == "x"


@pytest.mark.parametrize(
    ("location", "field"),
    [
        (("body", "payload", "steps", "contact", "email"), "steps.contact.email"),
        (("body", "payload", "tags", 2), "tags.2"),
        (("query", "page"), "page"),
        (("body", "payload"), "payload"),
        ((), None),
    ],
)
def test_the_field_is_the_clients_own_key(location: tuple[Any, ...], field: str | None) -> None:
    assert request_error_field(location) == field


@pytest.mark.django_db
def test_the_api_answers_422_in_indonesian_without_echoing_the_nik() -> None:
    # The NIK sent as a number instead of a string: before, pydantic's "input" sent it back.
    response = Client().post(
        "/api/v1/nik/check",
        json.dumps({"nik": int(NIK_WOMAN_SURABAYA), "birth_date": "17-08-1990"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "request.invalid"
    assert body["message"] == "Permintaan tidak valid: periksa kembali isian yang dikirim."
    assert body["field"] == "nik"
    assert body["errors"] == [
        {"code": "request.string_type", "message": "Harus berupa teks.", "field": "nik"},
        {
            # The schema's own check (no Unix timestamps), with the same words as pydantic's.
            "code": "request.value_error",
            "message": "Harus berupa tanggal dengan format TTTT-BB-HH, mis. 2026-04-17.",
            "field": "birth_date",
        },
    ]
    assert NIK_WOMAN_SURABAYA.encode() not in response.content
    assert b"msg" not in response.content and b"input" not in response.content


def test_every_message_has_its_english_translation() -> None:
    """The API answers in English when asked (``Accept-Language: en``): no message of the
    table is left in Indonesian (the English catalogue, ``locale/en``)."""
    from django.utils import translation

    from prakerja.core.request_errors import _texts

    indonesian = _texts()
    with translation.override("en"):
        english = _texts()
    untranslated = sorted({text for kind, text in indonesian.items() if english[kind] == text})
    assert untranslated == []
    assert english["missing"] == "Required."
