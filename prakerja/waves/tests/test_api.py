"""The waves API: a wave, a dry run, a second manager's approval, an applicant's result."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.accounts.tokens import api_token_create
from prakerja.registry.models import Programme
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves.models import SelectionRun, WaveEntry
from prakerja.waves.services import selection_run_execute
from prakerja.waves.tests.population import Applicant, closed_wave, registrations_make

pytestmark = pytest.mark.django_db

API = "/api/v1/waves"


class Api:
    def __init__(self, user: User) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token_create(user=user)}"}

    def call(self, method: str, url: str, body: Any = None) -> tuple[int, Any]:
        response = getattr(self.client, method)(
            url,
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers=self.headers,
        )
        assert response["Content-Type"].startswith("application/json"), response.content[:300]
        return response.status_code, response.json()


@pytest.fixture
def programme(db: None) -> Programme:
    return registry_seed_load().programme


def _wave_body(**fields: Any) -> dict[str, Any]:
    opens_at = timezone.now() - timedelta(days=1)
    return {
        "name": "Gelombang 1",
        "opens_at": opens_at.isoformat(),
        "closes_at": (opens_at + timedelta(days=7)).isoformat(),
        "total_quota": 10,
        "regency_quotas": {"3578": 7, "3573": 3},
        **fields,
    }


def test_a_manager_creates_opens_and_closes_a_wave(manager: User, programme: Programme) -> None:
    api = Api(manager)
    status, wave = api.call("post", API, _wave_body())
    assert status == 201, wave
    assert wave["status"] == "draft" and wave["number"] == 1
    assert {q["regency"]: q["quota"] for q in wave["quotas"]} == {"3578": 7, "3573": 3}
    status, wave = api.call("put", f"{API}/{wave['id']}/quotas", {"regency_quotas": {"3578": 10}})
    assert status == 200 and [q["quota"] for q in wave["quotas"]] == [10]
    assert api.call("post", f"{API}/{wave['id']}/open")[1]["status"] == "open"
    assert api.call("post", f"{API}/{wave['id']}/close")[1]["status"] == "closed"
    status, waves = api.call("get", API)
    assert status == 200 and [w["id"] for w in waves] == [wave["id"]]


def test_quotas_that_do_not_add_up_answer_400_with_the_reason(
    manager: User, programme: Programme
) -> None:
    status, body = Api(manager).call(
        "post", API, _wave_body(regency_quotas={"3578": 1}, total_quota=543000)
    )
    assert status == 400
    assert body == {
        "code": "waves.quota_sum_mismatch",
        "message": "Jumlah kuota kabupaten/kota (1) tidak sama dengan kuota total gelombang "
        "(543.000).",
        "field": "regency_quotas",
    }


def test_an_applicant_cannot_create_a_wave(programme: Programme) -> None:
    (registration,) = registrations_make(programme, [Applicant()])
    status, body = Api(registration.user).call("post", API, _wave_body())
    assert status == 403 and body["code"] == "account.capability_missing"


def test_unknown_ids_answer_404(manager: User, programme: Programme) -> None:
    api = Api(manager)
    assert api.call("get", f"{API}/999999")[0] == 404
    assert api.call("get", f"{API}/99999999999999999999999")[0] == 404
    assert api.call("get", f"{API}/runs/999999")[0] == 404
    assert api.call("post", f"{API}/runs/999999/approve")[0] == 404


def test_dry_run_approval_by_another_manager_and_publication(
    manager: User, programme: Programme
) -> None:
    registrations = registrations_make(programme, [Applicant() for _ in range(5)])
    wave = closed_wave(programme, {"3578": 2}, registrations)
    creator, approver = Api(manager), Api(make_user(role=Role.MANAGER))

    status, run = creator.call("post", f"{API}/{wave.pk}/runs", {"seed": "umum-2020"})
    assert status == 201 and run["seed"] == "umum-2020" and run["status"] == "queued"
    status, body = creator.call("post", f"{API}/{wave.pk}/runs", {})
    assert status == 400 and body["code"] == "selection.run_in_progress"
    selection_run_execute(run_id=run["id"])  # the job

    status, regencies = creator.call("get", f"{API}/runs/{run['id']}/regencies")
    assert status == 200
    assert regencies == [
        {
            "regency": "3578",
            "regency_name": "Kota Surabaya",
            "quota": 2,
            "eligible": 5,
            "selected": 2,
            "reserved_seats": 0,
            "reserved_used": 0,
        }
    ]
    status, body = creator.call("post", f"{API}/runs/{run['id']}/publish")
    assert (status, body["code"]) == (400, "selection.not_approved")
    status, body = creator.call("post", f"{API}/runs/{run['id']}/approve")
    assert (status, body["code"]) == (400, "selection.same_approver")
    status, body = approver.call("post", f"{API}/runs/{run['id']}/approve")
    assert status == 200 and body["status"] == "approved"
    status, body = approver.call("post", f"{API}/runs/{run['id']}/publish")
    assert status == 200 and body["status"] == "published"
    assert len(body["result_hash"]) == 64

    # Each applicant reads their own result, and only theirs.
    selected_entry = WaveEntry.objects.get(wave=wave, registration=registrations[0])
    status, mine = Api(registrations[0].user).call("get", f"{API}/me/result")
    assert status == 200
    assert mine["result"] == selected_entry.status
    assert mine["wave"] == wave.pk and mine["regency_quota"] == 2
    assert mine["category"] == "laid_off" and mine["rank_in_regency"] in range(1, 6)


def test_an_applicant_cannot_read_runs(programme: Programme, manager: User) -> None:
    wave = closed_wave(programme, {"3578": 1}, registrations_make(programme, [Applicant()]))
    run = SelectionRun.objects.create(
        wave=wave, created_by=manager, seed="x", seed_published_at=timezone.now()
    )
    (registration,) = registrations_make(programme, [Applicant()])
    status, body = Api(registration.user).call("get", f"{API}/runs/{run.pk}/regencies")
    assert (status, body["code"]) == (403, "account.capability_missing")


def test_an_applicant_joins_the_open_wave(manager: User, programme: Programme) -> None:
    api = Api(manager)
    wave_id = api.call("post", API, _wave_body(regency_quotas={"3578": 10}))[1]["id"]
    api.call("post", f"{API}/{wave_id}/open")
    (registration,) = registrations_make(programme, [Applicant()])
    status, body = Api(registration.user).call("post", f"{API}/{wave_id}/join")
    assert status == 200 and body == {"wave": wave_id, "status": "joined", "missing_items": []}
    status, body = Api(registration.user).call("get", f"{API}/me/result")
    assert body["result"] == "joined" and body["next_steps"] == ["wait_announcement"]


def test_anonymous_requests_answer_401(db: None) -> None:
    assert Client().get(API).status_code == 401
