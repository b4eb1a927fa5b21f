"""The wizard's pages as an applicant meets them (issue 16): the error summary, where they
are in the wizard, checking the answers, the confirmation, the date input and the NIK prefill."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from prakerja.accounts.models import User
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.models import Registration
from prakerja.registry.services.registration import registration_start
from prakerja.registry.steps import STEP_ORDER, Step
from prakerja.registry.tests.conftest import (
    complete_registration,
    signed_in,
    step_data,
    step_url,
    tokened,
)
from prakerja.waves.tests.views_support import open_wave

pytestmark = pytest.mark.django_db


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(0))


# --- Errors ---------------------------------------------------------------------------------


def test_a_refused_step_lists_every_error_at_the_top_each_linked_to_its_field(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = {**step_data(registration.programme)[Step.IDENTITY], "kk": "12", "full_name": ""}

    response = signed_in(applicant).post(step_url(registration, Step.IDENTITY), tokened(data))

    html = response.content.decode()
    assert response.status_code == 422
    assert '<h2 id="error-summary-title">Ada masalah</h2>' in html
    assert summary_links(html) == [
        ("id_kk", "Nomor KK harus terdiri dari 16 angka, yang diisi 2 karakter."),
        ("id_full_name", "Nama lengkap wajib diisi sesuai KTP."),
    ]
    assert 'tabindex="-1" id="error-summary"' in html  # prakerja.js focuses it
    assert "<title>Ada masalah: Data diri" in html
    # The messages stay next to their fields as well.
    assert 'id="kk-error" class="field-error">Nomor KK harus terdiri dari 16 angka' in html


@pytest.mark.parametrize("step", STEP_ORDER)
def test_every_link_of_the_error_summary_reaches_a_field_on_the_page(
    applicant: User, step: Step
) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    response = signed_in(applicant).post(step_url(registration, step), tokened())

    html = response.content.decode()
    assert response.status_code == 422, step
    links = summary_links(html)
    assert links, step
    for target, _message in links:
        assert f'id="{target}"' in html, (step, target)


def test_a_question_left_unanswered_links_to_its_first_choice(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    answers = step_data(registration.programme)[Step.TEST]["answers"]
    first = next(iter(answers))

    response = signed_in(applicant).post(
        step_url(registration, Step.TEST), tokened({f"q_{first}": "99"})
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert ("id_q_" + first, "Pilih salah satu jawaban yang tersedia.") in summary_links(html)
    assert f'id="id_q_{first}"' in html


def test_a_page_without_errors_has_no_error_summary(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    html = signed_in(applicant).get(step_url(registration, Step.IDENTITY)).content.decode()

    assert "error-summary" not in html


# --- Where am I -----------------------------------------------------------------------------


def test_a_page_says_which_page_of_how_many_and_folds_the_list_of_pages(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    html = signed_in(applicant).get(step_url(registration, Step.CONTACT)).content.decode()

    assert (
        '<p class="step-counter" id="step-counter">Langkah 2 dari 3</p>\n'
        "<h1>Kontak, domisili, dan pekerjaan</h1>" in html
    )
    folded = re.search(r"<details class=\"registry-steps-details\">(.*?)</details>", html, re.S)
    assert folded, "the list of pages is not folded"
    assert "<summary>Semua langkah (0 dari 3 sudah diisi)</summary>" in folded.group(1)
    assert '<strong aria-current="step">Kontak, domisili, dan pekerjaan</strong>' in folded.group(1)
    assert folded.group(1).count("<li>") == 3


# --- Check answers, confirmation ------------------------------------------------------------


def rows(html: str, step: Step) -> list[tuple[str, str, str]]:
    """(label, value, "Ubah" link) of each row of a step's answers."""
    section = re.search(
        rf'<dl class="summary-list" id="answers-{step.value}">(.*?)</dl>', html, re.S
    )
    assert section, step
    return re.findall(
        r"<dt>([^<]+)</dt>\s*<dd>([^<]*)</dd>\s*"
        r'<dd class="summary-list-actions"><a href="([^"]+)">Ubah<span',
        section.group(1),
    )


def change_link(registration: Registration, step: Step) -> str:
    """The step's page, scrolled to that step (a page may hold several steps)."""
    return f"{step_url(registration, step)}#step-{step.value}"


def test_the_last_step_leads_to_every_answer_readable_each_with_a_change_link(
    applicant: User,
) -> None:
    registration = complete_registration(applicant)
    client = signed_in(applicant)
    registration.phone = "+6281234567890"
    registration.save(update_fields=["phone"])

    check = reverse("registry:check_answers", args=[registration.reference])
    html = client.get(check).content.decode()

    identity = change_link(registration, Step.IDENTITY)
    assert rows(html, Step.IDENTITY) == [
        ("NIK", "3578********0001", identity),
        ("Nomor Kartu Keluarga (KK)", "3578********0007", identity),
        ("Nama lengkap", "Siti Rahayu", identity),
        ("Tempat lahir", "Surabaya", identity),
        ("Tanggal lahir", "17 Agustus 1990", identity),
        ("Jenis kelamin", "Perempuan", identity),
    ]
    assert fake_nik(serial=1) not in html
    domicile = change_link(registration, Step.DOMICILE)
    assert rows(html, Step.DOMICILE) == [
        ("Kabupaten/kota", "Kota Surabaya", domicile),
        ("Kecamatan", "Karang Pilang", domicile),
        ("Alamat", "Jl. Mawar 1", domicile),
    ]
    work = change_link(registration, Step.WORK)
    assert rows(html, Step.WORK) == [
        ("Status pekerjaan", "Korban PHK", work),
        ("Jabatan", "Tidak termasuk jabatan di bawah ini", work),
        ("Tempat kerja terakhir", "PT Sepatu Jaya", work),
        ("Tanggal terakhir bekerja", "31 Maret 2020", work),
    ]
    assert ("Email", "Tidak diisi", change_link(registration, Step.CONTACT)) in rows(
        html, Step.CONTACT
    )
    assert all(value != "Tidak diisi" for _, value, _ in rows(html, Step.TEST))
    assert "sudah diisi" not in html
    assert f'action="{reverse("registry:submit", args=[registration.reference])}"' in html


def test_the_check_answers_page_sends_back_to_a_step_still_missing(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    response = signed_in(applicant).get(
        reverse("registry:check_answers", args=[registration.reference])
    )

    assert response["Location"] == step_url(registration, Step.IDENTITY)


def test_a_change_from_the_check_answers_page_comes_back_to_it(applicant: User) -> None:
    registration = complete_registration(applicant)
    data = {"phone": "0812 3456 7890", "email": "siti@contoh.com"}

    response = signed_in(applicant).post(step_url(registration, Step.CONTACT), tokened(data))

    assert response["Location"] == reverse("registry:check_answers", args=[registration.reference])


def test_after_submission_the_confirmation_shows_the_reference_and_what_comes_next(
    applicant: User, manager: User
) -> None:
    registration = complete_registration(applicant)
    registration.phone = "+6281234567890"
    registration.save(update_fields=["phone"])
    wave = open_wave(registration.programme, manager, {"3578": 5})
    client = signed_in(applicant)

    submitted = client.post(reverse("registry:submit", args=[registration.reference]), tokened())

    assert submitted["Location"] == reverse("registry:confirmation", args=[registration.reference])
    html = client.get(submitted["Location"]).content.decode()
    assert '<div class="panel-confirmation" id="confirmation-panel">' in html
    assert (
        f'<strong class="reference-large" id="confirmation-reference">{registration.reference}'
        in html
    )
    closes = timezone.localtime(wave.closes_at)
    assert (
        f"Pendaftaran Gelombang 1 ditutup pada {date_format(closes, 'j F Y')} pukul "
        f"{closes:%H.%M} WIB." in html
    )
    assert "Hasil seleksi dikirim lewat SMS ke nomor" in html
    assert f"Catat atau simpan nomor pendaftaran {registration.reference}." in html
    assert reverse("registry:receipt", args=[registration.reference]) in html


def test_a_draft_has_no_confirmation_yet(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    response = signed_in(applicant).get(
        reverse("registry:confirmation", args=[registration.reference])
    )

    assert response["Location"] == reverse("registry:status", args=[registration.reference])


# --- Date input -----------------------------------------------------------------------------


def identity_parts(registration: Registration, day: str, month: str, year: str) -> dict[str, str]:
    data = {**step_data(registration.programme)[Step.IDENTITY]}
    del data["birth_date"]
    return {**data, "birth_date_day": day, "birth_date_month": month, "birth_date_year": year}


def test_the_birth_date_is_three_fields_with_the_month_by_name(applicant: User) -> None:
    registration = complete_registration(applicant)

    html = signed_in(applicant).get(step_url(registration, Step.IDENTITY)).content.decode()

    assert 'type="date"' not in html
    assert "<legend>Tanggal lahir</legend>" in html
    assert 'name="birth_date_day" id="id_birth_date" value="17"' in html
    assert '<option value="8" selected>Agustus</option>' in html
    assert 'name="birth_date_year" id="id_birth_date_year" value="1990"' in html


def test_a_birth_date_typed_in_three_fields_is_saved(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    response = signed_in(applicant).post(
        step_url(registration, Step.IDENTITY),
        tokened(identity_parts(registration, "17", "8", "1990")),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    registration.refresh_from_db()
    assert registration.birth_date is not None
    assert registration.birth_date.isoformat() == "1990-08-17"


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("17", "", "1990", "Tanggal lahir harus mencakup bulan."),
        ("", "", "1990", "Tanggal lahir harus mencakup hari dan bulan."),
        ("31", "2", "1990", "Tanggal lahir harus berupa tanggal yang benar."),
        ("1x", "2", "1990", "Tanggal lahir harus berupa tanggal yang benar."),
        ("17", "8", "90", "Tahun harus terdiri dari 4 angka, misalnya 1990."),
        ("1", "1", "2999", "Tanggal lahir tidak boleh di masa depan."),
    ],
)
def test_a_wrong_birth_date_says_exactly_what_is_wrong_and_keeps_what_was_typed(
    applicant: User, day: str, month: str, year: str, message: str
) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    response = signed_in(applicant).post(
        step_url(registration, Step.IDENTITY),
        tokened(identity_parts(registration, day, month, year)),
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert ("id_birth_date", message) in summary_links(html)
    assert f'<small id="birth_date-error" class="field-error">{message}</small>' in html
    assert f'name="birth_date_day" id="id_birth_date" value="{day}"' in html
    assert f'name="birth_date_year" id="id_birth_date_year" value="{year}"' in html


# --- NIK first ------------------------------------------------------------------------------


def nik_check(client: Client, registration: Registration, **data: str) -> str:
    url = reverse("registry:identity_nik_check", args=[registration.reference])
    response = client.post(url, data)
    assert response.status_code == 200
    return response.content.decode()


def test_a_valid_nik_fills_in_the_birth_date_and_sex_to_confirm(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    html = nik_check(signed_in(applicant), registration, nik=fake_nik(serial=1))

    assert "<dt>Tanggal lahir</dt><dd>17 Agustus 1990</dd>" in html
    assert "<dt>Jenis kelamin</dt><dd>Perempuan</dd>" in html
    assert "Karang Pilang, Kota Surabaya, Jawa Timur" in html
    assert 'id="nik-prefilled"' in html and "nik-contradictions" not in html
    # Swapped into the step (htmx out of band): the three date fields and the sex, filled in.
    assert '<div id="birth-date-field" hx-swap-oob="true"' in html
    assert 'name="birth_date_day" id="id_birth_date" value="17"' in html
    assert '<option value="8" selected>Agustus</option>' in html
    assert 'name="birth_date_year" id="id_birth_date_year" value="1990"' in html
    assert '<div id="gender-field" hx-swap-oob="true"' in html
    assert '<option value="P" selected>Perempuan</option>' in html


def test_a_birth_date_or_sex_against_the_nik_is_shown_at_once_and_not_overwritten(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    html = nik_check(
        signed_in(applicant),
        registration,
        nik=fake_nik(serial=1),
        birth_date_day="18",
        birth_date_month="8",
        birth_date_year="1990",
        gender="L",
    )

    contradictions = re.search(r'<div [^>]*id="nik-contradictions".*?</div>', html, re.S)
    assert contradictions, html
    codes = re.findall(r'data-code="([^"]+)"', contradictions.group(0))
    assert codes == ["nik.birth_date_mismatch", "nik.gender_mismatch"]
    assert "hx-swap-oob" not in html


def test_a_wrong_nik_says_why_and_fills_in_nothing(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)

    html = nik_check(signed_in(applicant), registration, nik="12345")

    assert 'id="nik-errors"' in html
    assert "hx-swap-oob" not in html


def test_the_domicile_step_starts_from_where_the_nik_was_issued(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(applicant)
    identity = step_data(registration.programme)[Step.IDENTITY]
    client.post(step_url(registration, Step.IDENTITY), tokened(identity))

    html = client.get(step_url(registration, Step.DOMICILE)).content.decode()

    assert 'id="domicile-from-nik"' in html
    assert '<option value="3578" selected>' in html
    assert '<option value="357801" selected>' in html


def test_the_check_answers_page_repeats_a_contradiction_with_the_nik(applicant: User) -> None:
    registration = complete_registration(
        applicant, overrides={Step.IDENTITY: {"birth_date": "1990-08-18"}}
    )

    html = signed_in(applicant).get(
        reverse("registry:check_answers", args=[registration.reference])
    )

    assert 'data-code="nik.birth_date_mismatch"' in html.content.decode()


def test_without_javascript_a_valid_nik_fills_in_the_birth_date_and_sex_to_confirm(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(applicant)
    data = {**identity_parts(registration, "", "", ""), "gender": ""}

    shown = client.post(step_url(registration, Step.IDENTITY), tokened(data))

    html = shown.content.decode()
    assert shown.status_code == 200
    assert 'id="nik-prefilled"' in html and "error-summary" not in html
    assert 'name="birth_date_day" id="id_birth_date" value="17"' in html
    assert '<option value="P" selected>Perempuan</option>' in html
    registration.refresh_from_db()
    assert registration.birth_date is None  # nothing saved until confirmed

    confirmed = client.post(
        step_url(registration, Step.IDENTITY),
        tokened({**identity_parts(registration, "17", "8", "1990"), "gender": "P"}),
    )
    assert confirmed.status_code == 302


def test_a_birth_date_left_empty_with_no_valid_nik_to_read_it_from_is_required(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = {**identity_parts(registration, "", "", ""), "nik": "12"}

    response = signed_in(applicant).post(step_url(registration, Step.IDENTITY), tokened(data))

    assert response.status_code == 422
    assert ("id_birth_date", "Tanggal lahir wajib diisi.") in summary_links(
        response.content.decode()
    )
