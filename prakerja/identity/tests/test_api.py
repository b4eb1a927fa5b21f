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


def post_json(client: Client, url: str, body: Any) -> tuple[int, dict[str, Any]]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def post_nik(client: Client, body: Any) -> Any:
    return client.post(f"{API}/nik/check", json.dumps(body), content_type="application/json")


def check_nik(client: Client, nik: str, **fields: Any) -> tuple[int, dict[str, Any]]:
    response = post_nik(client, {"nik": nik, **fields})
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def test_it_reads_a_valid_nik_without_echoing_it(client: Client) -> None:
    response = post_nik(client, {"nik": NIK_WOMAN_SURABAYA})

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
    status, body = check_nik(client, "3578013208900000")

    assert status == 200
    assert body["valid"] is False
    assert [error["code"] for error in body["errors"]] == ["nik.date_invalid", "nik.serial_zero"]
    assert body["errors"][1]["message"] == "Empat angka terakhir NIK tidak boleh 0000."
    assert body["birth_date"] is None
    assert body["gender"] is None
    assert "3578013208900000" not in json.dumps(body)


def test_it_compares_the_stated_birth_date_and_gender(client: Client) -> None:
    status, body = check_nik(client, NIK_WOMAN_SURABAYA, birth_date="1990-08-18", gender="L")

    assert status == 200
    assert body["valid"] is True
    assert [w["code"] for w in body["warnings"]] == [
        "nik.birth_date_mismatch",
        "nik.gender_mismatch",
    ]


def test_an_unknown_regency_is_a_warning_in_the_api_too(client: Client) -> None:
    _, body = check_nik(client, "3599015708900001")

    assert body["valid"] is True
    assert [w["code"] for w in body["warnings"]] == ["nik.regency_unknown"]


def test_the_nik_is_no_longer_accepted_in_the_url(client: Client) -> None:
    # NIKs in URLs reach proxy and load-balancer logs that the app cannot mask (issue 11).
    assert client.get(f"{API}/nik/{NIK_WOMAN_SURABAYA}/check").status_code == 404
    assert client.get(f"{API}/nik/check", {"nik": NIK_WOMAN_SURABAYA}).status_code == 405


@pytest.mark.parametrize(
    "nik",
    [
        "\x00",
        "3578015708900001\x00",
        "\x00" * 16,
        "😀\u200b",
        "٣٥٧٨",  # Arabic-Indic digits
        "３５",  # full-width digits
        " ",
        "' OR 1=1--",
        "<script>alert(1)</script>",
        "..",
        "3578.0157.0890.0001",
        "3" * 64,
    ],
)
def test_it_never_fails_on_strange_input(client: Client, nik: str) -> None:
    response = post_nik(client, {"nik": nik})

    assert response.status_code == 200
    assert response.json()["valid"] in {True, False}
    assert b"<script>" not in response.content


@pytest.mark.parametrize("length", [65, 1000, 10_000])
def test_it_refuses_an_overlong_nik_with_422(client: Client, length: int) -> None:
    status, body = check_nik(client, "3" * length)

    assert status == 422
    assert body["code"] == "request.invalid"
    assert body["field"] == "nik"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_date": "17-08-1990"}, "birth_date"),
        ({"birth_date": "0"}, "birth_date"),  # not a Unix timestamp
        ({"birth_date": 0}, "birth_date"),
        ({"birth_date": "1990-02-30"}, "birth_date"),
        ({"gender": "X"}, "gender"),
    ],
)
def test_it_refuses_bad_fields_with_422_without_echoing_the_nik(
    client: Client, fields: dict[str, Any], field: str
) -> None:
    response = post_nik(client, {"nik": NIK_WOMAN_SURABAYA, **fields})

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert NIK_WOMAN_SURABAYA.encode() not in response.content


def test_it_answers_a_body_that_is_not_json_with_400(client: Client) -> None:
    response = client.post(f"{API}/nik/check", "nik=3578", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "request.malformed_body"


@pytest.mark.parametrize("body", [{}, {"nik": None}, {"nik": 3578015708900001}, [], "3578"])
def test_it_refuses_a_body_without_a_nik_string_with_422(client: Client, body: Any) -> None:
    response = post_nik(client, body)

    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_it_checks_a_kk(client: Client) -> None:
    status, body = post_json(client, f"{API}/kk/check", {"kk": KK_SURABAYA})

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
    _, body = post_json(client, f"{API}/kk/check", {"kk": "99780102\x00"})

    assert body["valid"] is False
    assert [e["code"] for e in body["errors"]] == ["kk.length", "kk.non_digit"]


def test_it_normalises_a_phone_number(client: Client) -> None:
    status, body = post_json(client, f"{API}/phone/check", {"number": "+62 812-3456-7890"})

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
    status, body = post_json(client, f"{API}/phone/check", {"number": number})

    assert status == 200
    assert body["valid"] is False
    assert body["e164"] is None
    assert [e["code"] for e in body["errors"]] == [code]


def test_it_refuses_an_overlong_or_missing_phone_number_with_422(client: Client) -> None:
    assert post_json(client, f"{API}/phone/check", {"number": "0" * 65})[0] == 422
    assert post_json(client, f"{API}/phone/check", {})[0] == 422
    # Neither number is ever read from a URL any more.
    assert client.get(f"{API}/phone/check", {"number": "081234567890"}).status_code == 405
    assert client.get(f"{API}/kk/{KK_SURABAYA}/check").status_code == 404


def test_the_openapi_document_declares_the_identity_responses(client: Client) -> None:
    document = client.get(f"{API}/openapi.json").json()
    paths = document["paths"]
    schemas = document["components"]["schemas"]

    assert "/api/v1/nik/{nik}/check" not in paths
    assert set(paths["/api/v1/nik/check"]) == {"post"}
    assert set(paths["/api/v1/nik/check"]["post"]["responses"]) == {"200", "400", "422"}
    assert "/api/v1/kk/{kk}/check" not in paths
    for path in ["/api/v1/kk/check", "/api/v1/phone/check"]:
        assert set(paths[path]) == {"post"}
        assert set(paths[path]["post"]["responses"]) == {"200", "400", "422"}
    nik_check = paths["/api/v1/nik/check"]["post"]
    assert "parameters" not in nik_check or nik_check["parameters"] == []
    nik_ok = nik_check["responses"]["200"]
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
    body_ref = nik_check["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    nik_in = schemas[body_ref.rsplit("/", 1)[1]]
    assert nik_in["required"] == ["nik"]
    assert nik_in["properties"]["nik"]["maxLength"] == 64
