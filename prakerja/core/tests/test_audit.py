from __future__ import annotations

import pytest

from prakerja.accounts.models import Role, User
from prakerja.core.audit import audit_as
from prakerja.training.models import Provider

pytestmark = pytest.mark.django_db


def test_a_service_write_outside_a_request_records_the_actor_and_reason() -> None:
    manager = User.objects.create_user(username="alice", password="x", role=Role.MANAGER)
    provider = Provider(name="LPK Contoh", kind="lpk", regency_id="3578")
    audit_as(provider, actor=manager, reason="verifikasi dokumen")
    provider.save()
    row = provider.history.get()
    assert row.history_user == manager
    assert row.history_change_reason == "verifikasi dokumen"


def test_a_system_write_records_no_user() -> None:
    provider = Provider(name="LPK Sistem", kind="lpk", regency_id="3578")
    audit_as(provider, actor=None)
    provider.save()
    assert provider.history.get().history_user is None
