"""Shared test fixtures: the test database gets the region tables once per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from prakerja.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load()
    yield
