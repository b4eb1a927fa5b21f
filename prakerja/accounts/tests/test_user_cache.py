"""An applicant's account kept in the shared cache between requests (``accounts.backends``),
and every change to it taking effect on the next request."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user

pytestmark = pytest.mark.django_db

BACKEND = "prakerja.accounts.backends.CachedApplicantBackend"


@pytest.fixture(autouse=True)
def user_cache_on(settings: Any) -> None:
    settings.AUTH_USER_CACHE_SECONDS = 300


def user_reads(client: Client, path: str = "/daftar/") -> tuple[int, int]:
    """The answer's status and how many statements read the accounts_user table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    reads = sum(
        1
        for query in queries.captured_queries
        if 'FROM "accounts_user"' in query["sql"] and query["sql"].startswith("SELECT")
    )
    return response.status_code, reads


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def test_an_applicant_is_read_once_then_served_from_the_cache() -> None:
    client = signed_in(make_user(role=Role.APPLICANT))
    assert user_reads(client) == (200, 1)
    assert user_reads(client) == (200, 0)
    assert user_reads(client) == (200, 0)


def test_a_deactivated_applicant_is_signed_out_on_the_next_request() -> None:
    user = make_user(role=Role.APPLICANT)
    client = signed_in(user)
    user_reads(client)
    user.is_active = False
    user.save()
    status, _reads = user_reads(client)
    assert status == 302  # to the sign-in page: the cached copy went with the save


def test_a_new_password_signs_the_sessions_out() -> None:
    user = make_user(role=Role.APPLICANT)
    client = signed_in(user)
    user_reads(client)
    user.set_password("kata-sandi-baru-yang-panjang")
    user.save()
    assert user_reads(client)[0] == 302


def test_staff_are_always_read_from_the_database() -> None:
    client = signed_in(make_user(role=Role.CALLCENTRE))
    first = user_reads(client, "/")
    second = user_reads(client, "/")
    assert first[1] >= 1 and second[1] >= 1


def test_without_a_shared_cache_nothing_is_kept(settings: Any) -> None:
    settings.AUTH_USER_CACHE_SECONDS = 0
    client = signed_in(make_user(role=Role.APPLICANT))
    user_reads(client)
    assert user_reads(client) == (200, 1)
