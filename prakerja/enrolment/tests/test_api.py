"""The participant's API: balance and ledger, quote, enrol, cancel; refusals as 409 JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.enrolment.testing import make_batch, make_participant

pytestmark = pytest.mark.django_db

BASE = "/api/v1/enrolment"


@pytest.fixture
def participant() -> Participant:
    return make_participant()


@pytest.fixture
def api(participant: Participant) -> Client:
    client = Client()
    client.force_login(participant.registration.user)
    return client


def _post(client: Client, path: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post(
        f"{BASE}{path}", body or {}, content_type="application/json", headers=headers
    )


def test_me_gives_the_balance_the_deadline_and_the_ledger(
    api: Client, participant: Participant
) -> None:
    body = api.get(f"{BASE}/me").json()
    assert body["id"] == participant.pk
    assert (body["status"], body["balance"]) == ("active", 1_000_000)
    assert body["registration_reference"] == participant.registration.reference
    assert [(line["reason"], line["amount"]) for line in body["ledger"]] == [("grant", 1_000_000)]
    assert body["enrolments"] == []


def test_someone_not_selected_gets_a_404_with_the_reason() -> None:
    client = Client()
    client.force_login(make_user(role=Role.APPLICANT))
    response = client.get(f"{BASE}/me")
    assert response.status_code == 404
    assert response.json()["code"] == "enrolment.not_participant"


def test_quote_enrol_and_cancel(api: Client, participant: Participant) -> None:
    batch = make_batch(price=450_000, seats=3)

    quote = api.get(f"{BASE}/batches/{batch.pk}/quote").json()
    assert (quote["price"], quote["balance_before"], quote["balance_after"]) == (
        450_000,
        1_000_000,
        550_000,
    )
    assert quote["batch"]["seats_left"] == 3

    enrolled = _post(api, "/enrolments", {"batch_id": batch.pk, "price": 450_000})
    assert enrolled.status_code == 201
    body = enrolled.json()
    assert (body["status"], body["price"], body["balance_after"]) == ("enrolled", 450_000, 550_000)
    assert body["batch"]["seats_left"] == 2

    detail = api.get(f"{BASE}/enrolments/{body['id']}").json()
    assert detail["status"] == "enrolled"

    cancelled = _post(api, f"/enrolments/{body['id']}/cancel")
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["balance_after"]) == (
        "cancelled",
        1_000_000,
    )
    assert cancelled.json()["batch"]["seats_left"] == 3
    again = _post(api, f"/enrolments/{body['id']}/cancel")
    assert again.status_code == 409 and again.json()["code"] == "enrolment.not_cancellable"


def test_a_refusal_is_a_409_with_the_indonesian_reason_and_nothing_written(
    api: Client, participant: Participant
) -> None:
    expensive = make_batch(price=1_200_000)
    response = _post(api, "/enrolments", {"batch_id": expensive.pk})
    assert response.status_code == 409
    assert response.json() == {
        "code": "enrolment.balance_too_low",
        "message": "Saldo pelatihan Anda Rp 1.000.000, tidak cukup untuk harga pelatihan ini "
        "Rp 1.200.000.",
        "field": None,
    }
    assert Enrolment.objects.count() == 0


def test_an_idempotency_key_enrols_once(api: Client) -> None:
    batch = make_batch(price=100_000)
    first = _post(api, "/enrolments", {"batch_id": batch.pk}, **{"Idempotency-Key": "k-1"})
    second = _post(api, "/enrolments", {"batch_id": batch.pk}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Enrolment.objects.count() == 1


def test_another_applicants_enrolment_is_not_found(api: Client) -> None:
    other = make_participant()
    outsider = Client()
    outsider.force_login(other.registration.user)
    batch = make_batch()
    enrolment_id = _post(api, "/enrolments", {"batch_id": batch.pk}).json()["id"]

    assert outsider.get(f"{BASE}/enrolments/{enrolment_id}").status_code == 404
    assert _post(outsider, f"/enrolments/{enrolment_id}/cancel").status_code == 404


def test_the_operations_are_in_the_openapi_document() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {
        f"{BASE}/me",
        f"{BASE}/batches/{{batch_id}}/quote",
        f"{BASE}/enrolments",
        f"{BASE}/enrolments/{{enrolment_id}}",
        f"{BASE}/enrolments/{{enrolment_id}}/cancel",
    } <= set(paths)
