"""Several steps in one PATCH (``PATCH /api/v1/registrations/{reference}``): the API's save of
one wizard page, all or none."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import User
from prakerja.accounts.tokens import api_token_create
from prakerja.identity.models import Person
from prakerja.registry.models import Channel, Registration, TestAnswer
from prakerja.registry.services.registration import registration_start
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import PAGES, STEP_ORDER, Step
from prakerja.registry.tests.conftest import complete_registration, new_applicant
from prakerja.registry.tests.test_api import API, Api, api_data

pytestmark = pytest.mark.django_db


def page_body(programme: Any, page: tuple[Step, ...]) -> dict[str, Any]:
    return {"steps": {step.value: api_data(programme, step) for step in page}}


def test_an_applicant_registers_in_one_patch_per_wizard_page(applicant: User) -> None:
    api = Api(api_token_create(user=applicant))
    status, body = api.call("post", API)
    reference = body["reference"]
    programme = Registration.objects.get(reference=reference).programme

    for page in PAGES:
        status, body = api.call("patch", f"{API}/{reference}", page_body(programme, page))
        assert status == 200, (page, body)
        done = [step for step in STEP_ORDER if step.value not in body["missing_steps"]]
        assert set(page) <= set(done)
    assert body["missing_steps"] == []
    assert body["nik_masked"] == "3578********0001"

    registration = Registration.objects.get(reference=reference)
    assert registration.domicile_district_id == "357801"
    assert registration.test_completed_at is not None
    # One history row per PATCH, naming its steps (plus the draft's creation).
    reasons = list(
        registration.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert "langkah contact, domicile, work, education_disability" in reasons
    assert "langkah consent, test" in reasons

    status, body = api.call("post", f"{API}/{reference}/submit")
    assert status == 200 and body["status"] == "submitted"


def test_all_of_a_registration_in_one_patch(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    api = Api(api_token_create(user=applicant))
    body = {"steps": {s.value: api_data(registration.programme, s) for s in STEP_ORDER}}
    status, answer = api.call("patch", f"{API}/{registration.reference}", body)
    assert status == 200, answer
    assert answer["missing_steps"] == []


def test_one_refused_step_writes_none_and_names_every_error_by_step(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    api = Api(api_token_create(user=applicant))
    programme = registration.programme
    body = {
        "steps": {
            "contact": {**api_data(programme, Step.CONTACT), "phone": "12"},
            "domicile": {**api_data(programme, Step.DOMICILE), "district": "999999"},
            "work": api_data(programme, Step.WORK),
        }
    }
    history_before = registration.history.count()

    status, error = api.call("patch", f"{API}/{registration.reference}", body)

    assert status == 400
    fields = [e["field"] for e in error["errors"]]
    assert any(f.startswith("contact.phone") for f in fields), fields
    assert any(f.startswith("domicile.") for f in fields), fields
    assert error["field"] == fields[0]
    assert all(e["message"] for e in error["errors"])
    registration.refresh_from_db()
    # The valid work step was not kept either: all or none.
    assert registration.employment_status == ""
    assert not registration.phone
    assert registration.history.count() == history_before


def test_a_refused_test_page_keeps_no_answer(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    api = Api(api_token_create(user=applicant))
    programme = registration.programme
    body = {
        "steps": {
            "consent": {"consent": False, "truthfulness": True},
            "test": api_data(programme, Step.TEST),
        }
    }
    status, error = api.call("patch", f"{API}/{registration.reference}", body)
    assert status == 400
    assert error["code"] == "registration.consent_required"
    assert error["field"].startswith("consent")
    assert TestAnswer.objects.filter(registration=registration).count() == 0


def test_a_taken_nik_in_a_group_is_409_and_writes_nothing(applicant: User) -> None:
    registration_submit(actor=applicant, registration=complete_registration(applicant))
    other = new_applicant()
    draft = registration_start(actor=other, user=other)
    counts = (Person.objects.count(), Registration.objects.count())
    body = {
        "steps": {
            "identity": api_data(draft.programme, Step.IDENTITY),
            "contact": api_data(draft.programme, Step.CONTACT),
        }
    }

    status, error = Api(api_token_create(user=other)).call(
        "patch", f"{API}/{draft.reference}", body
    )

    assert status == 409
    assert error["code"] == "registration.nik_taken"
    assert (Person.objects.count(), Registration.objects.count()) == counts
    draft.refresh_from_db()
    assert draft.person_id is None and not draft.phone


def test_the_nik_throttle_applies_to_a_group_with_identity(applicant: User, settings: Any) -> None:
    from prakerja.identity.tests.factories import fake_nik

    settings.NIK_CHANGE_RATE_PER_ACCOUNT = "2/h"
    registration = registration_start(actor=applicant, user=applicant)
    api = Api(api_token_create(user=applicant))
    identity = api_data(registration.programme, Step.IDENTITY)
    statuses = []
    for serial in (11, 12, 13):
        body = {"steps": {"identity": {**identity, "nik": fake_nik(serial=serial)}}}
        statuses.append(api.call("patch", f"{API}/{registration.reference}", body)[0])
    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429


def test_scope_and_state_are_checked(applicant: User, other_officer: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    body = page_body(registration.programme, PAGES[1])
    stranger = Api(api_token_create(user=new_applicant()))
    assert stranger.call("patch", f"{API}/{registration.reference}", body)[0] == 403
    officer = Api(api_token_create(user=other_officer))
    assert officer.call("patch", f"{API}/{registration.reference}", body)[0] == 403
    assert (
        Api(api_token_create(user=applicant)).call("patch", f"{API}/PJ-2222-2222", body)[0] == 404
    )

    submitted = complete_registration(new_applicant())
    owner = Api(api_token_create(user=submitted.user))
    registration_submit(actor=submitted.user, registration=submitted)
    status, error = owner.call("patch", f"{API}/{submitted.reference}", body)
    assert status == 409 and error["code"] == "registration.not_draft"


def test_an_officer_fills_in_a_posko_registration_by_groups(applicant: User, officer: User) -> None:
    registration = registration_start(actor=officer, user=applicant, channel=Channel.POST)
    api = Api(api_token_create(user=officer))
    status, body = api.call(
        "patch",
        f"{API}/{registration.reference}",
        page_body(registration.programme, (Step.WORK, Step.EDUCATION_DISABILITY)),
    )
    assert status == 200, body
    assert {"work", "education_disability"}.isdisjoint(body["missing_steps"])


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"steps": {}},
        {"steps": {"bogus": {}}},
        {"steps": {"contact": {"unknown": "field"}}},
        {"steps": {"contact": {"phone": "x" * 10_000}}},
        {"steps": [1, 2]},
        {"steps": {"contact": {}}, "extra": 1},
        [1, 2, 3],
    ],
)
def test_malformed_group_bodies_get_a_4xx_never_a_5xx(applicant: User, body: Any) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    status, error = Api(api_token_create(user=applicant)).call(
        "patch", f"{API}/{registration.reference}", body
    )
    assert 400 <= status < 500, error
    assert set(error) >= {"code", "message", "field"}


@pytest.mark.parametrize("page", [PAGES[0], PAGES[1]], ids=["identity", "contact-to-education"])
def test_a_group_reads_the_registration_once(applicant: User, page: tuple[Step, ...]) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    api = Api(api_token_create(user=applicant))
    api.call("get", f"{API}/{registration.reference}")  # the token was used a moment ago
    body = page_body(registration.programme, page)
    with CaptureQueriesContext(connection) as queries:
        status, _answer = api.call("patch", f"{API}/{registration.reference}", body)
    assert status == 200
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if "registry_registration" in q["sql"] and q["sql"].lstrip().startswith("SELECT")
    ]
    assert len(reads) == 1, [q["sql"][:200] for q in queries.captured_queries]
    assert "FOR UPDATE" in reads[0] or not connection.features.has_select_for_update


def test_a_replayed_group_with_the_same_key_writes_once(applicant: User) -> None:
    from django.test import Client

    registration = registration_start(actor=applicant, user=applicant)
    client = Client()
    headers = {
        "Authorization": f"Bearer {api_token_create(user=applicant)}",
        "Idempotency-Key": "halaman-2",
    }
    data = json.dumps(page_body(registration.programme, PAGES[1]))
    url = f"{API}/{registration.reference}"
    first = client.patch(url, data=data, content_type="application/json", headers=headers)
    again = client.patch(url, data=data, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    saves = registration.history.filter(
        history_change_reason="langkah contact, domicile, work, education_disability"
    )
    assert saves.count() == 1
