"""A run started twice at once, on a real PostgreSQL server: exactly one is created.

Transactional (the threads must see each other's commits); the regions are reloaded after
the module, as in the other concurrency tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.core.errors import ApplicationError
from prakerja.regions.models import Province, Regency
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves.models import SelectionRun
from prakerja.waves.services import selection_run_create
from prakerja.waves.tests.population import Applicant, closed_wave, registrations_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def regions_restored(django_db_blocker: Any) -> Iterator[None]:
    yield
    from prakerja.regions.services import regions_load

    with django_db_blocker.unblock():
        regions_load(force=True)


def test_two_managers_starting_a_run_at_the_same_moment_create_one_run() -> None:
    Province.objects.get_or_create(code="35", defaults={"name": "JAWA TIMUR"})
    Regency.objects.get_or_create(
        code="3578", defaults={"province_id": "35", "name": "KOTA SURABAYA"}
    )
    programme = registry_seed_load().programme
    wave = closed_wave(programme, {"3578": 2}, registrations_make(programme, [Applicant()] * 4))
    managers = [make_user(role=Role.MANAGER) for _ in range(4)]
    barrier = threading.Barrier(len(managers))
    outcomes = [""] * len(managers)

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            selection_run_create(actor=managers[i], wave=wave, seed=f"seed-{i}")
            outcomes[i] = "created"
        except ApplicationError as exc:
            outcomes[i] = exc.code
        except Exception as exc:  # pragma: no cover - shown by the assertion
            outcomes[i] = f"crash: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(managers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["created"] + ["selection.run_in_progress"] * 3, outcomes
    assert SelectionRun.objects.filter(wave=wave).count() == 1
