"""The worker freezes what it loaded at start (``gc.freeze``) once, at its entry point."""

from __future__ import annotations

import gc

import pytest

from prakerja.core.tests.leases import worker_run_all

pytestmark = pytest.mark.django_db


def test_the_worker_freezes_the_objects_it_started_with(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.unfreeze()
    try:
        worker_run_all(monkeypatch)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
