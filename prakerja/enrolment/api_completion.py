"""Completion, certificates, ratings and the managers' table over the API (django-ninja),
mounted at ``/api/v1/training``. Thin: parse, call one service or selector."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from prakerja.accounts.auth import API_AUTH
from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.api_schemas import ErrorOut
from prakerja.enrolment import selectors_stats
from prakerja.enrolment.services import certificates, completion, ratings

router = Router(auth=API_AUTH)
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 413, 422, 429)}
Id = Annotated[int, Path(ge=1, le=2**62)]


def _actor(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class CompletionIn(Schema):
    attendance_percent: int = Field(..., ge=0, le=100)
    final_score: int = Field(..., ge=0, le=100)


class CompletionOut(Schema):
    enrolment: int
    status: str
    final_score: int | None
    certificate: str | None


class CsvIn(Schema):
    csv: str = Field(..., max_length=1_000_000, description="id_pendaftaran,kehadiran,nilai")


class UploadOut(Schema):
    completed: int
    failed: int


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=1000)


class CertificateOut(Schema):
    number: str
    name_masked: str
    course: str
    provider: str
    completed_on: datetime


class ReportRow(Schema):
    key: str
    name: str
    seats_offered: int
    enrolled: int
    completed: int
    revoked: int
    average_rating: float | None


class ReportQuery(Schema):
    per: str = Field("regency", pattern="^(regency|provider)$")


@router.post("/enrolments/{enrolment_id}/completion", response={200: CompletionOut, **ERRORS})
def completion_record(request: HttpRequest, enrolment_id: Id, payload: CompletionIn) -> Any:
    """The provider records attendance and the final score (completion or not passed)."""
    enrolment = completion.completion_record(
        actor=_actor(request),
        enrolment_id=enrolment_id,
        attendance_percent=payload.attendance_percent,
        final_score=payload.final_score,
    )
    certificate = getattr(enrolment, "certificate", None)
    return {
        "enrolment": enrolment.pk,
        "status": enrolment.status,
        "final_score": enrolment.final_score,
        "certificate": certificate.number if certificate else None,
    }


@router.post("/batches/{batch_id}/completions", response={200: UploadOut, **ERRORS})
def completion_upload(request: HttpRequest, batch_id: Id, payload: CsvIn) -> Any:
    """A whole batch as CSV text, all or nothing (the refusal lists every bad row)."""
    result = completion.completion_upload(
        actor=_actor(request), batch_id=batch_id, content=payload.csv.encode()
    )
    return {"completed": result.completed, "failed": result.failed}


@router.post("/enrolments/{enrolment_id}/rating", response={201: RatingIn, **ERRORS})
def rating_create(request: HttpRequest, enrolment_id: Id, payload: RatingIn) -> Any:
    rating = ratings.rating_create(
        actor=_actor(request),
        enrolment_id=enrolment_id,
        stars=payload.stars,
        comment=payload.comment,
    )
    return Status(201, {"stars": rating.stars, "comment": rating.comment})


@router.get("/certificates/{number}", response={200: CertificateOut, **ERRORS}, auth=None)
def certificate_verify(request: HttpRequest, number: Annotated[str, Path(max_length=32)]) -> Any:
    """Public check of a certificate number: masked name, course, provider, date."""
    public = certificates.certificate_verify(number=number)
    return {
        "number": public.number,
        "name_masked": public.name_masked,
        "course": public.course,
        "provider": public.provider,
        "completed_on": public.completed_on,
    }


@router.get("/report", response={200: list[ReportRow], **ERRORS})
def report(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    """Seats offered, enrolled, completed, revoked (per provider: cancelled), average rating."""
    actor_require(_actor(request), Capability.REPORT_VIEW)
    scope = selectors_stats.regency_scope(_actor(request))
    rows = (
        selectors_stats.training_by_provider(regency_ids=scope)
        if query.per == "provider"
        else selectors_stats.training_by_regency(regency_ids=scope)
    )
    return [row.__dict__ for row in rows]
