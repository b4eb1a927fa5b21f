from __future__ import annotations

import pytest
from django import forms

from prakerja.identity.forms import KkField, NikField, PhoneField
from prakerja.identity.tests.factories import KK_SURABAYA, NIK_WOMAN_SURABAYA


class RegistrationForm(forms.Form):
    nik = NikField()
    kk = KkField(required=False)
    phone = PhoneField()


def test_it_cleans_the_numbers_people_type() -> None:
    form = RegistrationForm(
        {"nik": "3578 0157 0890 0001", "kk": "3578.0102.0115.0007", "phone": "0812-3456-7890"}
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "nik": NIK_WOMAN_SURABAYA,
        "kk": KK_SURABAYA,
        "phone": "+6281234567890",
    }


@pytest.mark.parametrize(
    ("field", "value", "code", "message"),
    [
        (
            "nik",
            "3578015708900000",
            "nik.serial_zero",
            "Empat angka terakhir NIK tidak boleh 0000.",
        ),
        ("nik", "12345", "nik.length", "NIK harus terdiri dari 16 angka, yang diisi 5 karakter."),
        ("kk", "9978010201150007", "kk.province_unknown", None),
        ("phone", "031-8293097", "phone.not_mobile", None),
        ("phone", "+1 650 253 0000", "phone.not_indonesian", None),
    ],
)
def test_it_refuses_a_bad_number_with_its_code_and_indonesian_message(
    field: str, value: str, code: str, message: str | None
) -> None:
    data = {"nik": NIK_WOMAN_SURABAYA, "phone": "081234567890", field: value}
    form = RegistrationForm(data)

    assert not form.is_valid()
    assert form.has_error(field, code)
    if message:
        assert form.errors[field] == [message]


def test_a_warning_does_not_stop_the_form() -> None:
    form = RegistrationForm({"nik": "3599015708900001", "phone": "081234567890"})

    assert form.is_valid(), form.errors


def test_the_fields_are_required_unless_said_otherwise() -> None:
    form = RegistrationForm({"nik": "", "kk": "", "phone": ""})

    assert not form.is_valid()
    assert form.has_error("nik", "required")
    assert form.has_error("phone", "required")
    assert "kk" not in form.errors


def test_the_widgets_ask_for_the_right_keyboard() -> None:
    html = str(RegistrationForm()["nik"]) + str(RegistrationForm()["phone"])

    assert 'inputmode="numeric"' in html
    assert 'type="tel"' in html
    assert 'autocomplete="tel"' in html
