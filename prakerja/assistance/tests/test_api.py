from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.assistance.models import Appointment, Post, Slot
from prakerja.assistance.testing import make_applicant, make_appointment, make_slot

pytestmark = pytest.mark.django_db


def test_it_lists_free_slots_of_a_date(
    client: Client, surabaya_post: Post, open_day: dt.date
) -> None:
    response = client.get(
        f"/api/v1/posts/{surabaya_post.code}/slots", {"date": open_day.isoformat()}
    )
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 14
    assert rows[0] | {"id": 0} == {
        "id": 0,
        "date": open_day.isoformat(),
        "start": "08:00",
        "end": "08:30",
        "free": 10,
    }


@pytest.mark.parametrize(
    ("date", "status", "code"),
    [
        ("2026-02-31", 400, "slot.date_invalid"),
        ("2020-01-01", 400, "slot.date_past"),
        ("04-05-2026", 422, "request.invalid"),
        ("2026-05-04\x00", 422, "request.invalid"),
        ("", 422, "request.invalid"),
    ],
)
def test_a_bad_date_is_a_4xx_with_an_indonesian_message(
    client: Client, surabaya_post: Post, date: str, status: int, code: str
) -> None:
    response = client.get(f"/api/v1/posts/{surabaya_post.code}/slots", {"date": date})
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["field"] == "date"


def test_an_invalid_date_has_a_clear_message(client: Client, surabaya_post: Post) -> None:
    response = client.get(f"/api/v1/posts/{surabaya_post.code}/slots", {"date": "2026-02-31"})
    assert response.json()["message"] == (
        "Tanggal tidak valid. Tulis dengan format YYYY-MM-DD, misalnya 2026-05-04."
    )


def test_a_far_date_is_refused(client: Client, surabaya_post: Post) -> None:
    far = timezone.localdate() + dt.timedelta(days=60)
    response = client.get(f"/api/v1/posts/{surabaya_post.code}/slots", {"date": far.isoformat()})
    assert response.status_code == 400
    assert response.json()["code"] == "slot.date_too_far"


@pytest.mark.parametrize("code", ["tidak-ada", "ABC", "a%00b"])
def test_an_unknown_or_malformed_post_code_is_a_4xx(client: Client, code: str) -> None:
    response = client.get(f"/api/v1/posts/{code}/slots", {"date": "2030-01-01"})
    assert response.status_code in (404, 422)


def test_an_applicant_books_and_cancels_through_the_api(
    client: Client, siti: User, surabaya_post: Post, slot: Slot
) -> None:
    Post.objects.filter(pk=surabaya_post.pk).update(address="Jl. Rahasia No. 1")
    client.force_login(siti)
    response = client.post(
        f"/api/v1/posts/{surabaya_post.code}/appointments",
        {"slot_id": slot.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "booked"
    assert body["channel"] == "online"
    assert body["address"] == "Jl. Rahasia No. 1"
    assert body["start"] == "09:00"
    response = client.delete(f"/api/v1/posts/appointments/{body['id']}")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    slot.refresh_from_db()
    assert slot.booked == 0


def test_a_full_slot_is_a_400_with_the_code(
    client: Client, siti: User, surabaya_post: Post, open_day: dt.date
) -> None:
    full = make_slot(surabaya_post, date=open_day, capacity=1, booked=1)
    client.force_login(siti)
    response = client.post(
        f"/api/v1/posts/{surabaya_post.code}/appointments",
        {"slot_id": full.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "appointment.slot_full",
        "message": "Slot ini sudah penuh. Silakan pilih jam lain.",
        "field": "slot",
    }


def test_booking_needs_a_sign_in(client: Client, surabaya_post: Post, slot: Slot) -> None:
    response = client.post(
        f"/api/v1/posts/{surabaya_post.code}/appointments",
        {"slot_id": slot.pk},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_a_slot_of_another_post_is_a_404(
    client: Client, siti: User, malang_post: Post, slot: Slot
) -> None:
    client.force_login(siti)
    response = client.post(
        f"/api/v1/posts/{malang_post.code}/appointments",
        {"slot_id": slot.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "slot.not_found"


@pytest.mark.parametrize(
    "body", ['{"slot_id": 0}', '{"slot_id": 99999999999999999999}', '{"slot_id": "x"}', "[]"]
)
def test_a_malformed_body_is_a_422(
    client: Client, siti: User, surabaya_post: Post, body: str
) -> None:
    client.force_login(siti)
    response = client.post(
        f"/api/v1/posts/{surabaya_post.code}/appointments", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_a_body_that_is_not_json_is_a_400(client: Client, siti: User, surabaya_post: Post) -> None:
    # ninja answers unparseable JSON itself ({"detail": ...}); config.api owns that shape.
    client.force_login(siti)
    response = client.post(
        f"/api/v1/posts/{surabaya_post.code}/appointments", "{", content_type="application/json"
    )
    assert response.status_code == 400


def test_cancelling_someone_elses_appointment_is_a_404(
    client: Client, siti: User, slot: Slot
) -> None:
    appointment = make_appointment(slot, applicant=siti)
    client.force_login(make_applicant())
    response = client.delete(f"/api/v1/posts/appointments/{appointment.pk}")
    assert response.status_code == 404
    assert Appointment.objects.get().status == "booked"


@pytest.mark.parametrize("ident", ["0", "99999999999999999999", "abc"])
def test_a_bad_appointment_id_is_a_422(client: Client, siti: User, ident: str) -> None:
    client.force_login(siti)
    assert client.delete(f"/api/v1/posts/appointments/{ident}").status_code in (404, 422)


def test_the_new_operations_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/posts/{code}/slots"]
    assert "post" in paths["/api/v1/posts/{code}/appointments"]
    assert "delete" in paths["/api/v1/posts/appointments/{id}"]


def test_a_retried_booking_with_the_same_idempotency_key_books_once_with_a_token(
    client: Client, siti: User, surabaya_post: Post, slot: Slot
) -> None:
    from prakerja.accounts.tokens import api_token_create

    headers = {
        "Authorization": f"Bearer {api_token_create(user=siti)}",
        "Idempotency-Key": "booking-0001",
    }
    url = f"/api/v1/posts/{surabaya_post.code}/appointments"
    first = client.post(url, {"slot_id": slot.pk}, content_type="application/json", headers=headers)
    again = client.post(url, {"slot_id": slot.pk}, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    slot.refresh_from_db()
    assert slot.booked == 1
    other = client.post(
        url, {"slot_id": slot.pk + 999}, content_type="application/json", headers=headers
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"
