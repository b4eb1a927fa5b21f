"""The start page is the first page of questions (issue 17): a new applicant sees what to
prepare and the identity questions at once, and one POST starts the registration and saves
them. Pressing the button with nothing typed starts it and shows the first page, as before."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from prakerja.accounts.models import User
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.models import Programme, Registration
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import Step
from prakerja.registry.tests.conftest import (
    complete_registration,
    new_applicant,
    signed_in,
    step_data,
    step_url,
    tokened,
)

pytestmark = pytest.mark.django_db

ENTRY = "/daftar/"


def identity_typed(programme_data: dict[Step, dict[str, str]], **changes: str) -> dict[str, str]:
    """The identity answers as the entry page posts them: the date in its three fields."""
    values = {**programme_data[Step.IDENTITY], **changes}
    year, month, day = values.pop("birth_date").split("-")
    return {
        **values,
        "birth_date_day": str(int(day)),
        "birth_date_month": str(int(month)),
        "birth_date_year": year,
        "steps": Step.IDENTITY.value,
    }


def test_the_start_page_asks_the_first_pages_questions_before_any_registration(
    applicant: User,
) -> None:
    response = signed_in(applicant).get(ENTRY)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Pendaftaran Kartu Prakerja Jawa Timur</h1>" in html
    assert "Siapkan KTP dan Kartu Keluarga." in html
    assert '<form method="post" action="/daftar/" novalidate>' in html
    assert re.findall(r'name="steps" value="([a-z_]+)"', html) == ["identity"]
    for field in ["nik", "kk", "full_name", "birth_place", "birth_date", "gender"]:
        assert f'<label for="id_{field}">' in html
    # The NIK is checked as it is typed, without a registration to name in the URL.
    assert f'hx-post="{reverse("registry:entry_nik_check")}"' in html
    assert "Nomor pendaftaran" not in html
    # The list of pages names the later ones without links: there is nothing to open yet.
    assert '<strong aria-current="step">Data diri</strong>' in html
    assert "<li>Kontak, domisili, dan pekerjaan\n" in html
    assert 'href="/daftar/PJ' not in html
    assert ">Mulai pendaftaran</button>" in html
    assert not Registration.objects.filter(user=applicant).exists()


def test_one_post_starts_the_registration_and_saves_the_first_page(
    applicant: User, programme: Programme
) -> None:
    client = signed_in(applicant)
    data = step_data(programme)

    response = client.post(ENTRY, tokened(identity_typed(data)))

    registration = Registration.objects.get(user=applicant)
    assert response.status_code == 302
    assert response["Location"] == step_url(registration, Step.CONTACT)
    assert registration.full_name == "Siti Rahayu"
    assert registration.birth_place == "Surabaya"
    assert registration.person is not None
    assert registration.person.nik == data[Step.IDENTITY]["nik"]
    # History: the start and the first page, each with its own row.
    assert registration.history.count() == 2


def test_a_mistake_on_the_start_page_keeps_the_new_draft_and_shows_its_first_page(
    applicant: User, programme: Programme
) -> None:
    client = signed_in(applicant)
    data = step_data(programme)

    response = client.post(ENTRY, tokened(identity_typed(data, nik="12345")))

    html = response.content.decode()
    registration = Registration.objects.get(user=applicant)
    assert response.status_code == 422
    assert 'class="error-summary"' in html
    assert "NIK harus terdiri dari 16 angka" in html
    # What was typed is shown again, and the page now posts to the draft's own first page.
    assert 'value="Siti Rahayu"' in html
    assert f'action="{step_url(registration, Step.IDENTITY)}"' in html
    assert f"Nomor pendaftaran {registration.reference}" in html
    assert registration.person is None
    assert registration.full_name == ""


def test_the_button_alone_starts_the_registration_and_opens_the_first_page(
    applicant: User,
) -> None:
    response = signed_in(applicant).post(ENTRY, tokened({"steps": "identity"}))

    registration = Registration.objects.get(user=applicant)
    assert response.status_code == 302
    assert response["Location"] == step_url(registration, Step.IDENTITY)
    assert registration.full_name == ""


def test_the_start_pages_nik_check_reads_the_typed_nik(applicant: User) -> None:
    response = signed_in(applicant).post(
        reverse("registry:entry_nik_check"), {"nik": fake_nik(serial=1)}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<dt>Tanggal lahir</dt><dd>17 Agustus 1990</dd>" in html
    assert '<div id="birth-date-field" hx-swap-oob="true"' in html
    assert f'hx-post="{reverse("registry:entry_nik_check")}"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_start_pages_nik_check_needs_a_signed_in_person() -> None:
    from django.test import Client

    response = Client().post(reverse("registry:entry_nik_check"), {"nik": fake_nik(serial=1)})

    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_a_nik_registered_by_another_account_shows_the_start_page_again(
    applicant: User, programme: Programme
) -> None:
    earlier = new_applicant()
    registration_submit(actor=earlier, registration=complete_registration(earlier))
    data = step_data(programme)  # the same NIK as the earlier account's

    response = signed_in(applicant).post(ENTRY, tokened(identity_typed(data)))

    html = response.content.decode()
    assert response.status_code == 422
    assert "NIK ini sudah terdaftar dengan akun lain." in html
    # The refusal undid the whole request, the new draft with it: the start page again, with
    # what was typed, posting to the entry; nothing names a reference that does not exist.
    assert not Registration.objects.filter(user=applicant).exists()
    assert '<form method="post" action="/daftar/" novalidate>' in html
    assert 'value="Siti Rahayu"' in html
    assert "Nomor pendaftaran" not in html and 'href="/daftar/PJ' not in html


def test_the_start_page_sent_blank_as_a_browser_sends_it_opens_the_first_page(
    applicant: User,
) -> None:
    blank = {
        "steps": "identity",
        "nik": "",
        "kk": "",
        "full_name": "",
        "birth_place": "",
        "birth_date_day": "",
        "birth_date_month": "",
        "birth_date_year": "",
        "gender": "",
    }
    response = signed_in(applicant).post(ENTRY, tokened(blank))

    registration = Registration.objects.get(user=applicant)
    assert response.status_code == 302
    assert response["Location"] == step_url(registration, Step.IDENTITY)
