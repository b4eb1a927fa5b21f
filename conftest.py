"""Shared test fixtures: region tables once per session, a clean cache per test, and personas
(one user per role plus outsiders; factories in ``prakerja.accounts.testing``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_post, make_provider, make_user
from prakerja.assistance.models import Post
from prakerja.training.models import Provider


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from prakerja.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load()
    yield


@pytest.fixture(autouse=True)
def clear_cache() -> None:
    # allauth keeps rate limits and used TOTP codes in the (process-wide) cache; a test must
    # not inherit another test's sign-in attempts.
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # PBKDF2's deliberate slowness is the point in production and dead time in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def surabaya_post(db: None) -> Post:
    return make_post(code="posko-surabaya", name="Posko Surabaya", regency_code="3578")


@pytest.fixture
def malang_post(db: None) -> Post:
    return make_post(code="posko-malang", name="Posko Kota Malang", regency_code="3573")


@pytest.fixture
def surabaya_provider(db: None) -> Provider:
    return make_provider(name="LPK Surabaya", regency_code="3578")


@pytest.fixture
def applicant(db: None) -> User:
    return make_user(role=Role.APPLICANT, username="pendaftar")


@pytest.fixture
def officer(surabaya_post: Post) -> User:
    """Ani, officer at the Surabaya post."""
    return make_user(role=Role.OFFICER, username="ani", post=surabaya_post)


@pytest.fixture
def other_officer(malang_post: Post) -> User:
    """Budi, officer at the Malang post: an outsider to the Surabaya post."""
    return make_user(role=Role.OFFICER, username="budi", post=malang_post)


@pytest.fixture
def callcentre_agent(db: None) -> User:
    return make_user(role=Role.CALLCENTRE, username="cici")


@pytest.fixture
def province_data_officer(db: None) -> User:
    return make_user(role=Role.DATA_OFFICER, username="dedi")


@pytest.fixture
def surabaya_data_officer(db: None) -> User:
    return make_user(role=Role.DATA_OFFICER, username="eka", regency_code="3578")


@pytest.fixture
def manager(db: None) -> User:
    return make_user(role=Role.MANAGER, username="fajar")


@pytest.fixture
def provider_operator(surabaya_provider: Provider) -> User:
    return make_user(role=Role.PROVIDER, username="gita", provider=surabaya_provider)


@pytest.fixture
def viewer(db: None) -> User:
    return make_user(role=Role.VIEWER, username="hadi")


@pytest.fixture
def superadmin(db: None) -> User:
    return make_user(role=Role.SUPERADMIN, username="indah")
