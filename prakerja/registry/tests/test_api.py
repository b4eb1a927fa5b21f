from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import ApiToken, User
from prakerja.accounts.tokens import api_token_create
from prakerja.identity.models import Person
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.models import Channel, Registration
from prakerja.registry.services.registration import registration_start
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import STEP_ORDER, Step
from prakerja.registry.tests.conftest import complete_registration, new_applicant, step_data

pytestmark = pytest.mark.django_db

API = "/api/v1/registrations"


class Api:
    """A client speaking JSON with a bearer token."""

    def __init__(self, key: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def call(self, method: str, url: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        response = getattr(self.client, method)(
            url,
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers=self.headers,
        )
        assert response["Content-Type"].startswith("application/json"), response.content[:300]
        return response.status_code, response.json()


def api_data(programme: Any, step: Step) -> dict[str, Any]:
    data = dict(step_data(programme)[step])
    if step == Step.EDUCATION_DISABILITY:
        return {"not_in_education": True, "has_disability": False}
    if step == Step.CONSENT:
        return {"consent": True, "truthfulness": True}
    if step == Step.TEST:
        return {"answers": {k: int(v) for k, v in data["answers"].items()}}
    return {k: v for k, v in data.items() if v != ""}


def test_an_applicant_registers_through_the_api_with_a_token(applicant: User) -> None:
    key = api_token_create(user=applicant)
    api = Api(key)

    status, body = api.call("post", API)
    assert status == 201
    reference = body["reference"]
    assert body["status"] == "draft"
    assert body["missing_steps"] == [step.value for step in STEP_ORDER]
    assert api.call("post", API)[0] == 200  # start again: the same registration

    registration = Registration.objects.get(reference=reference)
    for step in STEP_ORDER:
        status, body = api.call(
            "patch", f"{API}/{reference}/{step.value}", api_data(registration.programme, step)
        )
        assert status == 200, (step, body)
    assert body["missing_steps"] == []
    assert body["nik_masked"] == "3578********0001"

    status, body = api.call("post", f"{API}/{reference}/submit")
    assert status == 200
    assert body["status"] == "submitted"
    assert body["ineligibility_reasons"] == []
    first_submitted_at = body["submitted_at"]

    status, again = api.call("post", f"{API}/{reference}/submit")
    assert status == 200 and again["submitted_at"] == first_submitted_at

    status, body = api.call("get", f"{API}/{reference.lower()}")
    assert status == 200 and body["status"] == "submitted"
    assert fake_nik(serial=1) not in json.dumps(body)
    assert ApiToken.objects.get().last_used_at is not None


def test_the_token_is_stored_only_as_its_hash(applicant: User) -> None:
    key = api_token_create(user=applicant)
    token = ApiToken.objects.get()
    assert key.startswith("pkj_")
    assert key not in token.key_hash and len(token.key_hash) == 64


def test_the_session_also_authenticates(applicant: User) -> None:
    api = Api()
    api.client.force_login(applicant)
    assert api.call("post", API)[0] == 201


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer pkj_wrong"}, {"Authorization": "Bearer " + "x" * 5000}],
)
def test_without_a_valid_token_the_api_answers_401(headers: dict[str, str]) -> None:
    api = Api()
    api.headers = headers
    status, body = api.call("post", API)
    assert status == 401
    assert body == {
        "code": "auth.required",
        "message": "Silakan masuk terlebih dahulu.",
        "field": None,
    }


def test_a_deactivated_token_is_refused(applicant: User) -> None:
    key = api_token_create(user=applicant)
    ApiToken.objects.update(is_active=False)
    assert Api(key).call("post", API)[0] == 401


def test_bad_step_input_gets_the_indonesian_message_and_code(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    api = Api(api_token_create(user=applicant))
    body = {**api_data(registration.programme, Step.IDENTITY), "nik": "3578"}

    status, error = api.call("patch", f"{API}/{registration.reference}/identity", body)

    assert status == 400
    assert error["code"] == "nik.length"
    assert error["message"] == "NIK harus terdiri dari 16 angka, yang diisi 4 karakter."
    assert error["field"] == "nik"
    assert error["errors"][0]["code"] == "nik.length"
    assert Person.objects.count() == 0


def test_missing_consent_over_the_api(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    api = Api(api_token_create(user=applicant))
    status, error = api.call(
        "patch", f"{API}/{registration.reference}/consent", {"consent": False, "truthfulness": True}
    )
    assert status == 400
    assert error["code"] == "registration.consent_required"


def test_a_duplicate_nik_over_the_api_is_409_and_writes_nothing(applicant: User) -> None:
    registration_submit(actor=applicant, registration=complete_registration(applicant))
    other = new_applicant()
    draft = registration_start(actor=other, user=other)
    counts = (Person.objects.count(), Registration.objects.count())

    status, error = Api(api_token_create(user=other)).call(
        "patch", f"{API}/{draft.reference}/identity", api_data(draft.programme, Step.IDENTITY)
    )

    assert status == 409
    assert error["code"] == "registration.nik_taken"
    assert error["field"] == "nik"
    assert (Person.objects.count(), Registration.objects.count()) == counts


@pytest.mark.parametrize(
    "body",
    [
        {"full_name": "Siti\x00"},
        {"nik": "\x00" * 10},
        {"full_name": "x" * 10_000},
        {"nik": 3578015708900001},
        {"gender": "X"},
        {"unknown": "field"},
        {"answers": {"abc": 1}},
        {"answers": {"1": -1}},
        {"birth_date": ["1990-08-17"]},
        [1, 2, 3],
        "not an object",
    ],
)
def test_malformed_bodies_get_a_4xx_never_a_5xx(applicant: User, body: Any) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    status, error = Api(api_token_create(user=applicant)).call(
        "patch", f"{API}/{registration.reference}/identity", body
    )
    assert 400 <= status < 500
    assert set(error) >= {"code", "message", "field"}


def test_malformed_json_and_a_huge_body_get_a_4xx(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    key = api_token_create(user=applicant)
    client = Client()
    url = f"{API}/{registration.reference}/identity"
    headers = {"Authorization": f"Bearer {key}"}
    broken = client.patch(url, data="{nik:", content_type="application/json", headers=headers)
    assert 400 <= broken.status_code < 500
    huge = client.patch(
        url,
        data=json.dumps({"full_name": "x" * 5_000_000}),
        content_type="application/json",
        headers=headers,
    )
    assert 400 <= huge.status_code < 500


def test_malformed_references_and_steps_are_4xx(applicant: User) -> None:
    api = Api(api_token_create(user=applicant))
    assert api.call("get", f"{API}/PJ-2222-2222")[0] == 404
    assert api.call("get", f"{API}/{'x' * 200}")[0] == 422
    assert api.call("get", f"{API}/%00")[0] == 404
    registration = registration_start(actor=applicant, user=applicant)
    assert api.call("patch", f"{API}/{registration.reference}/bogus", {})[0] == 422


def test_submitting_an_incomplete_registration_is_400(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    status, error = Api(api_token_create(user=applicant)).call(
        "post", f"{API}/{registration.reference}/submit"
    )
    assert status == 400 and error["code"] == "registration.incomplete"


def test_a_student_is_ineligible_over_the_api(applicant: User) -> None:
    registration = complete_registration(
        applicant, overrides={Step.EDUCATION_DISABILITY: {"not_in_education": "no"}}
    )
    status, body = Api(api_token_create(user=applicant)).call(
        "post", f"{API}/{registration.reference}/submit"
    )
    assert status == 200
    assert body["status"] == "ineligible"
    assert [r["code"] for r in body["ineligibility_reasons"]] == ["eligibility.not_in_education"]


def test_status_is_scoped_to_the_owner_and_staff(
    applicant: User, officer: User, other_officer: User, callcentre_agent: User
) -> None:
    registration = registration_start(actor=officer, user=applicant, channel=Channel.POST)
    url = f"{API}/{registration.reference}"
    assert Api(api_token_create(user=applicant)).call("get", url)[0] == 200
    assert Api(api_token_create(user=officer)).call("get", url)[0] == 200
    assert Api(api_token_create(user=callcentre_agent)).call("get", url)[0] == 200
    status, error = Api(api_token_create(user=other_officer)).call("get", url)
    assert status == 403 and error["code"] == "registration.forbidden"
    status, error = Api(api_token_create(user=new_applicant())).call("get", url)
    assert status == 403


def test_staff_cannot_start_a_registration_for_themselves(officer: User) -> None:
    status, error = Api(api_token_create(user=officer)).call("post", API)
    assert status == 403 and error["code"] == "registration.applicant_only"


def test_a_session_without_the_csrf_token_is_refused_in_the_error_shape(applicant: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post(API, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "auth.csrf_failed"


def test_the_final_submission_takes_a_pinned_number_of_queries(
    applicant: User, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prakerja.registry.selectors import eligibility_rules_active

    registration = complete_registration(applicant)
    api = Api(api_token_create(user=applicant))
    api.call("get", f"{API}/{registration.reference}")  # the token was used a moment ago
    # A worker that has served a submission in the last seconds holds the rules in memory.
    eligibility_rules_active(programme_id=registration.programme_id)
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        status, body = api.call("post", f"{API}/{registration.reference}/submit")
    assert status == 200 and body["status"] == "submitted"
    # Token; [savepoint here, BEGIN in production] the registration, scope-checked and locked
    # in one query; the KK counter (one upsert); the registration and its history row (one
    # statement on PostgreSQL, two on SQLite); the receipt job; [release/COMMIT].
    expected = 7 if connection.vendor == "postgresql" else 8
    assert len(queries) == expected, [q["sql"][:80] for q in queries.captured_queries]


def test_a_retried_submit_with_the_same_idempotency_key_replays_the_first_answer(
    applicant: User,
) -> None:
    from django.test import Client

    from prakerja.accounts.tokens import api_token_create
    from prakerja.registry.tests.conftest import complete_registration

    registration = complete_registration(applicant)
    client = Client()
    headers = {
        "Authorization": f"Bearer {api_token_create(user=applicant)}",
        "Idempotency-Key": "kirim-ulang-1",
    }
    url = f"/api/v1/registrations/{registration.reference}/submit"
    first = client.post(url, content_type="application/json", headers=headers)
    again = client.post(url, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert registration.history.filter(status="submitted").count() == 1


def test_the_api_and_the_wizard_read_the_fields_of_the_same_step_forms():
    from prakerja.registry.api import StepIn
    from prakerja.registry.forms import STEP_FORMS
    from prakerja.registry.views import STEP_FIELDS

    form_fields = {name for form in STEP_FORMS.values() for name in form.base_fields}
    assert set(StepIn.model_fields) == form_fields
    assert {name for names in STEP_FIELDS.values() for name in names} == form_fields - {"answers"}


def test_the_applicant_only_refusal_is_marked_for_translation(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, error = Api(api_token_create(user=officer)).call("post", API)
    assert status == 403
    assert error["message"] == "Hanya akun pendaftar yang dapat memulai pendaftarannya sendiri."
    # A catalogue that marks what it translates: only a gettext-marked text goes through it.
    monkeypatch.setattr("django.utils.translation._trans.gettext", lambda message: f"«{message}»")
    status, error = Api(api_token_create(user=officer)).call("post", API)
    assert error["message"] == "«Hanya akun pendaftar yang dapat memulai pendaftarannya sendiri.»"


def test_the_flow_schemas_in_the_openapi_document_keep_their_shape() -> None:
    from config.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert schemas["StepIn"]["additionalProperties"] is False
    assert {"nik", "phone", "answers", "consent"} <= set(schemas["StepIn"]["properties"])
    assert schemas["StepsIn"]["additionalProperties"] is False
    assert schemas["StepsIn"]["required"] == ["steps"]
    assert set(schemas["RegistrationOut"]["required"]) == {
        "reference",
        "status",
        "channel",
        "missing_steps",
        "ineligibility_reasons",
        "nik_warnings",
        "nik_masked",
        "submitted_at",
    }
    assert schemas["IssueOut"]["required"] == ["code", "message"]


@pytest.mark.parametrize(
    "body",
    [
        {"steps": {"contact": {"bogus": 1}}},
        {"steps": {"contact": {"phone": "0812"}}, "extra": True},
        {"steps": {"nonsense": {}}},
        {"steps": {}},
        {},
    ],
)
def test_a_grouped_save_with_unknown_fields_or_steps_is_422_and_writes_nothing(
    applicant: User, body: Any
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    versions = registration.history.count()
    status, error = Api(api_token_create(user=applicant)).call(
        "patch", f"{API}/{registration.reference}", body
    )
    assert status == 422
    assert set(error) >= {"code", "message", "field"}
    registration.refresh_from_db()
    assert not registration.phone
    assert registration.history.count() == versions


def test_a_grouped_save_answers_with_the_registration(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    status, body = Api(api_token_create(user=applicant)).call(
        "patch",
        f"{API}/{registration.reference}",
        {"steps": {"work": {"employment_status": "laid_off", "occupation": "none"}}},
    )
    assert status == 200
    assert body["reference"] == registration.reference
    assert body["status"] == "draft"
    assert "work" not in body["missing_steps"]
    assert body["ineligibility_reasons"] == [] and body["nik_masked"] is None
