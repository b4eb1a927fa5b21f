from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from prakerja.regions import selectors
from prakerja.regions.models import District, Province, Regency, Village

router = Router()


class RegionOut(Schema):
    code: str
    name: str


class RegencyFilter(Schema):
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Kode provinsi, mis. 35")


class DistrictFilter(Schema):
    regency: str = Field(..., pattern=r"^\d{4}$", description="Kode kabupaten/kota, mis. 3578")


class VillageFilter(Schema):
    district: str = Field(..., pattern=r"^\d{6}$", description="Kode kecamatan, mis. 357801")


@router.get("/provinces", response=list[RegionOut], summary="Daftar provinsi")
def provinces(request: HttpRequest) -> QuerySet[Province]:
    return selectors.province_list()


@router.get("/regencies", response=list[RegionOut], summary="Daftar kabupaten/kota")
def regencies(request: HttpRequest, filters: Query[RegencyFilter]) -> QuerySet[Regency]:
    return selectors.regency_list(province_code=filters.province)


@router.get("/districts", response=list[RegionOut], summary="Daftar kecamatan")
def districts(request: HttpRequest, filters: Query[DistrictFilter]) -> QuerySet[District]:
    return selectors.district_list(regency_code=filters.regency)


@router.get("/villages", response=list[RegionOut], summary="Daftar desa/kelurahan")
def villages(request: HttpRequest, filters: Query[VillageFilter]) -> QuerySet[Village]:
    return selectors.village_list(district_code=filters.district)
