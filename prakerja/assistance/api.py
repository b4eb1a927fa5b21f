from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from prakerja.assistance import selectors
from prakerja.assistance.selectors import PublicPost

router = Router()


class PostOut(Schema):
    code: str
    name: str
    kind: str
    regency_code: str
    regency_name: str
    opening_hours: str
    address: str | None = Field(description="Kosong bila alamat posko tidak dipublikasikan.")


class PostFilter(Schema):
    regency: str | None = Field(None, pattern=r"^\d{4}$", description="Kode kabupaten/kota")


@router.get("", response=list[PostOut], summary="Daftar posko pendampingan")
def posts(request: HttpRequest, filters: Query[PostFilter]) -> list[PublicPost]:
    return selectors.post_public_list(regency_code=filters.regency)
