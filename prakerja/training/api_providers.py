"""Providers over the API (django-ninja), mounted at ``/api/v1/providers``: the operator's own
institution (details, capacity, submission) and the verification queue and decisions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import Field

from prakerja.accounts.auth import API_AUTH
from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.api_schemas import ErrorOut
from prakerja.training import selectors
from prakerja.training.models import Provider
from prakerja.training.services import providers as services

router = Router(auth=API_AUTH)
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 415, 422)}
Id = Annotated[int, Path(ge=1, le=2**62)]


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class ProviderOut(Schema):
    id: int
    name: str
    kind: str
    regency: str
    address: str
    sisnaker_number: str
    accreditation: str
    yearly_capacity: int
    capacities: dict[str, int]
    status: str
    status_reason: str


class ProviderIn(Schema):
    name: str = Field(..., max_length=200)
    kind: str = Field(..., max_length=3)
    address: str = Field(..., max_length=300)
    sisnaker_number: str = Field("", max_length=50)
    accreditation: str = Field("none", max_length=4)
    contact_phone: str = Field("", max_length=20)
    contact_email: str = Field("", max_length=254)


class CapacityIn(Schema):
    capacities: dict[str, Annotated[int, Field(ge=0, le=100_000)]] = Field(..., max_length=20)


class ReviewIn(Schema):
    decision: str = Field(..., pattern="^(approve|request_changes|reject)$")
    documents_valid: bool = False
    site_visited_on: date | None = None
    capacity_plausible: bool = False
    reason: str = Field("", max_length=500)


def _out(provider: Provider) -> dict[str, Any]:
    return {
        "id": provider.pk,
        "name": provider.name,
        "kind": provider.kind,
        "regency": provider.regency_id,
        "address": provider.address,
        "sisnaker_number": provider.sisnaker_number,
        "accreditation": provider.accreditation,
        "yearly_capacity": provider.yearly_capacity,
        "capacities": {c.field: c.yearly_capacity for c in provider.capacities.all()},
        "status": provider.status,
        "status_reason": provider.status_reason,
    }


@router.get("/mine", response={200: ProviderOut, **ERRORS})
def mine(request: HttpRequest) -> Any:
    return _out(services.provider_of_operator(_actor(request)))


@router.put("/mine", response={200: ProviderOut, **ERRORS})
def mine_update(request: HttpRequest, payload: ProviderIn) -> Any:
    return _out(
        services.provider_update(
            actor=_actor(request), data=services.ProviderInput(**payload.dict())
        )
    )


@router.put("/mine/capacity", response={200: ProviderOut, **ERRORS})
def mine_capacity(request: HttpRequest, payload: CapacityIn) -> Any:
    return _out(
        services.provider_capacity_set(actor=_actor(request), capacities=payload.capacities)
    )


@router.post("/mine/submit", response={200: ProviderOut, **ERRORS})
def mine_submit(request: HttpRequest) -> Any:
    return _out(services.provider_submit(actor=_actor(request)))


@router.get("/queue", response={200: list[ProviderOut], **ERRORS})
def queue(request: HttpRequest) -> Any:
    actor_require(_actor(request), Capability.PROVIDER_VERIFY)
    return [_out(p) for p in selectors.verification_queue(actor=_actor(request))]


@router.post("/{provider_id}/review", response={200: ProviderOut, **ERRORS})
def review(request: HttpRequest, provider_id: Id, payload: ReviewIn) -> Any:
    """Approve (checklist complete; a second, different staff member verifies), ask for
    changes, or reject (both with a reason the operator sees)."""
    provider = services.provider_review(
        actor=_actor(request),
        provider_id=provider_id,
        decision=payload.decision,
        checklist=services.Checklist(
            documents_valid=payload.documents_valid,
            site_visited_on=payload.site_visited_on,
            capacity_plausible=payload.capacity_plausible,
        ),
        reason=payload.reason,
    )
    return _out(provider)
