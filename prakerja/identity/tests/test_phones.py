from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prakerja.core.errors import ApplicationError
from prakerja.identity.phones import phone_mask, phone_normalise


@pytest.mark.parametrize(
    "typed",
    [
        "081234567890",
        "0812 3456 7890",
        "0812-3456-7890",
        "0812.3456.7890",
        "62812 3456 7890",
        "6281234567890",
        "+6281234567890",
        "+62 812-3456-7890",
        "+62 (812) 3456-7890",
        "  081234567890  ",
    ],
)
def test_it_turns_what_people_type_into_e164(typed: str) -> None:
    assert phone_normalise(typed) == "+6281234567890"


def test_it_accepts_other_operators_prefixes() -> None:
    assert phone_normalise("0856-1234-5678") == "+6285612345678"
    assert phone_normalise("0811 3000 000") == "+628113000000"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("031-8293097", "phone.not_mobile"),
        ("(031) 8280254", "phone.not_mobile"),
        ("+62 21 5555 1234", "phone.not_mobile"),
        ("+1 650 253 0000", "phone.not_indonesian"),
        ("+44 7911 123456", "phone.not_indonesian"),
        ("garbage", "phone.invalid"),
        ("", "phone.invalid"),
        ("   ", "phone.invalid"),
        ("08123", "phone.invalid"),
        ("0812345678901234567", "phone.invalid"),
        ("0812 3456 7890 ext. 12", "phone.invalid"),
        ("0812\x0034567890", "phone.invalid"),
        ("0812" * 20, "phone.invalid"),
    ],
)
def test_it_rejects_anything_but_an_indonesian_mobile_number(typed: str, code: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        phone_normalise(typed)

    assert caught.value.code == code
    assert caught.value.field == "phone"


def test_it_explains_the_rejection_in_indonesian() -> None:
    messages = {}
    for typed in ["abc", "+1 650 253 0000", "031-8293097"]:
        with pytest.raises(ApplicationError) as caught:
            phone_normalise(typed)
        messages[caught.value.code] = str(caught.value.message)

    assert messages == {
        "phone.invalid": "Nomor HP tidak valid. Tulis nomor HP Anda, misalnya 0812 3456 7890.",
        "phone.not_indonesian": "Gunakan nomor HP Indonesia (+62), misalnya 0812 3456 7890.",
        "phone.not_mobile": (
            "Nomor ini bukan nomor HP, misalnya nomor telepon rumah atau kantor. Gunakan nomor "
            "HP yang dapat menerima SMS, misalnya 0812 3456 7890."
        ),
    }


def test_the_error_does_not_carry_the_number() -> None:
    with pytest.raises(ApplicationError) as caught:
        phone_normalise("031-8293097")

    assert "8293097" not in str(caught.value)
    assert "8293097" not in str(caught.value.as_dict())


def test_it_masks_all_but_the_last_three_digits() -> None:
    assert phone_mask("+6281234567890") == "+62*******890"
    assert phone_mask("+628113000000") == "+62*******000"
    assert phone_mask("12") == "**"


@given(st.text(max_size=100))
def test_it_either_normalises_or_raises_an_application_error(typed: str) -> None:
    try:
        e164 = phone_normalise(typed)
    except ApplicationError as exc:
        assert exc.code in {"phone.invalid", "phone.not_indonesian", "phone.not_mobile"}
    else:
        assert e164.startswith("+628")
        assert e164[1:].isdigit()
