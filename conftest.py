"""Shared test fixtures: region tables once per session, a clean cache per test, and personas
(one user per role plus outsiders; factories in ``prakerja.accounts.testing``)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_post, make_provider, make_user
from prakerja.assistance.models import Post
from prakerja.core.shedding import slot_connections_close
from prakerja.training.models import Provider


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from prakerja.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load()
    yield


@pytest.fixture(autouse=True)
def _slot_connections_closed() -> Iterator[None]:
    # Requests of transactional tests run on the load shedding's slot connections, a few per
    # test client: closed after each test, so that they neither pile up towards
    # max_connections nor outlive the test database.
    yield
    slot_connections_close()


_skipped_at_setup = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "setup" and report.skipped:
        item.stash[_skipped_at_setup] = True
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    # A transactional test (django_db(transaction=True)) ends by flushing every table, the
    # region tables loaded once per session included. Load them again once the whole teardown
    # (the flush is pytest-django's own fixture teardown) has run, so later tests keep them.
    result = yield
    marker = item.get_closest_marker("django_db")
    # After the last test (nextitem None) the session's teardown has dropped the database.
    # A skipped test flushed nothing (and may run before any test database exists).
    skipped = item.stash.get(_skipped_at_setup, False)
    if (
        nextitem is not None
        and marker is not None
        and marker.kwargs.get("transaction")
        and not skipped
    ):
        from pytest_django.plugin import blocking_manager_key

        from prakerja.regions.services import regions_load

        with item.config.stash[blocking_manager_key].unblock():
            regions_load()
    return result


@pytest.fixture(autouse=True)
def clear_cache() -> None:
    # allauth keeps rate limits and used TOTP codes in the (process-wide) cache; a test must
    # not inherit another test's sign-in attempts.
    cache.clear()
    # Per-process caches too: every test starts like a fresh worker.
    from prakerja.core.processcache import process_caches_forget

    process_caches_forget()


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


# --- PostgreSQL-only tests ----------------------------------------------------------------
# ``@pytest.mark.postgres`` marks a test that only makes sense on PostgreSQL (SKIP LOCKED,
# row-lock races, …). On any other default database it is skipped with a stated reason,
# never silently. Lives in the root conftest so it applies to every path pytest is given.

POSTGRES_SKIP_REASON = (
    "needs PostgreSQL: the default database is {vendor}; "
    "run with DATABASE_URL=postgres://… to include it"
)


def _default_database_vendor() -> str:
    # Reading the vendor does not open a connection: it comes from the configured ENGINE.
    from django.db import connections

    return connections["default"].vendor


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    vendor = _default_database_vendor()
    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if not test_name:
        test_name = "in memory" if vendor == "sqlite" else "Django's default name"
    return f"prakerja: default database {vendor} (test database: {test_name})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    vendor = _default_database_vendor()
    if vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=POSTGRES_SKIP_REASON.format(vendor=vendor))
    for item in items:
        if item.get_closest_marker("postgres") is not None:
            item.add_marker(skip)
