"""The identity step must not be a bulk oracle for "is this NIK registered" (issue 11, item 4).

Different NIKs are capped per account and per address (429 with Retry-After), repeated
"taken" answers are logged as a security event without the NIK, and a NIK a draft gave up
leaves no ``Person`` behind.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.accounts.tokens import api_token_create
from prakerja.identity.models import Person, PersonalDataAccess
from prakerja.identity.services import personal_data_access_record
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.models import Registration
from prakerja.registry.services.draft import registration_update_draft
from prakerja.registry.services.registration import registration_start
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import Step
from prakerja.registry.tests.conftest import complete_registration, new_applicant, step_data

pytestmark = pytest.mark.django_db

API = "/api/v1/registrations"
RATE_MESSAGE = (
    "Terlalu banyak NIK berbeda yang dicoba. Demi keamanan data, tunggu sekitar satu jam lalu "
    "coba lagi, atau minta bantuan petugas posko atau call center."
)


def identity(registration: Registration, serial: int) -> dict[str, Any]:
    data = {k: v for k, v in step_data(registration.programme)[Step.IDENTITY].items() if v}
    return {**data, "nik": fake_nik(serial=serial)}


def patch_identity(
    user: User, registration: Registration, serial: int, *, address: str = "10.0.0.1"
) -> Any:
    return Client(REMOTE_ADDR=address).patch(
        f"{API}/{registration.reference}/identity",
        data=json.dumps(identity(registration, serial)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token_create(user=user)}"},
    )


def draft_for(user: User | None = None) -> tuple[User, Registration]:
    user = user or new_applicant()
    return user, registration_start(actor=user, user=user)


def test_a_sixth_different_nik_within_the_hour_is_refused_with_429_and_retry_after() -> None:
    user, draft = draft_for()
    for serial in range(101, 106):
        assert patch_identity(user, draft, serial).status_code == 200

    refused = patch_identity(user, draft, 106)

    assert refused.status_code == 429
    assert refused.json() == {
        "code": "registration.nik_rate_limited",
        "message": RATE_MESSAGE,
        "field": "nik",
    }
    assert 0 < int(refused["Retry-After"]) <= 3600
    draft.refresh_from_db()
    assert draft.person is not None and draft.person.nik == fake_nik(serial=105)
    # The refused NIK stays refused when asked again; one already tried is still free.
    assert patch_identity(user, draft, 106).status_code == 429
    assert patch_identity(user, draft, 103).status_code == 200


def test_the_same_nik_sent_again_is_not_a_new_try() -> None:
    user, draft = draft_for()
    for _ in range(8):
        assert patch_identity(user, draft, 101).status_code == 200


def test_the_limit_per_address_counts_every_applicant_behind_it(settings: Any) -> None:
    settings.NIK_CHANGE_RATE_PER_ADDRESS = "5/h"
    first, first_draft = draft_for()
    second, second_draft = draft_for()
    for serial in range(111, 114):
        assert patch_identity(first, first_draft, serial).status_code == 200
    for serial in range(114, 116):
        assert patch_identity(second, second_draft, serial).status_code == 200

    assert patch_identity(second, second_draft, 116).status_code == 429
    # Another address is not affected.
    assert patch_identity(second, second_draft, 116, address="10.0.0.2").status_code == 200


def test_the_limits_are_settings(settings: Any) -> None:
    settings.NIK_CHANGE_RATE_PER_ACCOUNT = "2/h"
    user, draft = draft_for()
    assert patch_identity(user, draft, 121).status_code == 200
    assert patch_identity(user, draft, 122).status_code == 200
    assert patch_identity(user, draft, 123).status_code == 429


def test_the_wizard_page_shows_the_limit_as_the_form_error(settings: Any) -> None:
    settings.NIK_CHANGE_RATE_PER_ACCOUNT = "1/h"
    user, draft = draft_for()
    client = Client()
    client.force_login(user)
    url = f"/daftar/{draft.reference}/identity/"

    def post(serial: int) -> Any:
        return client.post(url, {**identity(draft, serial), "submission_token": str(uuid.uuid4())})

    assert post(131).status_code == 302
    refused = post(132)

    assert refused.status_code == 429
    assert RATE_MESSAGE in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_repeated_taken_answers_are_logged_as_a_security_event_without_the_nik(
    caplog: pytest.LogCaptureFixture,
) -> None:
    owner = new_applicant()
    registration_submit(actor=owner, registration=complete_registration(owner, serial=141))
    prober, draft = draft_for()

    with caplog.at_level(logging.WARNING, logger="prakerja.security"):
        assert patch_identity(prober, draft, 141).status_code == 409
        assert not [r for r in caplog.records if r.msg == "security.nik_taken_repeated"]
        assert patch_identity(prober, draft, 141).status_code == 409

    events = [r for r in caplog.records if r.msg == "security.nik_taken_repeated"]
    assert len(events) == 1
    event = events[0]
    assert (event.event, event.account, event.count) == (  # type: ignore[attr-defined]
        "security.nik_taken_repeated",
        prober.pk,
        2,
    )
    assert event.address == "10.0.0.1"  # type: ignore[attr-defined]
    assert fake_nik(serial=141) not in json.dumps(vars(event), default=str)


def test_nik_tries_leave_no_person_behind() -> None:
    user, draft = draft_for()
    before = Person.objects.count()
    for serial in range(151, 155):
        assert patch_identity(user, draft, serial).status_code == 200

    # Only the NIK the draft keeps has a person; the three given up left no ciphertext, not
    # even in history: only their deletion rows, NIK and KK blanked.
    assert Person.objects.count() == before + 1
    draft.refresh_from_db()
    assert draft.person is not None and draft.person.nik == fake_nik(serial=154)
    assert Person.history.filter(history_type="+").count() == 1  # type: ignore[attr-defined]
    given_up = Person.history.filter(history_type="-")  # type: ignore[attr-defined]
    assert given_up.count() == 3
    assert {(r.nik_encrypted, r.nik_index, r.kk_encrypted, r.kk_index) for r in given_up} == {
        ("", "", "", "")
    }


def test_a_given_up_person_leaves_an_audit_record_without_the_nik(
    caplog: pytest.LogCaptureFixture,
) -> None:
    user, draft = draft_for()
    assert patch_identity(user, draft, 156).status_code == 200
    draft.refresh_from_db()
    given_up = draft.person
    assert given_up is not None

    with caplog.at_level(logging.INFO, logger="prakerja.audit"):
        assert patch_identity(user, draft, 157).status_code == 200

    assert not Person.objects.filter(pk=given_up.pk).exists()
    row = Person.history.get(id=given_up.pk)  # type: ignore[attr-defined]
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "-",
        user,
        "NIK diganti pada draf pendaftaran",
    )
    assert (row.nik_encrypted, row.nik_index) == ("", "")
    [event] = [r for r in caplog.records if r.msg == "audit.person_released"]
    assert (event.person, event.actor, event.reason) == (  # type: ignore[attr-defined]
        given_up.pk,
        user.pk,
        "NIK diganti pada draf pendaftaran",
    )
    assert fake_nik(serial=156) not in json.dumps(vars(event), default=str)


def test_a_taken_nik_creates_no_person() -> None:
    owner = new_applicant()
    registration_submit(actor=owner, registration=complete_registration(owner, serial=161))
    prober, draft = draft_for()
    before = Person.objects.count()

    assert patch_identity(prober, draft, 161).status_code == 409
    assert patch_identity(prober, draft, 162).status_code == 200
    assert patch_identity(prober, draft, 161).status_code == 409

    assert Person.objects.count() == before + 1  # the one NIK the draft keeps


def test_a_given_up_person_that_something_else_holds_is_kept(officer: User) -> None:
    user, draft = draft_for()
    registration_update_draft(
        actor=user, registration=draft, step=Step.IDENTITY, data=identity(draft, 171)
    )
    draft.refresh_from_db()
    looked_up = draft.person
    assert looked_up is not None
    # An officer's logged lookup points at this person: the log must keep pointing at it.
    personal_data_access_record(
        actor=officer,
        purpose=PersonalDataAccess.Purpose.CROSS_POST_LOOKUP,
        person=looked_up,
        found=True,
    )

    registration_update_draft(
        actor=user, registration=draft, step=Step.IDENTITY, data=identity(draft, 172)
    )

    assert Person.objects.filter(pk=looked_up.pk).exists()
