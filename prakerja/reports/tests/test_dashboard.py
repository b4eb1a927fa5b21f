"""The leaders' dashboard: who may read it, what it shows, its downloads, its query count."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import User
from prakerja.reports.refresh import daily_counts_refresh
from prakerja.reports.tests.factories import Known, known_population

URL = "/laporan/dasbor/"
QUERY = {"dari": "2020-04-12", "sampai": "2020-04-18"}


@pytest.fixture
def known(officer: User, callcentre_agent: User) -> Known:
    population = known_population(officer=officer, agent=callcentre_agent)
    daily_counts_refresh()
    return population


@pytest.mark.parametrize("persona", ["viewer", "manager", "superadmin"])
def test_managers_and_viewers_read_the_dashboard(
    client: Client, persona: str, request: pytest.FixtureRequest, known: Known
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL, QUERY)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" in content
    assert "13 April 2020" in content  # dates the Indonesian way
    assert "Posko Surabaya" in content


@pytest.mark.parametrize(
    "persona", ["applicant", "officer", "callcentre_agent", "provider_operator"]
)
@pytest.mark.parametrize("path", [URL, URL + "unduh.csv", URL + "unduh.xlsx"])
def test_everyone_else_is_refused(
    client: Client, persona: str, path: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_the_funnel_csv_has_the_counts_of_the_known_population(
    client: Client, viewer: User, known: Known
) -> None:
    client.force_login(viewer)
    response = client.get(URL + "unduh.csv", {**QUERY, "tabel": "corong"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("Mulai mendaftar", "4"),
        ("Nomor HP terverifikasi", "2"),
        ("Pendaftaran lengkap", "3"),
        ("Ikut tes", "2"),
        ("Bergabung ke gelombang", "3"),
        ("Terpilih", "2"),
        ("Membeli pelatihan", "1"),
        ("Menyelesaikan pelatihan", "1"),
    ]


def test_the_xlsx_has_a_sheet_per_table(client: Client, viewer: User, known: Known) -> None:
    client.force_login(viewer)
    response = client.get(URL + "unduh.xlsx", QUERY)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == 8


def test_the_page_reads_a_fixed_number_of_queries(
    client: Client, viewer: User, known: Known
) -> None:
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, QUERY).status_code == 200
    # The session's own read is left out: with Redis (cached_db) it costs the database nothing.
    counted = [q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]]
    # Sign-in (user) aside: nothing touches the registrations themselves.
    assert not [sql for sql in counted if "registry_registration" in sql]
    assert len(counted) == 11, counted


def test_numbers_and_dates_are_written_the_indonesian_way(client: Client, viewer: User) -> None:
    from datetime import date

    from prakerja.reports.models import DailyCount, Metric

    DailyCount.objects.create(
        day=date(2020, 8, 17),
        metric=Metric.COMPLETE,
        channel="online",
        regency="3578",
        value=543000,
    )
    client.force_login(viewer)
    html = client.get(URL, {"dari": "2020-08-01", "sampai": "2020-08-31"}).content.decode()
    assert "543.000" in html
    assert "17 Agustus 2020" in html
    assert "543000" not in html


def test_the_menu_shows_the_dashboard_to_managers_and_viewers_only(
    client: Client, viewer: User, applicant: User, officer: User
) -> None:
    for user, shown in ((viewer, True), (applicant, False), (officer, False)):
        client.force_login(user)
        assert ('href="/laporan/dasbor/"' in client.get("/").content.decode()) is shown
