from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from prakerja.identity.tests.factories import KK_SURABAYA, NIK_WOMAN_SURABAYA

API = "/api/v1"


@pytest.fixture
def client() -> Client:
    return Client()


def get_json(client: Client, url: str, **params: Any) -> tuple[int, dict[str, Any]]:
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def test_it_reads_a_valid_nik_without_echoing_it(client: Client) -> None:
    response = client.get(f"{API}/nik/{NIK_WOMAN_SURABAYA}/check")

    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "nik_masked": "3578********0001",
        "province_code": "35",
        "regency_code": "3578",
        "district_code": "357801",
        "birth_date": "1990-08-17",
        "gender": "P",
        "errors": [],
        "warnings": [],
    }
    assert NIK_WOMAN_SURABAYA.encode() not in response.content


def test_it_answers_a_malformed_nik_with_valid_false_and_reasons(client: Client) -> None:
    status, body = get_json(client, f"{API}/nik/3578013208900000/check")

    assert status == 200
    assert body["valid"] is False
    assert [error["code"] for error in body["errors"]] == ["nik.date_invalid", "nik.serial_zero"]
    assert body["errors"][1]["message"] == "Empat angka terakhir NIK tidak boleh 0000."
    assert body["birth_date"] is None
    assert body["gender"] is None
    assert "3578013208900000" not in json.dumps(body)


def test_it_compares_the_stated_birth_date_and_gender(client: Client) -> None:
    status, body = get_json(
        client, f"{API}/nik/{NIK_WOMAN_SURABAYA}/check", birth_date="1990-08-18", gender="L"
    )

    assert status == 200
    assert body["valid"] is True
    assert [w["code"] for w in body["warnings"]] == [
        "nik.birth_date_mismatch",
        "nik.gender_mismatch",
    ]


def test_an_unknown_regency_is_a_warning_in_the_api_too(client: Client) -> None:
    _, body = get_json(client, f"{API}/nik/3599015708900001/check")

    assert body["valid"] is True
    assert [w["code"] for w in body["warnings"]] == ["nik.regency_unknown"]


@pytest.mark.parametrize(
    "path_part",
    [
        "%00",
        "3578015708900001%00",
        "%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00",
        "%F0%9F%98%80%E2%80%8B",
        "%D9%A3%D9%A5%D9%A7%D9%A8",  # Arabic-Indic digits
        "%EF%BC%93%EF%BC%95",  # full-width digits
        "%ff%fe%fd",  # not UTF-8
        "%20",
        "'%20OR%201=1--",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "..",
        "3578.0157.0890.0001",
        "3" * 64,
    ],
)
def test_it_never_fails_on_strange_input(client: Client, path_part: str) -> None:
    response = client.get(f"{API}/nik/{path_part}/check")

    assert response.status_code in {200, 404}
    if response.status_code == 200:
        assert response.json()["valid"] in {True, False}
    assert b"<script>" not in response.content


@pytest.mark.parametrize("length", [65, 1000, 10_000])
def test_it_refuses_an_overlong_path_with_422(client: Client, length: int) -> None:
    status, body = get_json(client, f"{API}/nik/{'3' * length}/check")

    assert status == 422
    assert body["code"] == "request.invalid"
    assert body["field"] == "nik"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"birth_date": "17-08-1990"}, "birth_date"),
        ({"birth_date": "0"}, "birth_date"),  # not a Unix timestamp
        ({"birth_date": "1990-02-30"}, "birth_date"),
        ({"gender": "X"}, "gender"),
    ],
)
def test_it_refuses_bad_query_parameters_with_422_without_echoing_the_nik(
    client: Client, params: dict[str, str], field: str
) -> None:
    response = client.get(f"{API}/nik/{NIK_WOMAN_SURABAYA}/check", params)

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert NIK_WOMAN_SURABAYA.encode() not in response.content


def test_it_checks_a_kk(client: Client) -> None:
    status, body = get_json(client, f"{API}/kk/{KK_SURABAYA}/check")

    assert status == 200
    assert body == {
        "valid": True,
        "kk_masked": "3578********0007",
        "province_code": "35",
        "regency_code": "3578",
        "district_code": "357801",
        "errors": [],
        "warnings": [],
    }
    assert KK_SURABAYA not in json.dumps(body)


def test_it_answers_a_malformed_kk_with_valid_false(client: Client) -> None:
    _, body = get_json(client, f"{API}/kk/99780102%00/check")

    assert body["valid"] is False
    assert [e["code"] for e in body["errors"]] == ["kk.length", "kk.non_digit"]


def test_it_normalises_a_phone_number(client: Client) -> None:
    status, body = get_json(client, f"{API}/phone/check", number="+62 812-3456-7890")

    assert status == 200
    assert body == {
        "valid": True,
        "e164": "+6281234567890",
        "masked": "+62*******890",
        "errors": [],
    }


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("031-8293097", "phone.not_mobile"),
        ("+1 650 253 0000", "phone.not_indonesian"),
        ("garbage", "phone.invalid"),
        ("\x00", "phone.invalid"),
        ("", "phone.invalid"),
    ],
)
def test_it_explains_why_a_phone_number_is_refused(client: Client, number: str, code: str) -> None:
    status, body = get_json(client, f"{API}/phone/check", number=number)

    assert status == 200
    assert body["valid"] is False
    assert body["e164"] is None
    assert [e["code"] for e in body["errors"]] == [code]


def test_it_refuses_an_overlong_or_missing_phone_number_with_422(client: Client) -> None:
    assert client.get(f"{API}/phone/check", {"number": "0" * 65}).status_code == 422
    assert client.get(f"{API}/phone/check").status_code == 422


def test_the_openapi_document_declares_the_identity_responses(client: Client) -> None:
    document = client.get(f"{API}/openapi.json").json()
    paths = document["paths"]
    schemas = document["components"]["schemas"]

    for path in ["/api/v1/nik/{nik}/check", "/api/v1/kk/{kk}/check", "/api/v1/phone/check"]:
        responses = paths[path]["get"]["responses"]
        assert set(responses) == {"200", "422"}
    nik_ok = paths["/api/v1/nik/{nik}/check"]["get"]["responses"]["200"]
    assert nik_ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NikCheckOut"
    }
    assert set(schemas["NikCheckOut"]["properties"]) == {
        "valid",
        "nik_masked",
        "province_code",
        "regency_code",
        "district_code",
        "birth_date",
        "gender",
        "errors",
        "warnings",
    }
    assert set(schemas["IssueOut"]["properties"]) == {"code", "message"}
    nik_parameter = paths["/api/v1/nik/{nik}/check"]["get"]["parameters"][0]
    assert nik_parameter["schema"]["maxLength"] == 64
