"""Daily counts: WIB days, channels, posts, CSV, who may read them, and pinned queries."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import User
from prakerja.assistance.console.testing import make_registration
from prakerja.assistance.models import AssistanceVisit, Post
from prakerja.reports.selectors import (
    Period,
    call_log_model,
    people_assisted_per_post_per_day,
    registrations_per_day_by_channel,
)

WIB = ZoneInfo("Asia/Jakarta")
DAY_1 = date(2020, 4, 13)  # wave 1, first day
PERIOD = Period(start=date(2020, 4, 12), end=date(2020, 4, 14))
QUERY = {"dari": "2020-04-12", "sampai": "2020-04-14"}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


def visit(post: Post, officer: User, when: datetime) -> AssistanceVisit:
    created = AssistanceVisit.objects.create(post=post, officer=officer, services=["registration"])
    AssistanceVisit.objects.filter(pk=created.pk).update(created_at=when)
    return created


@pytest.fixture
def wave_one(officer: User, other_officer: User) -> None:
    """13 April 2020: two online, one at the Surabaya post, one by the call centre; one
    online at 06:30 WIB on the 14th (still the 13th in UTC); a draft that never counts."""
    make_registration(submitted_at=at(DAY_1, 8))
    make_registration(submitted_at=at(DAY_1, 16, 59))
    make_registration(post=officer.post, officer=officer, submitted_at=at(DAY_1, 10))
    make_registration(channel="callcentre", submitted_at=at(DAY_1, 11))
    make_registration(submitted_at=at(date(2020, 4, 14), 6, 30))
    make_registration()
    visit(officer.post, officer, at(DAY_1, 9))  # type: ignore[arg-type]
    visit(officer.post, officer, at(DAY_1, 14))  # type: ignore[arg-type]
    visit(other_officer.post, other_officer, at(DAY_1, 9))  # type: ignore[arg-type]


@pytest.mark.usefixtures("wave_one")
def test_it_counts_submitted_registrations_per_wib_day_and_channel() -> None:
    rows = registrations_per_day_by_channel(period=PERIOD)
    assert [(r.day, r.online, r.post, r.callcentre, r.total) for r in rows] == [
        (date(2020, 4, 12), 0, 0, 0, 0),
        (date(2020, 4, 13), 2, 1, 1, 4),
        (date(2020, 4, 14), 1, 0, 0, 1),
    ]


@pytest.mark.usefixtures("wave_one")
def test_it_counts_people_assisted_per_post_and_day() -> None:
    rows = people_assisted_per_post_per_day(period=PERIOD)
    assert [(r.day, r.post_name, r.people) for r in rows] == [
        (DAY_1, "Posko Kota Malang", 1),
        (DAY_1, "Posko Surabaya", 2),
    ]


def test_the_default_period_is_the_last_14_days() -> None:
    period = Period.default(today=date(2020, 4, 16))
    assert (period.start, period.end, len(period.days())) == (
        date(2020, 4, 3),
        date(2020, 4, 16),
        14,
    )


@pytest.mark.usefixtures("wave_one")
@pytest.mark.parametrize("persona", ["manager", "viewer", "superadmin"])
def test_programme_managers_and_viewers_read_the_page(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/laporan/harian/", QUERY)
    assert response.status_code == 200
    content = response.content.decode()
    assert "13-04-2020" in content
    assert "Posko Surabaya" in content


@pytest.mark.parametrize(
    "persona", ["applicant", "officer", "callcentre_agent", "provider_operator"]
)
def test_others_are_refused(client: Client, persona: str, request: pytest.FixtureRequest) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/laporan/harian/").status_code == 403
    assert client.get("/laporan/harian/unduh.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    assert client.get("/laporan/harian/").status_code == 302


@pytest.mark.usefixtures("wave_one")
def test_the_csv_has_the_same_numbers(client: Client, manager: User) -> None:
    client.force_login(manager)
    response = client.get("/laporan/harian/unduh.csv", QUERY)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    # A byte-order mark first, so Excel reads the file as UTF-8.
    assert response.content.decode("utf-8-sig").splitlines() == [
        "tanggal,daring,posko,call center,jumlah",
        "2020-04-12,0,0,0,0",
        "2020-04-13,2,1,1,4",
        "2020-04-14,1,0,0,1",
    ]
    posts = client.get("/laporan/harian/unduh.csv", {**QUERY, "tabel": "posko"})
    assert posts.content.decode("utf-8-sig").splitlines()[1:] == [
        "2020-04-13,posko-malang,Posko Kota Malang,1",
        "2020-04-13,posko-surabaya,Posko Surabaya,2",
    ]


def test_a_reversed_period_is_explained(client: Client, manager: User) -> None:
    client.force_login(manager)
    response = client.get("/laporan/harian/", {"dari": "2020-04-14", "sampai": "2020-04-12"})
    assert "Tanggal akhir tidak boleh sebelum tanggal awal." in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(
    client: Client, manager: User, officer: User
) -> None:
    client.force_login(manager)
    client.get("/laporan/harian/", QUERY)  # warm up session and TOTP lookups
    for hour in range(8, 16):
        make_registration(submitted_at=at(DAY_1, hour))
        visit(officer.post, officer, at(DAY_1, hour))  # type: ignore[arg-type]
    # User and the staff TOTP gate, then one aggregate per table, however many rows. The
    # session's own read is left out: with Redis (cached_db) it costs the database nothing.
    tables = 2 + (call_log_model() is not None)
    with CaptureQueriesContext(connection) as queries:
        client.get("/laporan/harian/", QUERY)
    counted = [q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]]
    assert len(counted) == 2 + tables, counted


def test_it_counts_call_centre_status_confirmations_per_wib_day(callcentre_agent: User) -> None:
    from prakerja.assistance.models import CallCentreLine
    from prakerja.callcenter.models import CallLog
    from prakerja.reports.selectors import callcentre_confirmations_per_day

    line = CallCentreLine.objects.create(number="031-8293097", name="Call center 1")

    def call(category: str, when: datetime) -> None:
        log = CallLog.objects.create(
            line=line, agent=callcentre_agent, category=category, outcome="resolved"
        )
        CallLog.objects.filter(pk=log.pk).update(created_at=when)

    call("status_confirmation", at(DAY_1, 9))
    call("status_confirmation", at(DAY_1, 16, 59))
    call("complaint", at(DAY_1, 10))
    call("status_confirmation", at(date(2020, 4, 14), 0, 30))  # still the 13th in UTC
    rows = callcentre_confirmations_per_day(period=PERIOD)
    assert rows is not None
    assert [(r.day, r.count) for r in rows] == [
        (date(2020, 4, 12), 0),
        (DAY_1, 2),
        (date(2020, 4, 14), 1),
    ]
