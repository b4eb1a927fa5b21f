"""The history manager class is built once per model (``core.apps``), and still works."""

from __future__ import annotations

import pytest

from prakerja.accounts.models import User
from prakerja.core.audit import audit_as
from prakerja.registry.models import Registration


def test_every_instance_gets_the_same_history_manager_class() -> None:
    first, second = Registration(), Registration()
    assert type(first.history) is type(second.history) is type(Registration.history)
    assert first.history.instance is first and second.history.instance is second


@pytest.mark.django_db
def test_the_history_of_a_saved_instance_is_still_recorded_and_read(superadmin: User) -> None:
    superadmin.full_name = "Nama Baru"
    audit_as(superadmin, actor=superadmin, reason="uji")
    superadmin.save()
    latest = superadmin.history.latest()
    assert (latest.full_name, latest.history_user) == ("Nama Baru", superadmin)
