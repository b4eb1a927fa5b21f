"""The course catalogue over the API (django-ninja), mounted at ``/api/v1/courses``: the public
catalogue, the operator's courses and batches, and curation. Thin: parse, call one service or
selector; errors become ``{"code", "message", "field"}`` in ``config.api``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from prakerja.accounts.auth import API_AUTH
from prakerja.accounts.models import User
from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.api_schemas import ErrorOut
from prakerja.training import selectors
from prakerja.training.models import Course
from prakerja.training.services import courses as services

router = Router(auth=API_AUTH)
CourseId = Annotated[int, Path(ge=1, le=2**62)]
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}


class BatchOut(Schema):
    id: int
    starts_on: date
    ends_on: date
    seats: int
    seats_left: int


class CourseOut(Schema):
    id: int
    title: str
    provider: str
    field: str
    mode: str
    regency: str
    place: str
    hours: int
    price: int
    language: str
    description: str
    status: str
    status_reason: str


class CourseDetailOut(CourseOut):
    batches: list[BatchOut]


class CataloguePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CourseOut]


class CatalogueQuery(Schema):
    field: str = Field("", max_length=20, pattern="^[a-z_]*$")
    mode: str = Field("", pattern="^(online|offline|blended)?$")
    regency: str = Field("", pattern="^([0-9]{4})?$")
    max_price: int | None = Field(None, ge=0, le=100_000_000)
    q: str = Field("", max_length=100, pattern="^[^\\x00]*$")
    page: int = Field(1, ge=1, le=100_000)


class CourseIn(Schema):
    title: str = Field(..., max_length=200)
    field: str = Field(..., max_length=20)
    mode: str = Field(..., max_length=10)
    hours: int = Field(..., ge=0, le=100_000)
    price: int = Field(..., ge=-1, le=10_000_000_000)
    description: str = Field(..., max_length=4000)
    language: str = Field(Course.Language.INDONESIAN, max_length=3)
    place: str = Field("", max_length=300)


class BatchIn(Schema):
    starts_on: date
    ends_on: date
    seats: int = Field(..., ge=0, le=1_000_000)


class SendBackIn(Schema):
    reason: str = Field(..., max_length=500)


def _actor(request: HttpRequest) -> Any:
    """The authenticated user (django-ninja sets ``request.auth``)."""
    return request.auth  # type: ignore[attr-defined]


def _course_out(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "title": course.title,
        "provider": course.provider.name,
        "field": course.field,
        "mode": course.mode,
        "regency": course.regency_id,
        "place": course.place,
        "hours": course.hours,
        "price": course.price,
        "language": course.language,
        "description": course.description,
        "status": course.status,
        "status_reason": course.status_reason,
    }


def _batches_out(course: Course) -> list[dict[str, Any]]:
    return [
        {
            "id": b.pk,
            "starts_on": b.starts_on,
            "ends_on": b.ends_on,
            "seats": b.seats,
            "seats_left": b.seats - b.seats_taken,
        }
        for b in course.batches.order_by("starts_on")
    ]


@router.get("/catalogue", response={200: CataloguePage, **ERRORS}, auth=None)
def catalogue(request: HttpRequest, query: Query[CatalogueQuery]) -> dict[str, Any]:
    """Published courses of verified providers with a batch still to start (public)."""
    filters = selectors.CatalogueFilter(
        field=query.field,
        mode=query.mode,
        regency_id=query.regency,
        max_price=query.max_price,
        text=query.q.strip(),
    )
    page = selectors.catalogue_page(filters=filters, page=query.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_course_out(course) for course in page],
    }


@router.get("/catalogue/{course_id}", response={200: CourseDetailOut, **ERRORS}, auth=None)
def catalogue_course(request: HttpRequest, course_id: CourseId) -> dict[str, Any]:
    course = selectors.catalogue_course(course_id=course_id)
    out = _course_out(course)
    out["batches"] = [
        {
            "id": b.pk,
            "starts_on": b.starts_on,
            "ends_on": b.ends_on,
            "seats": b.seats,
            "seats_left": b.seats_left,
        }
        for b in course.upcoming  # type: ignore[attr-defined]
    ]
    return out


@router.get("/mine", response={200: list[CourseDetailOut], **ERRORS})
def my_courses(request: HttpRequest) -> list[dict[str, Any]]:
    """The operator's own courses, every status."""
    actor_require(_actor(request), Capability.PROVIDER_MANAGE_OWN)
    assert isinstance(_actor(request), User)
    return [
        {**_course_out(course), "batches": _batches_out(course)}
        for course in selectors.operator_courses(actor=_actor(request)).select_related("provider")
    ]


def _input(payload: CourseIn) -> services.CourseInput:
    return services.CourseInput(**payload.dict())


@router.post("/mine", response={201: CourseOut, **ERRORS})
def course_create(request: HttpRequest, payload: CourseIn) -> Status[dict[str, Any]]:
    course = services.course_create(actor=_actor(request), data=_input(payload))
    return Status(201, _course_out(course))


@router.put("/mine/{course_id}", response={200: CourseOut, **ERRORS})
def course_update(request: HttpRequest, course_id: CourseId, payload: CourseIn) -> dict[str, Any]:
    course = services.course_update(
        actor=_actor(request), course_id=course_id, data=_input(payload)
    )
    return _course_out(course)


@router.post("/mine/{course_id}/batches", response={201: BatchOut, **ERRORS})
def batch_create(request: HttpRequest, course_id: int, payload: BatchIn) -> Status[dict[str, Any]]:
    batch = services.batch_create(
        actor=_actor(request),
        course_id=course_id,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        seats=payload.seats,
    )
    return Status(
        201,
        {
            "id": batch.pk,
            "starts_on": batch.starts_on,
            "ends_on": batch.ends_on,
            "seats": batch.seats,
            "seats_left": batch.seats - batch.seats_taken,
        },
    )


@router.post("/mine/{course_id}/submit", response={200: CourseOut, **ERRORS})
def course_submit(request: HttpRequest, course_id: CourseId) -> dict[str, Any]:
    return _course_out(services.course_submit(actor=_actor(request), course_id=course_id))


@router.get("/curation", response={200: list[CourseOut], **ERRORS})
def curation_queue(request: HttpRequest) -> list[dict[str, Any]]:
    actor_require(_actor(request), Capability.PROVIDER_VERIFY)
    return [_course_out(course) for course in selectors.curation_queue(actor=_actor(request))]


@router.post("/curation/{course_id}/publish", response={200: CourseOut, **ERRORS})
def course_publish(request: HttpRequest, course_id: CourseId) -> dict[str, Any]:
    return _course_out(services.course_publish(actor=_actor(request), course_id=course_id))


@router.post("/curation/{course_id}/send-back", response={200: CourseOut, **ERRORS})
def course_send_back(
    request: HttpRequest, course_id: CourseId, payload: SendBackIn
) -> dict[str, Any]:
    return _course_out(
        services.course_send_back(actor=_actor(request), course_id=course_id, reason=payload.reason)
    )
