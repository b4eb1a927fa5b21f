"""The course catalogue: operators of verified providers write courses and batches, Disnaker
curates, applicants browse; through services, HTTP pages and the API."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_provider, make_user, sign_in_with_totp
from prakerja.accounts.tokens import api_token_create
from prakerja.core.errors import ApplicationError
from prakerja.notifications.models import OutboxMessage
from prakerja.training.demo_courses import training_demo_courses
from prakerja.training.models import Course, CourseBatch, Provider
from prakerja.training.selectors import CatalogueFilter, catalogue_courses
from prakerja.training.services import courses as services

pytestmark = pytest.mark.django_db
SURABAYA, MALANG = "3578", "3573"


def _input(**fields: Any) -> services.CourseInput:
    values: dict[str, Any] = {
        "title": "Pemasaran Digital untuk UMKM",
        "field": "marketing",
        "mode": "online",
        "hours": 24,
        "price": 750_000,
        "description": "Belajar beriklan di media sosial dan mengelola toko daring dari nol.",
    }
    values.update(fields)
    return services.CourseInput(**values)


def _operator(status: str = Provider.Status.VERIFIED, regency: str = SURABAYA) -> User:
    provider = make_provider(regency_code=regency, status=status, contact_phone="+6281234567890")
    return make_user(role=Role.PROVIDER, provider=provider)


def _start() -> date:
    return timezone.localdate() + timedelta(days=10)


def _published(operator: User, **fields: Any) -> Course:
    course = services.course_create(actor=operator, data=_input(**fields))
    services.batch_create(
        actor=operator, course_id=course.pk, starts_on=_start(), ends_on=_start(), seats=5
    )
    services.course_submit(actor=operator, course_id=course.pk)
    manager = make_user(role=Role.MANAGER)
    return services.course_publish(actor=manager, course_id=course.pk)


def test_a_verified_providers_course_goes_from_draft_through_curation_to_the_catalogue(
    django_capture_on_commit_callbacks: Any,
) -> None:
    operator = _operator()
    course = services.course_create(actor=operator, data=_input())
    assert course.status == Course.Status.DRAFT
    with pytest.raises(ApplicationError) as no_batch:
        services.course_submit(actor=operator, course_id=course.pk)
    assert no_batch.value.code == "course.no_batch"
    services.batch_create(
        actor=operator, course_id=course.pk, starts_on=_start(), ends_on=_start(), seats=5
    )
    services.course_submit(actor=operator, course_id=course.pk)
    assert list(catalogue_courses(filters=CatalogueFilter())) == []

    curator = make_user(role=Role.DATA_OFFICER, regency_code=SURABAYA)
    with django_capture_on_commit_callbacks(execute=True):
        published = services.course_publish(actor=curator, course_id=course.pk)
    assert published.status == Course.Status.PUBLISHED
    assert published.published_by == curator
    assert list(catalogue_courses(filters=CatalogueFilter())) == [course]
    assert course.history.first().history_user == curator  # type: ignore[attr-defined]
    told = OutboxMessage.objects.filter(recipient="+6281234567890", body__contains="terbit")
    assert told.exists()


@pytest.mark.parametrize(
    "status",
    [s for s in Provider.Status.values if s != Provider.Status.VERIFIED],
)
def test_only_a_verified_provider_may_offer_courses(status: str) -> None:
    operator = _operator(status=status)
    with pytest.raises(ApplicationError) as refused:
        services.course_create(actor=operator, data=_input())
    assert refused.value.code == "course.provider_not_verified"
    assert refused.value.status == 409
    assert not Course.objects.exists()


def test_an_operator_cannot_touch_another_providers_course() -> None:
    course = _published(_operator())
    intruder = _operator()
    with pytest.raises(ApplicationError) as refused:
        services.course_update(actor=intruder, course_id=course.pk, data=_input(price=1))
    assert refused.value.status == 403
    with pytest.raises(ApplicationError):
        services.batch_create(
            actor=intruder, course_id=course.pk, starts_on=_start(), ends_on=_start(), seats=3
        )
    course.refresh_from_db()
    assert course.price == 750_000
    assert course.batches.count() == 1


def test_a_regency_officer_curates_only_their_regency(
    django_capture_on_commit_callbacks: Any,
) -> None:
    operator = _operator(regency=SURABAYA)
    course = services.course_create(actor=operator, data=_input())
    services.batch_create(
        actor=operator, course_id=course.pk, starts_on=_start(), ends_on=_start(), seats=5
    )
    services.course_submit(actor=operator, course_id=course.pk)
    malang_officer = make_user(role=Role.DATA_OFFICER, regency_code=MALANG)
    with pytest.raises(ApplicationError) as refused:
        services.course_publish(actor=malang_officer, course_id=course.pk)
    assert refused.value.status == 403
    province_officer = make_user(role=Role.DATA_OFFICER)
    with django_capture_on_commit_callbacks(execute=True):
        services.course_send_back(
            actor=province_officer, course_id=course.pk, reason="Tempat praktik belum jelas."
        )
    course.refresh_from_db()
    assert (course.status, course.status_reason) == ("returned", "Tempat praktik belum jelas.")
    assert OutboxMessage.objects.filter(body__contains="Tempat praktik belum jelas").exists()


def test_sending_back_needs_a_reason() -> None:
    course = _published(_operator())
    Course.objects.filter(pk=course.pk).update(status=Course.Status.SUBMITTED)
    with pytest.raises(ApplicationError) as refused:
        services.course_send_back(
            actor=make_user(role=Role.MANAGER), course_id=course.pk, reason=" "
        )
    assert refused.value.code == "course.reason_required"


def test_changing_a_published_courses_content_sends_it_back_to_curation() -> None:
    operator = _operator()
    course = _published(operator)
    services.course_update(actor=operator, course_id=course.pk, data=_input(price=900_000))
    course.refresh_from_db()
    assert course.status == Course.Status.SUBMITTED
    assert list(catalogue_courses(filters=CatalogueFilter())) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "Abc"}, "title"),
        ({"price": -1}, "price"),
        ({"hours": 0}, "hours"),
        ({"mode": "offline", "place": ""}, "place"),
        ({"field": "astrology"}, "field"),
        ({"description": "pendek"}, "description"),
    ],
)
def test_bad_course_input_is_refused_with_its_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        services.course_create(actor=_operator(), data=_input(**fields))
    assert refused.value.field == field
    assert not Course.objects.exists()


def test_batches_start_in_the_future_and_never_shrink_below_the_seats_taken() -> None:
    operator = _operator()
    course = services.course_create(actor=operator, data=_input())
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as past:
        services.batch_create(
            actor=operator, course_id=course.pk, starts_on=today, ends_on=today, seats=5
        )
    assert past.value.code == "batch.starts_in_past"
    with pytest.raises(ApplicationError) as reversed_dates:
        services.batch_create(
            actor=operator,
            course_id=course.pk,
            starts_on=_start(),
            ends_on=_start() - timedelta(days=1),
            seats=5,
        )
    assert reversed_dates.value.code == "batch.dates_invalid"
    batch = services.batch_create(
        actor=operator, course_id=course.pk, starts_on=_start(), ends_on=_start(), seats=5
    )
    CourseBatch.objects.filter(pk=batch.pk).update(seats_taken=4)
    with pytest.raises(ApplicationError) as shrink:
        services.batch_update(
            actor=operator, batch_id=batch.pk, starts_on=_start(), ends_on=_start(), seats=3
        )
    assert shrink.value.code == "batch.seats_below_taken"
    batch.refresh_from_db()
    assert batch.seats == 5


def test_catalogue_filters_by_field_mode_regency_price_and_text() -> None:
    surabaya = _operator(regency=SURABAYA)
    malang = _operator(regency=MALANG)
    online = _published(surabaya)
    offline = _published(
        malang,
        title="Barista Kedai Kopi",
        field="culinary",
        mode="offline",
        place="Jl. Ijen 1, Malang",
        price=1_000_000,
    )

    def found(**fields: Any) -> set[int]:
        return {c.pk for c in catalogue_courses(filters=CatalogueFilter(**fields))}

    assert found() == {online.pk, offline.pk}
    assert found(field="culinary") == {offline.pk}
    assert found(mode="online") == {online.pk}
    assert found(regency_id=MALANG) == {online.pk, offline.pk}  # online is open everywhere
    assert found(regency_id=SURABAYA) == {online.pk}
    assert found(max_price=800_000) == {online.pk}
    assert found(text="barista") == {offline.pk}
    # A course whose batches have all started leaves the catalogue.
    CourseBatch.objects.filter(course=offline).update(starts_on=timezone.localdate())
    assert found() == {online.pk}


def test_catalogue_pages_work_on_a_phone_without_signing_in() -> None:
    course = _published(_operator())
    client = Client()
    page = client.get("/pelatihan/", {"field": "marketing", "max_price": "1.000.000"})
    assert page.status_code == 200
    body = page.content.decode()
    assert course.title in body
    assert "Rp 750.000" in body
    detail = client.get(f"/pelatihan/{course.pk}/")
    assert detail.status_code == 200
    assert "Sisa 5 kursi" in detail.content.decode()
    assert client.get("/pelatihan/999999/").status_code == 404


def test_operator_and_curator_pages() -> None:
    operator = _operator()
    client = Client()
    sign_in_with_totp(client, operator)
    created = client.post(
        "/pelatihan/lembaga/pelatihan/baru/",
        {
            "title": "Barista",
            "field": "culinary",
            "mode": "offline",
            "hours": "40",
            "price": "1000000",
            "language": "id",
            "place": "",
            "description": "Belajar meracik kopi dan mengelola kedai dari awal.",
        },
    )
    assert created.status_code == 400
    body = created.content.decode()
    assert "error-summary" in body and 'href="#id_place"' in body
    assert not Course.objects.exists()
    created = client.post(
        "/pelatihan/lembaga/pelatihan/baru/",
        {
            "title": "Barista Kedai Kopi",
            "field": "culinary",
            "mode": "offline",
            "hours": "40",
            "price": "1000000",
            "language": "id",
            "place": "Jl. Darmo 1",
            "description": "Belajar meracik kopi dan mengelola kedai dari awal.",
        },
    )
    course = Course.objects.get()
    assert created.status_code == 302
    start = _start().isoformat()
    client.post(
        f"/pelatihan/lembaga/pelatihan/{course.pk}/",
        {"action": "batch", "starts_on": start, "ends_on": start, "seats": "12"},
    )
    client.post(f"/pelatihan/lembaga/pelatihan/{course.pk}/", {"action": "submit"})
    course.refresh_from_db()
    assert course.status == Course.Status.SUBMITTED

    curator = Client()
    sign_in_with_totp(curator, make_user(role=Role.DATA_OFFICER, regency_code=SURABAYA))
    queue = curator.get("/pelatihan/kurasi/")
    assert "Barista Kedai Kopi" in queue.content.decode()
    review = curator.get(f"/pelatihan/kurasi/{course.pk}/")
    assert "Rp 1.000.000" in review.content.decode()
    curator.post(f"/pelatihan/kurasi/{course.pk}/", {"action": "publish"})
    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED

    intruder = Client()
    sign_in_with_totp(intruder, _operator())
    assert intruder.get(f"/pelatihan/lembaga/pelatihan/{course.pk}/").status_code == 403


def _api(user: User) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {api_token_create(user=user)}"}


def test_api_catalogue_operator_and_curation() -> None:
    operator = _operator()
    client, headers = _api(operator)
    body = {
        "title": "Desain Grafis Dasar",
        "field": "digital",
        "mode": "online",
        "hours": 32,
        "price": 600000,
        "description": "Membuat poster dan konten media sosial.",
    }
    created = client.post(
        "/api/v1/courses/mine", json.dumps(body), content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    course_id = created.json()["id"]
    start = _start().isoformat()
    batch = client.post(
        f"/api/v1/courses/mine/{course_id}/batches",
        json.dumps({"starts_on": start, "ends_on": start, "seats": 8}),
        content_type="application/json",
        headers=headers,
    )
    assert batch.status_code == 201
    assert (
        client.post(f"/api/v1/courses/mine/{course_id}/submit", headers=headers).status_code == 200
    )

    curator, curator_headers = _api(make_user(role=Role.MANAGER))
    published = curator.post(
        f"/api/v1/courses/curation/{course_id}/publish", headers=curator_headers
    )
    assert published.json()["status"] == "published"
    listing = Client().get("/api/v1/courses/catalogue", {"field": "digital"})
    assert [c["id"] for c in listing.json()["results"]] == [course_id]
    detail = Client().get(f"/api/v1/courses/catalogue/{course_id}").json()
    assert detail["batches"][0]["seats_left"] == 8

    intruder, intruder_headers = _api(_operator())
    refused = intruder.put(
        f"/api/v1/courses/mine/{course_id}",
        json.dumps(body),
        content_type="application/json",
        headers=intruder_headers,
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "course.forbidden"


def test_demo_catalogue_is_idempotent_and_shows_every_state() -> None:
    first = training_demo_courses()
    assert training_demo_courses() == first
    statuses = set(Course.objects.values_list("status", flat=True))
    assert statuses == {"published", "submitted", "returned"}
    assert catalogue_courses(filters=CatalogueFilter()).count() >= 10
