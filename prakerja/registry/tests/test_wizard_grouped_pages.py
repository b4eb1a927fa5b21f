"""The wizard's steps grouped in pages (issue 17, item 2): one form per page, each step checked
and saved on its own, three GET + POST round trips for a whole registration instead of seven."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from prakerja.accounts.models import User
from prakerja.core.models import IdempotencyRecord
from prakerja.registry.fields import coded_error
from prakerja.registry.forms import DomicileForm
from prakerja.registry.models import Channel, Registration
from prakerja.registry.services.registration import registration_start
from prakerja.registry.steps import PAGES, STEP_ORDER, Step, page_of
from prakerja.registry.tests.conftest import (
    complete_registration,
    new_applicant,
    signed_in,
    step_data,
    step_url,
    tokened,
)

pytestmark = pytest.mark.django_db

STEPS_MARKED = re.compile(r'<input type="hidden" name="steps" value="([a-z_]+)">')


def form_fields(registration: Registration, *steps: Step) -> dict[str, Any]:
    """The fields of these steps as the page posts them, each step marked in ``steps``."""
    data = step_data(registration.programme)
    fields: dict[str, Any] = {"steps": [step.value for step in steps]}
    for step in steps:
        if step == Step.TEST:
            fields.update({f"q_{pk}": choice for pk, choice in data[step]["answers"].items()})
        else:
            fields.update(data[step])
    return fields


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))


def test_the_pages_hold_every_step_once_in_wizard_order() -> None:
    assert [step for page in PAGES for step in page] == STEP_ORDER
    assert page_of(Step.IDENTITY) == (Step.IDENTITY,)
    assert page_of(Step.TEST) == (Step.CONSENT, Step.TEST)


# --- Showing a page ---------------------------------------------------------------------------


def test_a_grouped_page_shows_each_of_its_steps_under_its_own_heading(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(applicant)

    html = client.get(step_url(registration, Step.DOMICILE)).content.decode()

    assert "<h1>Kontak, domisili, dan pekerjaan</h1>" in html
    assert STEPS_MARKED.findall(html) == ["contact", "domicile", "work", "education_disability"]
    contact = re.search(
        r'<fieldset class="wizard-step" id="step-contact">(.*?)</fieldset>', html, re.S
    )
    assert contact and "<legend><h2>Kontak</h2></legend>" in contact.group(1)
    assert 'name="phone"' in contact.group(1)
    assert "<legend><h2>Domisili</h2></legend>" in html
    assert "<legend><h2>Pekerjaan</h2></legend>" in html
    assert "<legend><h2>Pendidikan dan disabilitas</h2></legend>" in html
    assert (
        html.index('name="phone"')
        < html.index('name="regency"')
        < html.index('name="employment_status"')
        < html.index('name="not_in_education"')
    )
    assert f'action="{step_url(registration, Step.DOMICILE)}"' in html


def test_the_identity_page_holds_the_identity_step_alone(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    html = signed_in(applicant).get(step_url(registration, Step.IDENTITY)).content.decode()

    assert STEPS_MARKED.findall(html) == ["identity"]
    assert '<div class="wizard-step" id="step-identity">' in html
    assert "<h2>" not in html.split("<form", 1)[1].split("</form>", 1)[0]


def test_a_change_link_of_the_check_answers_page_goes_to_its_step_on_the_page(
    applicant: User,
) -> None:
    registration = complete_registration(applicant)

    html = signed_in(applicant).get(
        reverse("registry:check_answers", args=[registration.reference])
    )

    assert f'href="{step_url(registration, Step.DOMICILE)}#step-domicile"' in html.content.decode()


# --- Saving a page ----------------------------------------------------------------------------


def test_one_post_saves_both_steps_of_a_page_with_one_history_row(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    rows_before = registration.history.count()

    response = signed_in(applicant).post(
        step_url(registration, Step.CONTACT),
        tokened(form_fields(registration, Step.CONTACT, Step.DOMICILE)),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    registration.refresh_from_db()
    assert str(registration.phone) == "+6281234567890"
    assert registration.domicile_district_id == "357801"
    assert registration.address == "Jl. Mawar 1"
    assert registration.history.count() == rows_before + 1
    assert registration.history.first().history_change_reason == "langkah contact, domicile"


def test_a_refused_step_keeps_the_valid_one_of_its_page_and_lists_its_errors(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = form_fields(registration, Step.CONTACT, Step.DOMICILE)
    data.update({"district": "", "address": "", "email": "siti@contoh.com"})

    response = signed_in(applicant).post(step_url(registration, Step.CONTACT), tokened(data))

    html = response.content.decode()
    assert response.status_code == 422
    assert summary_links(html) == [
        ("id_district", "Pilih kecamatan domisili."),
        ("id_address", "Alamat domisili wajib diisi."),
    ]
    assert 'id="address-error" class="field-error">Alamat domisili wajib diisi.</small>' in html
    assert 'value="siti@contoh.com"' in html  # what was typed is shown again
    registration.refresh_from_db()
    assert registration.email == "siti@contoh.com"  # the valid step is saved
    assert registration.domicile_regency_id is None and registration.address == ""
    assert registration.history.first().history_change_reason == "langkah contact"


def test_the_errors_of_a_page_are_listed_in_the_order_of_its_steps(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = {"steps": ["work", "education_disability"], "last_employer": "PT Sepatu Jaya"}

    response = signed_in(applicant).post(step_url(registration, Step.WORK), tokened(data))

    html = response.content.decode()
    assert response.status_code == 422
    assert [target for target, _message in summary_links(html)] == [
        "id_employment_status",
        "id_occupation",
        "id_not_in_education",
    ]
    assert 'value="PT Sepatu Jaya"' in html
    registration.refresh_from_db()
    assert registration.last_employer == ""


def test_a_step_level_error_links_to_its_own_part_of_the_page(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = form_fields(registration, Step.CONTACT, Step.DOMICILE)
    message = "Domisili tidak dapat diperiksa."

    def refused(form: DomicileForm) -> dict[str, Any]:
        form.add_error(None, coded_error("registration.test_only", message))
        return form.cleaned_data

    with mock.patch.object(DomicileForm, "clean", refused):
        response = signed_in(applicant).post(step_url(registration, Step.CONTACT), tokened(data))

    html = response.content.decode()
    assert response.status_code == 422
    assert summary_links(html) == [("step-domicile", message)]
    assert (
        '<fieldset class="wizard-step" id="step-domicile" aria-describedby="step-domicile-error">'
        in html
    )
    assert f'<p class="field-error" id="step-domicile-error">{message}</p>' in html


def test_a_post_without_steps_saves_just_the_step_of_its_url(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = form_fields(registration, Step.CONTACT, Step.DOMICILE)
    del data["steps"]

    response = signed_in(applicant).post(step_url(registration, Step.CONTACT), tokened(data))

    registration.refresh_from_db()
    assert str(registration.phone) == "+6281234567890"
    assert registration.domicile_regency_id is None
    assert registration.history.first().history_change_reason == "langkah contact"
    # The other step of the page is still to fill in: the same page again.
    assert response["Location"] == step_url(registration, Step.DOMICILE)


def test_steps_marked_from_another_page_are_ignored(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = form_fields(registration, Step.CONTACT, Step.CONSENT)

    response = signed_in(applicant).post(step_url(registration, Step.CONTACT), tokened(data))

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.consent_at is None
    assert registration.history.first().history_change_reason == "langkah contact"


# --- Where a saved page leads -----------------------------------------------------------------


def test_a_saved_page_leads_to_the_first_step_missing_after_it(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(applicant)

    first = client.post(
        step_url(registration, Step.CONTACT),
        tokened(form_fields(registration, Step.CONTACT, Step.DOMICILE)),
    )
    second = client.post(
        step_url(registration, Step.CONSENT),
        tokened(form_fields(registration, Step.CONSENT, Step.TEST)),
    )

    assert first["Location"] == step_url(registration, Step.WORK)
    # Nothing missing after the last page: back to the first step still missing.
    assert second["Location"] == step_url(registration, Step.IDENTITY)


def test_the_last_page_leads_to_the_check_answers_page(applicant: User) -> None:
    registration = complete_registration(applicant)

    response = signed_in(applicant).post(
        step_url(registration, Step.TEST),
        tokened(form_fields(registration, Step.CONSENT, Step.TEST)),
    )

    assert response["Location"] == reverse("registry:check_answers", args=[registration.reference])


# --- Round trips ------------------------------------------------------------------------------


def walk_the_wizard(client: Client, registration: Registration, start: str) -> list[str]:
    """Go through the wizard as a browser does: each page's form sent with the fields of every
    step it marks, redirects followed, until the check-answers page. Returns the requests."""
    requests: list[str] = []
    path = start
    check = reverse("registry:check_answers", args=[registration.reference])
    while path != check:
        assert len(requests) < 20, requests
        page = client.get(path)
        requests.append(f"GET {path}")
        assert page.status_code == 200, path
        steps = [Step(value) for value in STEPS_MARKED.findall(page.content.decode())]
        response = client.post(path, tokened(form_fields(registration, *steps)))
        requests.append(f"POST {path}")
        assert response.status_code == 302, (path, response.content.decode()[:2000])
        path = response["Location"]
    return requests


def test_a_whole_registration_takes_three_pages_each_one_get_and_one_post(
    applicant: User,
) -> None:
    client = signed_in(applicant)
    started = client.post("/daftar/", tokened())
    registration = Registration.objects.get(user=applicant)

    requests = walk_the_wizard(client, registration, started["Location"])

    assert len(requests) == 6  # 3 GET + 3 POST (one page per step: 7 + 7)
    assert [request.split("/")[-2] for request in requests[::2]] == [
        "identity",
        "contact",
        "consent",
    ]
    registration.refresh_from_db()
    assert registration.history.filter(history_change_reason__startswith="langkah").count() == 3


def test_an_officer_fills_the_same_pages_for_someone_at_their_post(officer: User) -> None:
    registration = registration_start(actor=officer, user=new_applicant(), channel=Channel.POST)
    client = signed_in(officer)

    requests = walk_the_wizard(client, registration, step_url(registration, Step.IDENTITY))

    assert len(requests) == 6
    client.post(reverse("registry:submit", args=[registration.reference]), tokened())
    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUBMITTED
    assert registration.assisted_by == officer


def test_a_page_post_reads_the_registration_once_locked_and_saves_it_once(
    applicant: User,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(applicant)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            step_url(registration, Step.CONTACT),
            tokened(form_fields(registration, Step.CONTACT, Step.DOMICILE)),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    statements = [q["sql"] for q in queries.captured_queries]
    reads = [sql for sql in statements if sql.startswith("SELECT r.")]
    assert len(reads) == 1, reads
    if connection.features.has_select_for_update_of:
        assert reads[0].endswith("FOR UPDATE OF r")
    updates = [sql for sql in statements if 'UPDATE "registry_registration"' in sql]
    assert len(updates) == 1, updates
    # The save's service skips its savepoint inside the submission's transaction (core.units):
    # the only one is that transaction's own block, a savepoint inside the test's.
    savepoints = [sql for sql in statements if sql.upper().startswith("SAVEPOINT")]
    assert len(savepoints) == 1, savepoints
    registration.refresh_from_db()
    assert registration.domicile_district_id == "357801"


def test_a_refused_identity_page_shows_the_registration_as_stored(applicant: User) -> None:
    # Another account registered this NIK first: the save is refused after the person was set
    # on the locked instance; the page shows what is stored, and nothing was saved.
    other = new_applicant()
    taken = registration_start(actor=other, user=other)
    client_other = signed_in(other)
    data = form_fields(taken, Step.IDENTITY)
    assert client_other.post(step_url(taken, Step.IDENTITY), tokened(data)).status_code == 302
    registration = registration_start(actor=applicant, user=applicant)

    sent = tokened(data)
    response = signed_in(applicant).post(step_url(registration, Step.IDENTITY), sent)

    assert response.status_code == 422, response.status_code
    assert "NIK ini sudah terdaftar" in response.content.decode()
    registration.refresh_from_db()
    assert registration.person_id is None
    assert registration.full_name == ""
    # The refusal rolled the submission back, its token included: corrected, it can be sent.
    assert not IdempotencyRecord.objects.filter(key=sent["submission_token"]).exists()
