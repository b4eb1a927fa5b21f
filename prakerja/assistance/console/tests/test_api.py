"""The console lookup API, and through it the Idempotency-Key protocol on a real endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.assistance.console.tests.conftest import NIK_BUDI, PHONE_BUDI
from prakerja.core.models import IdempotencyRecord
from prakerja.identity.models import PersonalDataAccess
from prakerja.registry.models import Registration

URL = "/api/v1/petugas/lookups"


def post(client: Client, body: dict[str, str], key: str | None = None) -> Any:
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def ani(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def test_it_returns_a_masked_summary_of_another_post_and_logs_it(
    ani: Client, officer: User, malang_registration: Registration
) -> None:
    response = post(ani, {"query": NIK_BUDI})
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "reference": malang_registration.reference,
                "name_masked": "Bu*** Sa***",
                "status": "draft",
                "regency": "Kota Malang",
                "own_post": False,
            }
        ]
    }
    content = response.content.decode()
    assert NIK_BUDI not in content
    assert PHONE_BUDI[3:] not in content
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.person, access.reference, access.purpose, access.found) == (
        officer,
        malang_registration.person,
        malang_registration.reference,
        "cross_post_lookup",
        True,
    )


def test_it_replays_the_first_response_for_the_same_key_and_body(
    ani: Client, malang_registration: Registration
) -> None:
    first = post(ani, {"query": malang_registration.reference}, key="lookup-1")
    second = post(ani, {"query": malang_registration.reference}, key="lookup-1")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    # Ran once: one lookup, one log row.
    assert PersonalDataAccess.objects.count() == 1
    assert IdempotencyRecord.objects.get().status == "done"


def test_it_treats_reordered_json_as_the_same_body(
    ani: Client, malang_registration: Registration
) -> None:
    body = f'{{"query": "{malang_registration.reference}"}}'
    ani.post(URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    again = ani.post(URL, f"  {body}\n", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 200
    assert PersonalDataAccess.objects.count() == 1


def test_it_refuses_the_same_key_with_another_body(
    ani: Client, malang_registration: Registration
) -> None:
    post(ani, {"query": malang_registration.reference}, key="lookup-2")
    response = post(ani, {"query": NIK_BUDI}, key="lookup-2")
    assert response.status_code == 422
    assert response.json() == {
        "code": "idempotency.key_reused",
        "message": "Kunci Idempotency-Key ini sudah dipakai untuk permintaan dengan isi yang "
        "berbeda. Gunakan kunci baru untuk permintaan baru.",
        "field": "Idempotency-Key",
    }
    assert PersonalDataAccess.objects.count() == 1


def test_it_answers_409_while_the_first_request_is_running(
    ani: Client, officer: User, malang_registration: Registration
) -> None:
    # What a concurrent duplicate sees: the first request's claim, not yet done.
    post(ani, {"query": malang_registration.reference}, key="lookup-3")
    IdempotencyRecord.objects.update(status="in_progress")
    response = post(ani, {"query": malang_registration.reference}, key="lookup-3")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency.in_progress"


def test_it_refuses_a_malformed_key(ani: Client) -> None:
    response = post(ani, {"query": NIK_BUDI}, key="bad key!")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency.key_invalid"


def test_it_runs_every_time_without_a_key(ani: Client, malang_registration: Registration) -> None:
    post(ani, {"query": malang_registration.reference})
    post(ani, {"query": malang_registration.reference})
    assert PersonalDataAccess.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_it_releases_the_key_when_the_request_fails(ani: Client) -> None:
    response = post(ani, {"query": "bukan apa-apa"}, key="lookup-4")
    assert response.status_code == 400
    assert response.json()["code"] == "console.query_invalid"
    # A 4xx from the service is the answer to this body and is kept …
    assert post(ani, {"query": "bukan apa-apa"}, key="lookup-4").content == response.content


def test_it_does_not_keep_a_refusal_so_a_retry_after_signing_in_works(
    client: Client, officer: User, malang_registration: Registration
) -> None:
    refused = post(client, {"query": malang_registration.reference}, key="lookup-5")
    assert refused.status_code == 401
    assert not IdempotencyRecord.objects.exists()


def test_it_refuses_an_applicant(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    response = post(client, {"query": NIK_BUDI}, key="x")
    assert response.status_code == 403
    assert not IdempotencyRecord.objects.exists()


def test_the_openapi_document_declares_the_key_and_the_409(client: Client) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/petugas/lookups"][
        "post"
    ]
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= operation["parameters"][
        -1
    ].items()
    assert {"200", "409", "422"} <= set(operation["responses"])
