"""One rule for people's names on every path (issue 11, item 9): the registration page, the
registry API, the officer console and call centre, and the labour-data import give the same
verdict for the same input."""

from __future__ import annotations

import html
import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.accounts.tokens import api_token_create
from prakerja.assistance.services import queue_ticket_issue
from prakerja.core.errors import ApplicationError
from prakerja.identity.names import person_name_check
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import ImportRow
from prakerja.labourdata.tests.conftest import upload, worker, xlsx_bytes
from prakerja.registry.models import Registration
from prakerja.registry.phone_change import applicant_phone_change
from prakerja.registry.services.registration import registration_start
from prakerja.registry.steps import Step
from prakerja.registry.tests.conftest import complete_registration, new_applicant, step_data

pytestmark = pytest.mark.django_db

MARKUP = "Nama tidak boleh berisi tanda < atau > (kode HTML)."
FORMULA = "Nama tidak boleh diawali tanda =, +, -, atau @. Tulis nama sesuai KTP."
DIGITS = "Nama tidak boleh berisi angka."

# (typed, stored when accepted, or the refusal's code and message)
ACCEPTED = [
    ("Siti Rahayu", "Siti Rahayu"),
    ("Ｓｉｔｉ　Ｒａｈａｙｕ", "Siti Rahayu"),  # full-width letters and space
    ("Nurul ’Aini, S.Pd.", "Nurul 'Aini, S.Pd."),
    ("José Ñandú-Wijaya", "José Ñandú-Wijaya"),
]
REFUSED = [
    ("<img src=x onerror=alert(document.cookie)>", "name.markup", MARKUP),
    ("Siti <b>Rahayu</b>", "name.markup", MARKUP),
    ('=HYPERLINK("http://contoh.id","klik")', "name.formula", FORMULA),
    ("@SUM(A:A)", "name.formula", FORMULA),
    ("-cmd|' /C calc'!A", "name.formula", FORMULA),
    ("＝HYPERLINK(A)", "name.formula", FORMULA),  # a full-width "=" is still a formula
    ("Budi 2", "name.digits", DIGITS),
    (
        "Siti_Rahayu!",
        "name.characters",
        "Nama hanya boleh berisi huruf, spasi, dan tanda ' . , - (petik, titik, koma, "
        "tanda hubung).",
    ),
]


@pytest.mark.parametrize(("typed", "stored"), ACCEPTED)
def test_the_validator_accepts_and_normalises(typed: str, stored: str) -> None:
    assert person_name_check(typed) == (stored, None)


@pytest.mark.parametrize(("typed", "code", "message"), REFUSED)
def test_the_validator_refuses_with_a_clear_message(typed: str, code: str, message: str) -> None:
    _name, issue = person_name_check(typed)
    assert issue is not None
    assert (issue.code, str(issue.message)) == (code, message)


# --- Registration: the wizard page and the API --------------------------------------------


def _identity(registration: Registration, name: str) -> dict[str, Any]:
    data = {k: v for k, v in step_data(registration.programme)[Step.IDENTITY].items() if v}
    return {**data, "full_name": name}


@pytest.mark.parametrize(("typed", "stored"), ACCEPTED)
def test_the_registration_page_accepts_and_stores_the_normalised_name(
    typed: str, stored: str
) -> None:
    user = new_applicant()
    draft = registration_start(actor=user, user=user)
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/daftar/{draft.reference}/identity/",
        {**_identity(draft, typed), "submission_token": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.full_name == stored


@pytest.mark.parametrize(("typed", "code", "message"), REFUSED)
def test_the_registration_page_refuses_with_the_message(
    typed: str, code: str, message: str
) -> None:
    user = new_applicant()
    draft = registration_start(actor=user, user=user)
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/daftar/{draft.reference}/identity/",
        {**_identity(draft, typed), "submission_token": str(uuid.uuid4())},
    )
    assert response.status_code == 422
    assert message in html.unescape(response.content.decode())
    draft.refresh_from_db()
    assert draft.full_name == ""


def _api_identity(name: str) -> tuple[int, dict[str, Any], Registration]:
    user = new_applicant()
    draft = registration_start(actor=user, user=user)
    response = Client().patch(
        f"/api/v1/registrations/{draft.reference}/identity",
        data=json.dumps(_identity(draft, name)),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token_create(user=user)}"},
    )
    draft.refresh_from_db()
    return response.status_code, response.json(), draft


@pytest.mark.parametrize(("typed", "stored"), ACCEPTED)
def test_the_api_accepts_and_stores_the_normalised_name(typed: str, stored: str) -> None:
    status, _body, draft = _api_identity(typed)
    assert status == 200
    assert draft.full_name == stored


@pytest.mark.parametrize(("typed", "code", "message"), REFUSED)
def test_the_api_refuses_in_the_error_shape(typed: str, code: str, message: str) -> None:
    status, body, draft = _api_identity(typed)
    assert status == 400
    assert (body["code"], body["message"], body["field"]) == (code, message, "full_name")
    assert draft.full_name == ""


# --- Officer console and call centre ------------------------------------------------------


@pytest.mark.parametrize(("typed", "code", "message"), REFUSED)
def test_a_walk_in_name_at_the_post_follows_the_same_rule(
    officer: User, typed: str, code: str, message: str
) -> None:
    assert officer.post is not None
    with pytest.raises(ApplicationError) as refused:
        queue_ticket_issue(actor=officer, post=officer.post, name=typed)
    assert (refused.value.code, str(refused.value.message)) == (code, message)


@pytest.mark.parametrize(("typed", "stored"), ACCEPTED)
def test_a_walk_in_name_is_stored_normalised(officer: User, typed: str, stored: str) -> None:
    assert officer.post is not None
    ticket = queue_ticket_issue(actor=officer, post=officer.post, name=typed)
    assert ticket.name == stored


@pytest.mark.parametrize(("typed", "code", "message"), REFUSED)
def test_the_phone_change_check_refuses_the_same_names(
    officer: User, typed: str, code: str, message: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        applicant_phone_change(
            actor=officer,
            nik=fake_nik(serial=301),
            full_name=typed,
            birth_date=date(1990, 8, 17),
            new_phone="081234567301",
        )
    assert (refused.value.code, str(refused.value.message)) == (code, message)


def test_the_phone_change_check_reads_a_full_width_name_as_the_plain_one(
    callcentre_agent: User,
) -> None:
    user = new_applicant()
    complete_registration(user, serial=302)
    moved = applicant_phone_change(
        actor=callcentre_agent,
        nik=fake_nik(serial=302),
        full_name="ＳＩＴＩ ｒａｈａｙｕ",
        birth_date=date(1990, 8, 17),
        new_phone="081234567302",
    )
    assert str(moved.phone) == "+6281234567302"


# --- Labour-data import -------------------------------------------------------------------


def test_the_import_gives_the_same_verdicts(province_data_officer: User) -> None:
    rows = [worker(fake_nik(serial=400 + i), typed) for i, (typed, _s) in enumerate(ACCEPTED)]
    rows += [worker(fake_nik(serial=500 + i), typed) for i, (typed, *_r) in enumerate(REFUSED)]

    batch = upload(province_data_officer, xlsx_bytes(rows))

    stored = {row.row_number: row for row in ImportRow.objects.filter(batch=batch)}
    for number, (_typed, _name) in enumerate(ACCEPTED, start=2):
        assert stored[number].status == ImportRow.Status.ACCEPTED
    for number, (typed, code, message) in enumerate(REFUSED, start=2 + len(ACCEPTED)):
        row = stored[number]
        assert row.status == ImportRow.Status.REJECTED, typed
        name_errors = [e for e in row.errors if e["column"] == "Nama Lengkap"]
        if typed.startswith("="):
            # A cell starting with "=" is refused as a formula before any column is read.
            assert name_errors[0]["code"] == "labourdata.formula"
        else:
            assert (name_errors[0]["code"], name_errors[0]["message"]) == (
                "labourdata." + code.replace("name.", "name_"),
                message,
            )
