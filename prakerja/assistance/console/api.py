"""Officer console API: the exact lookup across posts, idempotent (``Idempotency-Key``).

A POST rather than a GET because the NIK must not travel in a URL (access logs, proxies) and
because every lookup writes a ``PersonalDataAccess`` row: a retried request with the same key
answers from the first response instead of logging the look twice.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.security import django_auth
from pydantic import Field

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import actor_role
from prakerja.assistance.console.selectors import MaskedSummary
from prakerja.assistance.console.services import console_search
from prakerja.assistance.errors import AssistanceError
from prakerja.core.errors import PermissionDenied
from prakerja.core.idempotency import idempotent

router = Router(auth=django_auth)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None


class LookupIn(Schema):
    query: str = Field(
        ...,
        min_length=1,
        max_length=64,
        description="NIK (16 angka), nomor HP, atau nomor pendaftaran (mis. PJ-7K3M-9Q2X)",
    )


class LookupResultOut(Schema):
    reference: str
    name_masked: str = Field(..., description="Nama tersamar, mis. Bu*** Sa***")
    status: str
    regency: str
    own_post: bool = Field(..., description="Didampingi di posko petugas sendiri")


class LookupOut(Schema):
    results: list[LookupResultOut]


@router.post(
    "/lookups",
    response={200: LookupOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="Cari pendaftar (petugas posko)",
)
@idempotent
def lookup(request: HttpRequest, payload: LookupIn) -> LookupOut:
    actor = request.auth  # type: ignore[attr-defined]
    if actor_role(actor) not in (Role.OFFICER, Role.SUPERADMIN):
        raise PermissionDenied(AssistanceError.CONSOLE_FORBIDDEN, _("Hanya untuk petugas posko."))
    assert isinstance(actor, User)
    result = console_search(actor=actor, text=payload.query)
    rows = [
        LookupResultOut(**vars(MaskedSummary.of(registration)), own_post=True)
        for registration in result.own
    ] + [LookupResultOut(**vars(summary), own_post=False) for summary in result.elsewhere]
    return LookupOut(results=rows)
