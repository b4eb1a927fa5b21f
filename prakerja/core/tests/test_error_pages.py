"""The site's own Indonesian 400/403/404/500 pages, and 503 + Retry-After when the database is
unreachable (the real outage, against a second PostgreSQL cluster, is in
test_database_outage.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from prakerja.accounts.models import User

pytestmark = pytest.mark.django_db

FAILING_URLS = "prakerja.core.tests.failing_urls"


@pytest.fixture
def client() -> Client:
    # Exceptions become responses, as in production, instead of being raised into the test.
    return Client(raise_request_exception=False)


def test_a_bad_request_gets_the_indonesian_400_page(client: Client) -> None:
    response = client.get("/", HTTP_HOST="bukan-situs-ini.example")
    page = response.content.decode()

    assert response.status_code == 400
    assert "<h1>Permintaan tidak valid</h1>" in page
    assert "Permintaan Anda tidak dapat diproses. Periksa alamat halaman lalu coba lagi." in page
    assert '<html lang="id">' in page


def test_a_refused_page_gets_the_indonesian_403_page(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    response = client.get("/kotak-keluar/")
    page = response.content.decode()

    assert response.status_code == 403
    assert "<h1>Akses ditolak</h1>" in page
    assert "Anda tidak memiliki izin untuk membuka halaman ini." in page
    assert "Langsung ke isi" in page  # inside the site layout


def test_a_missing_csrf_token_gets_the_indonesian_403_page() -> None:
    response = Client(enforce_csrf_checks=True).post("/identitas/cek-nik/", {"nik": "1"})
    page = response.content.decode()

    assert response.status_code == 403
    assert "<h1>Formulir kedaluwarsa</h1>" in page
    assert "Muat ulang halaman lalu kirim lagi." in page


def test_an_unknown_address_gets_the_indonesian_404_page(client: Client) -> None:
    response = client.get("/tidak-ada-halaman-ini/")
    page = response.content.decode()

    assert response.status_code == 404
    assert "<h1>Halaman tidak ditemukan</h1>" in page
    assert "Halaman yang Anda cari tidak ada atau sudah dipindahkan." in page
    assert "Not Found" not in page


@override_settings(ROOT_URLCONF=FAILING_URLS)
def test_a_bug_gets_the_indonesian_500_page(client: Client) -> None:
    response = client.get("/uji/rusak/")
    page = response.content.decode()

    assert response.status_code == 500
    assert "<h1>Terjadi kesalahan pada server</h1>" in page
    assert "Maaf, terjadi kesalahan di pihak kami" in page
    assert "031-8293097" in page
    assert "Server Error" not in page
    assert "Retry-After" not in response


@override_settings(ROOT_URLCONF=FAILING_URLS, DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS=30)
def test_an_unreachable_database_gets_503_with_retry_after_on_pages(client: Client) -> None:
    response = client.get("/uji/basis-data/")
    page = response.content.decode()

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "<h1>Layanan sementara tidak tersedia</h1>" in page
    assert "Basis data sedang tidak dapat dihubungi." in page


@override_settings(ROOT_URLCONF=FAILING_URLS, DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS=30)
def test_an_unreachable_database_gets_503_in_the_api_error_shape(client: Client) -> None:
    response = client.get("/api/v1/uji/basis-data/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "code": "server.database_unavailable",
        "message": (
            "Basis data sedang tidak dapat dihubungi. Data Anda belum dikirim; "
            "silakan coba lagi beberapa saat lagi."
        ),
        "field": None,
    }


@override_settings(ROOT_URLCONF=FAILING_URLS)
def test_the_500_and_503_pages_render_without_touching_the_database(
    client: Client, django_db_blocker: Any
) -> None:
    # The site layout's context processors would read the user (and the session) here.
    with django_db_blocker.block():
        assert client.get("/uji/rusak/").status_code == 500
        assert client.get("/uji/basis-data/").status_code == 503
