from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from prakerja.accounts.models import User
from prakerja.identity.models import Person
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.models import Channel, EligibilityRule, Programme, Registration
from prakerja.registry.services.registration import registration_start
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import STEP_ORDER, Step
from prakerja.registry.tests.conftest import (
    complete_registration,
    new_applicant,
    signed_in,
    step_data,
    step_url,
    tokened,
)

pytestmark = pytest.mark.django_db


def form_data(step: Step, values: dict[str, Any]) -> dict[str, Any]:
    if step == Step.TEST:
        return {f"q_{pk}": choice for pk, choice in values["answers"].items()}
    return values


def test_an_applicant_goes_from_the_entry_page_to_a_submitted_registration(
    applicant: User,
) -> None:
    client = signed_in(applicant)
    page = client.get("/daftar/")
    assert page.status_code == 200
    assert "Mulai pendaftaran" in page.content.decode()
    assert 'name="submission_token"' in page.content.decode()

    started = client.post("/daftar/", tokened())
    registration = Registration.objects.get(user=applicant)
    assert started.status_code == 302
    assert started["Location"] == step_url(registration, Step.IDENTITY)

    data = step_data(registration.programme)
    for step in STEP_ORDER:
        page = client.get(step_url(registration, step))
        assert page.status_code == 200, step
        html = page.content.decode()
        assert 'name="submission_token"' in html
        assert re.search(r'name="submission_token" value="[0-9a-f-]{36}"', html)
        response = client.post(step_url(registration, step), tokened(form_data(step, data[step])))
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    assert response["Location"] == reverse("registry:check_answers", args=[registration.reference])

    check = client.get(response["Location"]).content.decode()
    assert "Kirim pendaftaran" in check
    assert "3578********0001" in check
    assert fake_nik(serial=1) not in check

    submitted = client.post(reverse("registry:submit", args=[registration.reference]), tokened())
    assert submitted.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUBMITTED
    assert registration.channel == Channel.ONLINE
    assert submitted["Location"] == reverse("registry:confirmation", args=[registration.reference])
    html = client.get(submitted["Location"]).content.decode()
    assert "Pendaftaran terkirim" in html
    assert reverse("registry:receipt", args=[registration.reference]) in html
    status = client.get(reverse("registry:status", args=[registration.reference]))
    assert 'data-status="submitted"' in status.content.decode()

    # Back on the entry page, the applicant lands on their status.
    again = client.get("/daftar/")
    assert again["Location"] == reverse("registry:status", args=[registration.reference])


def test_the_entry_page_asks_anonymous_visitors_to_sign_in() -> None:
    response = Client().get("/daftar/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_bad_step_re_renders_with_the_typed_data_and_errors_tied_to_fields(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(applicant)
    data = {**step_data(registration.programme)[Step.IDENTITY], "kk": "12", "full_name": ""}
    data["birth_place"] = "Sidoarjo"

    response = client.post(step_url(registration, Step.IDENTITY), tokened(data))

    html = response.content.decode()
    assert response.status_code == 422
    assert "Ada masalah" in html
    assert 'value="Sidoarjo"' in html  # nothing typed is lost
    assert 'id="kk-error" class="field-error">Nomor KK harus terdiri dari 16 angka' in html
    assert re.search(
        r'name="kk"[^>]*aria-describedby="kk-help kk-error"[^>]*aria-invalid="true"', html
    )
    assert 'id="full_name-error" class="field-error">Nama lengkap wajib diisi sesuai KTP.' in html
    assert 'aria-describedby="full_name-error"' in html
    registration.refresh_from_db()
    assert registration.birth_place == "" and Person.objects.count() == 0


def test_the_nik_input_checks_as_the_user_types_with_the_wizard_nik_check(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    html = signed_in(applicant).get(step_url(registration, Step.IDENTITY)).content.decode()
    nik_input = re.search(r'<input[^>]*name="nik"[^>]*>', html, re.DOTALL)
    assert nik_input is not None
    check = reverse("registry:identity_nik_check", args=[registration.reference])
    assert f'hx-post="{check}"' in nik_input.group(0)
    assert 'hx-target="#nik-result"' in nik_input.group(0)
    assert '<div id="nik-result" aria-live="polite">' in html
    for field in ["nik", "kk", "full_name", "birth_place", "birth_date", "gender"]:
        assert f'<label for="id_{field}">' in html


def test_nik_warnings_are_shown_on_the_status_page(applicant: User) -> None:
    registration = complete_registration(applicant, overrides={Step.IDENTITY: {"gender": "L"}})
    html = (
        signed_in(applicant)
        .get(reverse("registry:status", args=[registration.reference]))
        .content.decode()
    )
    assert 'data-code="nik.gender_mismatch"' in html
    assert "Jenis kelamin yang dipilih berbeda dengan yang tercantum dalam NIK" in html


def test_the_status_page_lists_missing_steps(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    html = (
        signed_in(applicant)
        .get(reverse("registry:status", args=[registration.reference]))
        .content.decode()
    )
    assert re.findall(r'data-missing="(\w+)"', html) == [s.value for s in STEP_ORDER]
    assert "Periksa jawaban Anda" not in html


def test_submitting_an_incomplete_registration_explains_what_is_missing(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    response = signed_in(applicant).post(
        reverse("registry:submit", args=[registration.reference]), tokened()
    )
    assert response.status_code == 400
    assert 'data-code="registration.incomplete"' in response.content.decode()


def test_an_ineligible_result_lists_each_reason(applicant: User) -> None:
    registration = complete_registration(
        applicant,
        overrides={
            Step.WORK: {"occupation": "polri"},
            Step.EDUCATION_DISABILITY: {"not_in_education": "no"},
        },
    )
    client = signed_in(applicant)
    client.post(reverse("registry:submit", args=[registration.reference]), tokened())
    html = client.get(reverse("registry:status", args=[registration.reference])).content.decode()
    assert 'data-status="ineligible"' in html
    assert re.findall(r'<li data-code="(eligibility\.\w+)"', html) == [
        "eligibility.not_in_education",
        "eligibility.excluded_occupation",
    ]
    assert "Anda sedang menempuh pendidikan formal (sekolah atau kuliah)." in html


def test_the_domicile_pickers_load_options_by_htmx(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(applicant)
    html = client.get(step_url(registration, Step.DOMICILE)).content.decode()
    assert f'hx-get="{reverse("registry:district_options")}"' in html
    assert f'hx-get="{reverse("registry:regency_options")}"' in html

    districts = client.get(reverse("registry:district_options"), {"regency": "3578"})
    assert districts.status_code == 200
    assert '<option value="357801">' in districts.content.decode()
    assert "<html" not in districts.content.decode()
    regencies = client.get(reverse("registry:regency_options"), {"province": "31"})
    assert '<option value="3171">' in regencies.content.decode()
    assert client.get(reverse("registry:district_options"), {"regency": "\x00x"}).status_code == 200


def test_an_officer_continues_a_registration_of_their_post(officer: User) -> None:
    user = new_applicant()
    registration = registration_start(actor=officer, user=user, channel=Channel.POST)
    client = signed_in(officer)
    data = step_data(registration.programme)
    for step in STEP_ORDER:
        response = client.post(step_url(registration, step), tokened(form_data(step, data[step])))
        assert response.status_code == 302, step
    client.post(reverse("registry:submit", args=[registration.reference]), tokened())
    registration.refresh_from_db()
    assert registration.status == Registration.Status.SUBMITTED
    assert registration.assisted_by == officer and registration.user == user


def test_an_officer_of_another_post_is_refused(officer: User, other_officer: User) -> None:
    registration = registration_start(actor=officer, user=new_applicant(), channel=Channel.POST)
    client = signed_in(other_officer)
    for url in [
        reverse("registry:status", args=[registration.reference]),
        step_url(registration, Step.IDENTITY),
    ]:
        response = client.get(url)
        assert response.status_code == 403
        assert "Anda tidak berhak mengakses pendaftaran ini." in response.content.decode()
    response = client.post(step_url(registration, Step.CONTACT), tokened({"phone": "081234567890"}))
    assert response.status_code == 403


def test_another_applicant_is_refused_and_an_unknown_reference_is_404(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(new_applicant())
    assert client.get(reverse("registry:status", args=[registration.reference])).status_code == 403
    assert client.get("/daftar/PJ-2222-2222/").status_code == 404
    assert client.get("/daftar/not-a-reference/").status_code == 404


def test_the_receipt_masks_the_nik_and_the_pdf_is_a_pdf(applicant: User) -> None:
    registration = registration_submit(
        actor=applicant, registration=complete_registration(applicant)
    )
    client = signed_in(applicant)

    html = client.get(reverse("registry:receipt", args=[registration.reference]))
    assert html.status_code == 200
    body = html.content.decode()
    assert registration.reference in body
    assert "3578********0001" in body
    assert fake_nik(serial=1) not in body
    assert "+6281234567890" not in body

    pdf = client.get(reverse("registry:receipt_pdf", args=[registration.reference]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert fake_nik(serial=1).encode() not in pdf.content


def test_the_pdf_receipt_answers_503_when_weasyprint_cannot_load(applicant: User) -> None:
    registration = registration_submit(
        actor=applicant, registration=complete_registration(applicant)
    )
    with mock.patch("weasyprint.HTML", side_effect=OSError("cannot load library 'pango'")):
        response = signed_in(applicant).get(
            reverse("registry:receipt_pdf", args=[registration.reference])
        )
    assert response.status_code == 503
    assert "PDF sementara tidak dapat dibuat" in response.content.decode()
    assert reverse("registry:receipt", args=[registration.reference]) in response.content.decode()


def test_a_draft_has_no_receipt(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    response = signed_in(applicant).get(reverse("registry:receipt", args=[registration.reference]))
    assert response.status_code == 404
    assert "Bukti pendaftaran tersedia setelah pendaftaran dikirim." in response.content.decode()


def test_a_manager_edits_a_rule_on_the_rules_page(manager: User, programme: Programme) -> None:
    client = signed_in(manager)
    listing = client.get(reverse("registry:rule_list"))
    assert listing.status_code == 200
    assert "Usia minimal (tahun) pada tanggal pendaftaran" in listing.content.decode()
    rule = programme.rules.get(kind=EligibilityRule.Kind.MIN_AGE)

    bad = client.post(
        reverse("registry:rule_edit", args=[rule.pk]),
        tokened({"years": "delapan belas", "reason": "Usia kurang.", "is_active": "on"}),
    )
    assert bad.status_code == 422
    assert "Isi angka antara 0 dan 100." in bad.content.decode()

    good = client.post(
        reverse("registry:rule_edit", args=[rule.pk]),
        tokened({"years": "19", "reason": "Usia Anda belum 19 tahun.", "is_active": "on"}),
    )
    assert good.status_code == 302
    rule.refresh_from_db()
    assert rule.parameter == {"years": 19} and rule.reason == "Usia Anda belum 19 tahun."


def test_the_rules_page_is_for_managers_only(officer: User, applicant: User) -> None:
    assert signed_in(officer).get(reverse("registry:rule_list")).status_code == 403
    assert signed_in(applicant).get(reverse("registry:rule_list")).status_code == 403


def test_a_double_submitted_step_saves_once_and_replays_the_first_result(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    client = signed_in(applicant)
    data = tokened({"phone": "081234567890"})
    first = client.post(step_url(registration, Step.CONTACT), data)
    again = client.post(step_url(registration, Step.CONTACT), data)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert registration.history.filter(phone="+6281234567890").count() == 1


def test_a_form_without_its_submission_token_is_refused_clearly(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    response = signed_in(applicant).post(
        step_url(registration, Step.CONTACT), {"phone": "081234567890"}
    )
    assert response.status_code == 400
    assert "Muat ulang halaman" in response.content.decode()
    registration.refresh_from_db()
    assert not registration.phone


def test_the_consent_is_plain_short_paragraphs_and_its_version_is_stored_not_shown(
    applicant: User,
) -> None:
    client = signed_in(applicant)
    client.post("/daftar/", tokened())
    registration = Registration.objects.get(user=applicant)
    html = client.get(step_url(registration, Step.CONSENT)).content.decode()
    for start in (
        "<p>Data yang kami kumpulkan:",
        "<p>Untuk apa:",
        "<p>Siapa yang melihat:",
        "<p>Hak Anda:",
    ):
        assert start in html
    assert "Versi teks" not in html
    assert 'name="consent_version" value="v2"' in html
