"""The one date reader and the one phone normaliser of an import, shape by shape."""

from __future__ import annotations

from datetime import date

import pytest

from prakerja.core.errors import ApplicationError
from prakerja.identity.phones import phone_normalise
from prakerja.labourdata.validation import date_parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-04-11", date(2020, 4, 11)),
        ("2020-04-11 00:00:00", date(2020, 4, 11)),
        ("11/04/2020", date(2020, 4, 11)),
        ("11.04.2020", date(2020, 4, 11)),
        ("17 Agustus 1990", date(1990, 8, 17)),
        ("17-Agt-1990", date(1990, 8, 17)),
        ("33102", date(1990, 8, 17)),
        ("31/02/2020", None),
        ("17 Bulan 1990", None),
        ("1990", None),
        ("", None),
    ],
)
def test_it_reads_every_date_shape_an_office_writes(text: str, expected: date | None) -> None:
    assert date_parse(text) == expected


@pytest.mark.parametrize(
    "text", ["0812-3456-7890", "62 812 3456 7890", "+62 (812) 3456.7890", "81234567890"]
)
def test_it_reads_a_listed_mobile_in_its_common_shapes(text: str) -> None:
    assert phone_normalise(text, from_list=True) == "+6281234567890"


def test_a_number_that_lost_its_leading_zero_is_accepted_from_a_list_only() -> None:
    assert phone_normalise("81234567890", from_list=True) == "+6281234567890"
    assert phone_normalise("0812 3456 7890") == "+6281234567890"


def test_a_landline_in_a_list_gets_the_same_message_as_in_registration() -> None:
    with pytest.raises(ApplicationError) as listed:
        phone_normalise("031 5678901", from_list=True)
    with pytest.raises(ApplicationError) as typed:
        phone_normalise("031 5678901")
    assert listed.value.code == typed.value.code == "phone.not_mobile"
    assert str(listed.value.message) == (
        "Nomor ini bukan nomor HP, misalnya nomor telepon rumah atau kantor. Gunakan "
        "nomor HP yang dapat menerima SMS, misalnya 0812 3456 7890."
    )
