"""Project-wide test policy that lives beside the top-level tests.

``@pytest.mark.postgres`` marks a test that only makes sense on PostgreSQL (SKIP LOCKED, server
side constraints, …). On any other default database such a test is skipped with a stated reason,
never silently. The hook below runs once per session over *every* collected item (a
``pytest_collection_modifyitems`` hook in any loaded conftest sees the whole item list), so it
also covers marked tests under ``prakerja/*/tests`` whenever ``tests/`` is part of the run, which
it is by default (``testpaths`` in pyproject.toml).
"""

from __future__ import annotations

import pytest

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
