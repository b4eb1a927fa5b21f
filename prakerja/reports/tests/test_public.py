"""The public statistics: no sign-in, aggregates only, no count under 10 ever shown."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.reports.models import DailyCount, Metric, RefreshState
from prakerja.reports.public import SUPPRESSED, suppress
from prakerja.reports.refresh import daily_counts_refresh
from prakerja.reports.tests.factories import known_population

MONDAY = date(2020, 4, 13)


def test_a_count_under_ten_is_suppressed() -> None:
    assert suppress([120, 9, 0, 10]) == ([120, SUPPRESSED, SUPPRESSED, 10], 139)


def test_a_lone_suppressed_cell_takes_the_smallest_other_with_it() -> None:
    # 5000 + 20 + 9 = 5029 would give the 9 away: the 20 is hidden as well.
    assert suppress([5000, 20, 9]) == ([5000, SUPPRESSED, SUPPRESSED], 5029)


def test_a_small_total_is_suppressed() -> None:
    assert suppress([3, 4]) == ([SUPPRESSED, SUPPRESSED], SUPPRESSED)


@pytest.fixture
def counts(db: None) -> None:
    """Sent registrations in Kota Surabaya (3578): 5,000 online, 20 by post, 9 by phone; in
    Kota Malang (3573): 9 online."""
    rows = [
        ("online", "3578", 5000),
        ("post", "3578", 20),
        ("callcentre", "3578", 9),
        ("online", "3573", 9),
    ]
    DailyCount.objects.bulk_create(
        [
            DailyCount(day=MONDAY, metric=Metric.COMPLETE, channel=c, regency=r, value=v)
            for c, r, v in rows
        ]
    )
    RefreshState.objects.update_or_create(pk=1, defaults={"refreshed_at": "2020-04-20T10:00Z"})


def _cells(html: str) -> list[str]:
    return [cell.strip() for cell in re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", html)]


@pytest.mark.usefixtures("counts")
def test_anyone_reads_the_statistics_without_signing_in(client: Client) -> None:
    response = client.get("/statistik/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Data per 20 April 2020, 17.00 WIB." in html
    cells = _cells(html)
    assert "5.038" in cells  # Jawa Timur's sent registrations, with the Indonesian separator
    assert "9" not in cells
    assert "&lt;10" in cells


@pytest.mark.usefixtures("counts")
def test_the_csv_holds_the_suppressed_values_and_never_a_nine(client: Client) -> None:
    response = client.get("/statistik/data.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = [row[3] for row in rows[1:]]
    assert "9" not in values
    assert SUPPRESSED in values
    assert ["kanal", "Jumlah", "Pendaftaran lengkap", "5038"] in rows


@pytest.mark.parametrize("persona", ["applicant", "officer", "viewer"])
def test_the_public_page_shows_the_same_to_everyone(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/statistik/").status_code == 200


def test_anonymous_visitors_get_the_statistics_only(client: Client, db: None) -> None:
    assert client.get("/statistik/").status_code == 200
    assert client.get("/laporan/dasbor/").status_code == 302
    assert client.get("/laporan/dasbor/unduh.csv").status_code == 302


def test_the_home_page_links_to_the_statistics(client: Client, db: None) -> None:
    assert 'href="/statistik/"' in client.get("/").content.decode()


def test_a_known_population_of_three_shows_no_count(
    client: Client, officer: User, callcentre_agent: User
) -> None:
    known_population(officer=officer, agent=callcentre_agent)
    daily_counts_refresh()
    cells = _cells(client.get("/statistik/").content.decode())
    assert not {"1", "2", "3", "4"} & set(cells)
