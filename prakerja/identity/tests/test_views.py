from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from prakerja.identity.tests.factories import NIK_MAN_SURABAYA, NIK_WOMAN_SURABAYA

pytestmark = pytest.mark.django_db

PAGE = reverse("identity:nik_check_page")
FRAGMENT = reverse("identity:nik_check_fragment")


@pytest.fixture
def client() -> Client:
    return Client()


def nik_input(html: str) -> str:
    match = re.search(r'<input[^>]*name="nik"[^>]*>', html, re.DOTALL)
    assert match, "no NIK input"
    return match.group(0)


def test_the_page_offers_a_nik_form_that_checks_as_the_user_types(client: Client) -> None:
    response = client.get(PAGE)
    html = response.content.decode()

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    tag = nik_input(html)
    assert f'hx-post="{FRAGMENT}"' in tag
    assert 'hx-params="nik,birth_date,gender"' in tag
    assert "hx-get" not in html
    assert 'hx-trigger="keyup changed delay:400ms"' in tag
    assert 'hx-target="#nik-result"' in tag
    assert 'aria-describedby="nik-help nik-result"' in tag
    assert '<div id="nik-result" aria-live="polite">' in html
    for field in ["nik", "birth_date", "gender"]:
        assert f'<label for="id_{field}">' in html
        assert f'id="id_{field}"' in html
    assert "field-error" not in html


def test_the_page_extends_the_site_layout_in_indonesian(client: Client) -> None:
    html = client.get(PAGE).content.decode()

    assert '<html lang="id">' in html
    assert "<h1>Cek NIK</h1>" in html
    assert "Langsung ke isi" in html


def test_a_posted_form_renders_the_result_without_javascript(client: Client) -> None:
    html = client.post(PAGE, {"nik": NIK_WOMAN_SURABAYA}).content.decode()

    assert "3578********0001" in html
    assert "Kota Surabaya" in html
    assert "Karang Pilang" in html
    assert "Jawa Timur" in html
    assert "17 Agustus 1990" in html
    assert "Perempuan" in html


def test_a_nik_in_the_query_string_is_not_read(client: Client) -> None:
    # NIKs stay out of URLs (proxy and load-balancer logs): a GET shows the empty form.
    response = client.get(PAGE, {"nik": NIK_WOMAN_SURABAYA})
    html = response.content.decode()

    assert response.status_code == 200
    assert "Kota Surabaya" not in html
    assert "3578********0001" not in html


def test_the_fragment_refuses_a_get(client: Client) -> None:
    assert client.get(FRAGMENT, {"nik": NIK_WOMAN_SURABAYA}).status_code == 405


def test_the_fragment_needs_the_csrf_token_htmx_sends(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(FRAGMENT, {"nik": NIK_WOMAN_SURABAYA}).status_code == 403

    strict.get(PAGE)
    token = strict.cookies["csrftoken"].value
    response = strict.post(FRAGMENT, {"nik": NIK_WOMAN_SURABAYA}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert "Kota Surabaya" in response.content.decode()


def test_a_posted_form_renders_the_same_result(client: Client) -> None:
    response = client.post(
        PAGE, {"nik": NIK_MAN_SURABAYA, "birth_date": "1990-08-17", "gender": "L"}
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "Laki-laki</dd>" in html
    assert "Kota Surabaya" in html
    assert "field-warning" not in html
    assert "field-error" not in html


def test_the_fragment_is_only_the_result(client: Client) -> None:
    response = client.post(FRAGMENT, {"nik": NIK_WOMAN_SURABAYA}, HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert "<form" not in html
    assert "Kota Surabaya" in html
    assert NIK_WOMAN_SURABAYA not in html
    assert "no-store" in response["Cache-Control"]


def test_the_fragment_shows_errors_in_indonesian(client: Client) -> None:
    html = client.post(FRAGMENT, {"nik": "3578013208900000"}).content.decode()

    assert 'class="field-error"' in html
    assert 'data-code="nik.date_invalid"' in html
    assert "Empat angka terakhir NIK tidak boleh 0000." in html
    assert "<dl" not in html


def test_the_fragment_reports_a_short_nik_as_the_user_types(client: Client) -> None:
    html = client.post(FRAGMENT, {"nik": "35780157"}).content.decode()

    assert "NIK harus terdiri dari 16 angka, yang diisi 8 karakter." in html


def test_the_fragment_shows_warnings_and_still_reads_the_nik(client: Client) -> None:
    html = client.post(FRAGMENT, {"nik": "3599015708900001"}).content.decode()

    assert 'class="field-warning"' in html
    assert 'data-code="nik.regency_unknown"' in html
    assert "kode 3599 (tidak ada dalam daftar wilayah saat ini)" in html
    assert "Jawa Timur" in html
    assert "17 Agustus 1990" in html


def test_the_fragment_warns_about_a_stated_birth_date_and_gender(client: Client) -> None:
    html = client.post(
        FRAGMENT, {"nik": NIK_WOMAN_SURABAYA, "birth_date": "1990-08-18", "gender": "L"}
    ).content.decode()

    assert 'data-code="nik.birth_date_mismatch"' in html
    assert 'data-code="nik.gender_mismatch"' in html


def test_an_emptied_input_clears_the_result(client: Client) -> None:
    html = client.post(FRAGMENT, {"nik": "  "}).content.decode()

    assert html.strip() == ""


def test_the_fragment_reads_the_regions_in_one_query(
    client: Client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        client.post(FRAGMENT, {"nik": NIK_WOMAN_SURABAYA})


def test_an_invalid_nik_marks_the_input_invalid_on_the_full_page(client: Client) -> None:
    html = client.post(PAGE, {"nik": "123"}).content.decode()

    assert 'aria-invalid="true"' in nik_input(html)
    assert "NIK harus terdiri dari 16 angka, yang diisi 3 karakter." in html


def test_an_impossible_stated_birth_date_is_tied_to_its_input(client: Client) -> None:
    html = client.post(
        PAGE, {"nik": NIK_WOMAN_SURABAYA, "birth_date": "1990-02-31"}
    ).content.decode()

    date_input = re.search(r'<input[^>]*name="birth_date"[^>]*>', html, re.DOTALL)
    assert date_input
    assert 'aria-describedby="birth-date-error"' in date_input.group(0)
    assert '<small id="birth-date-error" class="field-error">' in html
    # The NIK itself is still read.
    assert "Kota Surabaya" in html


def test_an_overlong_input_gets_a_clear_error_not_a_crash(client: Client) -> None:
    html = client.post(PAGE, {"nik": "3" * 5000}).content.decode()

    assert 'class="field-error"' in html


@pytest.mark.parametrize("value", ["\x00", "٣٥٧٨", "<script>alert(1)</script>", "😀" * 20])
def test_strange_input_is_answered_and_escaped(client: Client, value: str) -> None:
    response = client.post(FRAGMENT, {"nik": value})

    assert response.status_code == 200
    assert b"<script>" not in response.content
