"""Checks for NIK, KK and phone numbers, for forms that validate as people type.

A malformed number is an answer, not a failure: these endpoints return 200 with ``valid: false``
and the reasons. Only a request the schema cannot take (a number longer than 64 characters, a
birth date that is not a date) gets the API's 422. The full NIK/KK is never echoed back. The
NIK check is a POST with the NIK in a JSON body, so the NIK never appears in a URL.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field, field_validator

from prakerja.core.errors import ApplicationError
from prakerja.identity.nik import Issue, kk_mask, kk_parse, nik_mask, nik_parse
from prakerja.identity.phones import phone_mask, phone_normalise

router = Router()

# Generous for "3578 0157 0890 0001" or "3578.0157.0890.0001"; anything longer is not a number
# someone typed by hand.
MAX_NUMBER_INPUT = 64
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class IssueOut(Schema):
    code: str = Field(..., description="Kode tetap, mis. nik.length")
    message: str = Field(..., description="Pesan untuk pengguna, dalam bahasa Indonesia")


class RequestErrorOut(Schema):
    code: str
    message: str
    field: str | None
    errors: list[dict[str, Any]] = []


class NikCheckOut(Schema):
    valid: bool
    nik_masked: str = Field(..., description="NIK tersamar, mis. 3578********0001")
    province_code: str | None
    regency_code: str | None
    district_code: str | None
    birth_date: date | None
    gender: Literal["L", "P"] | None = Field(..., description="L = laki-laki, P = perempuan")
    errors: list[IssueOut]
    warnings: list[IssueOut]


class NikCheckIn(Schema):
    nik: str = Field(
        ...,
        max_length=MAX_NUMBER_INPUT,
        description="NIK yang diketik, mis. 3578015708900001 (spasi dan titik boleh)",
    )
    birth_date: date | None = Field(None, description="Tanggal lahir yang diisi (YYYY-MM-DD)")
    gender: Literal["L", "P"] | None = Field(None, description="Jenis kelamin yang dipilih")

    @field_validator("birth_date", mode="before")
    @classmethod
    def _iso_date_only(cls, value: object) -> object:
        # Pydantic would otherwise read "0" or "1700000000" as a Unix timestamp: a typo in a
        # birth date must be refused, not silently compared as 1 January 1970.
        # The message is the 422's, shown as it is (core.request_errors).
        if (isinstance(value, str) and not _ISO_DATE.fullmatch(value)) or isinstance(
            value, int | float
        ):
            raise ValueError(_("Harus berupa tanggal dengan format TTTT-BB-HH, mis. 2026-04-17."))
        return value


class KkCheckOut(Schema):
    valid: bool
    kk_masked: str
    province_code: str | None
    regency_code: str | None
    district_code: str | None
    errors: list[IssueOut]
    warnings: list[IssueOut]


class KkCheckIn(Schema):
    kk: str = Field(
        ..., max_length=MAX_NUMBER_INPUT, description="Nomor KK yang diketik (16 angka)"
    )


class PhoneCheckIn(Schema):
    number: str = Field(..., max_length=MAX_NUMBER_INPUT, description="Nomor HP, mis. 0812…")


class PhoneCheckOut(Schema):
    valid: bool
    e164: str | None = Field(..., description="Nomor dalam format E.164, mis. +6281234567890")
    masked: str | None
    errors: list[IssueOut]


def _issues(issues: list[Issue]) -> list[dict[str, str]]:
    return [issue.as_dict() for issue in issues]


# POST with the NIK in the body, never in the path or query: URLs end up in proxy and load
# balancer logs that this application cannot mask (issue 11).
@router.post(
    "/nik/check",
    response={200: NikCheckOut, 400: RequestErrorOut, 422: RequestErrorOut},
    summary="Periksa NIK",
    description=(
        "Memeriksa NIK (16 angka) dan membaca wilayah, tanggal lahir, dan jenis kelamin. "
        "NIK dikirim di badan permintaan (JSON), tidak pernah di alamat; badan yang bukan "
        "JSON dijawab 400. "
        "NIK yang salah tetap dijawab 200 dengan valid=false beserta alasannya."
    ),
)
def nik_check(request: HttpRequest, payload: NikCheckIn) -> dict[str, Any]:
    result = nik_parse(
        payload.nik, stated_birth_date=payload.birth_date, stated_gender=payload.gender
    )
    return {
        "valid": result.ok,
        "nik_masked": nik_mask(result.value),
        "province_code": result.province_code,
        "regency_code": result.regency_code,
        "district_code": result.district_code,
        "birth_date": result.birth_date,
        "gender": result.gender,
        "errors": _issues(result.errors),
        "warnings": _issues(result.warnings),
    }


# The KK and the phone number travel in the body too, for the same reason as the NIK.
@router.post(
    "/kk/check",
    response={200: KkCheckOut, 400: RequestErrorOut, 422: RequestErrorOut},
    summary="Periksa nomor KK",
    description=(
        "Memeriksa nomor Kartu Keluarga: 16 angka dengan kode provinsi yang dikenal. Nomor KK "
        "dikirim di badan permintaan (JSON), tidak pernah di alamat."
    ),
)
def kk_check(request: HttpRequest, payload: KkCheckIn) -> dict[str, Any]:
    result = kk_parse(payload.kk)
    return {
        "valid": result.ok,
        "kk_masked": kk_mask(result.value),
        "province_code": result.province_code,
        "regency_code": result.regency_code,
        "district_code": result.district_code,
        "errors": _issues(result.errors),
        "warnings": _issues(result.warnings),
    }


@router.post(
    "/phone/check",
    response={200: PhoneCheckOut, 400: RequestErrorOut, 422: RequestErrorOut},
    summary="Periksa nomor HP",
    description=(
        "Menormalkan nomor HP Indonesia ke format E.164 (+62…). Nomor dikirim di badan "
        "permintaan (JSON), tidak pernah di alamat."
    ),
)
def phone_check(request: HttpRequest, payload: PhoneCheckIn) -> dict[str, Any]:
    try:
        e164 = phone_normalise(payload.number)
    except ApplicationError as exc:
        return {
            "valid": False,
            "e164": None,
            "masked": None,
            "errors": [{"code": exc.code, "message": str(exc.message)}],
        }
    return {"valid": True, "e164": e164, "masked": phone_mask(e164), "errors": []}
